// Sign-in: in `approvals dev` the development sign-in lists demo users per
// role and city (GET /dev/users, POST /dev/session); elsewhere the city's
// identity provider.
import { api, h, t, refreshSession, ProblemError } from "../app.js";

export async function render() {
  let users;
  try {
    users = (await api("GET", "/dev/users")).items;
  } catch (err) {
    if (!(err instanceof ProblemError) || err.status !== 404) throw err;
    return h("div", { class: "card" }, h("h1", {}, t("signin.title")),
      h("p", {}, t("signin.idp")),
      h("a", { class: "primary", href: "/auth/login", id: "idp-login" }, t("signin.idp_button")));
  }
  const cities = [...new Set(users.map((u) => u.jurisdiction || ""))];
  const el = h("div", {}, h("h1", {}, t("signin.title")),
    h("div", { class: "devonly", id: "devonly" }, t("signin.devonly")));
  for (const city of cities) {
    el.append(h("h2", {}, city ? t("city." + city) : t("signin.platform")));
    const grid = h("div", { class: "users" });
    for (const u of users.filter((x) => (x.jurisdiction || "") === city)) {
      const label = u.role === "department" ? `${t("role.department")} · ${u.name || u.dept}` : t("role." + u.role);
      grid.append(h("button", {
        type: "button", "data-subject": u.subject,
        onclick: async () => {
          await api("POST", "/dev/session", { subject: u.subject, role: u.role, dept: u.dept || "", jurisdiction: u.jurisdiction || "" });
          await refreshSession("#/");
        },
      }, h("strong", {}, label), h("br"), h("span", { class: "muted" }, u.subject)));
    }
    el.append(grid);
  }
  return el;
}
