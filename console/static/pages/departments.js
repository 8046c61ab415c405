// Departments for the admin: the list (GET /api/v1/departments) and a form
// to register one (POST /api/v1/departments), the server's messages beside
// the fields.
import { all, api, h, t, tOr, fmtTime, showProblem } from "../app.js";

const cities = ["wuhan", "weifang", "changsha", "xiamen", "leshan"];

export async function render({ params }) {
  const city = params.get("city") || "";
  const items = await all("/api/v1/departments" + (city ? "?jurisdiction=" + city : ""));
  const form = h("form", { class: "card", id: "department-form", novalidate: true });
  const input = (name, el) => h("div", { class: "field" }, h("label", { for: "d-" + name }, t("admin.department." + name)), el,
    h("div", { class: "error", "data-error-for": name }));
  form.append(h("h2", {}, t("admin.department.new")),
    input("code", h("input", { id: "d-code", name: "code", placeholder: "WH-PSB" })),
    input("name", h("input", { id: "d-name", name: "name" })),
    input("jurisdiction", h("select", { id: "d-jurisdiction", name: "jurisdiction" }, cities.map((c) => h("option", { value: c, selected: c === city }, t("city." + c))))),
    input("kind", h("input", { id: "d-kind", name: "kind", placeholder: "bureau" })),
    h("div", { class: "error", "data-error-for": "" }),
    h("button", { type: "submit", class: "primary", id: "department-submit" }, t("admin.department.create")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = {};
    for (const k of ["code", "name", "jurisdiction", "kind"]) if (form.elements[k].value.trim()) body[k] = form.elements[k].value.trim();
    try {
      const d = await api("POST", "/api/v1/departments", body);
      location.hash = "#/admin/departments?created=" + encodeURIComponent(d.code) + (city ? "&city=" + city : "");
    } catch (err) {
      showProblem(form, err);
    }
  });
  const created = params.get("created");
  const cityFilter = h("label", {}, t("inbox.filter.city"), h("select", { onchange: (e) => { location.hash = "#/admin/departments" + (e.target.value ? "?city=" + e.target.value : ""); } },
    h("option", { value: "" }, t("inbox.filter.all")), cities.map((c) => h("option", { value: c, selected: c === city }, t("city." + c)))));
  return h("div", {}, h("h1", {}, t("admin.departments")),
    created ? h("p", { class: "notice", id: "department-created" }, t("admin.department.created", { code: created })) : null,
    h("div", { class: "filters" }, cityFilter),
    h("table", { class: "list", id: "departments", "data-count": items.length },
      h("thead", {}, h("tr", {}, ["code", "name", "jurisdiction", "kind", "created_at"].map((c) => h("th", {}, t("admin.department." + c))))),
      h("tbody", {}, items.map((d) => h("tr", { "data-department": d.code },
        h("td", { "data-label": t("admin.department.code") }, d.code),
        h("td", { "data-label": t("admin.department.name") }, d.name),
        h("td", { "data-label": t("admin.department.jurisdiction") }, tOr("city." + d.jurisdiction, d.jurisdiction)),
        h("td", { "data-label": t("admin.department.kind") }, d.kind),
        h("td", { "data-label": t("admin.department.created_at") }, fmtTime(d.created_at)))))),
    form);
}
