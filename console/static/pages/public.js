// What the platform publishes, without signing in: refused open-data
// applications with their reasons, and approved applicants (where the
// city's profile publishes them).
import { api, h, t, fmtTime } from "../app.js";
import { cities } from "./open.js";

export async function render({ params }) {
  const city = cities.includes(params.get("city")) ? params.get("city") : "xiamen";
  const pick = h("div", { class: "filters" }, h("label", {}, t("inbox.filter.city"),
    h("select", { name: "city", onchange: (e) => { location.hash = "#/public?city=" + e.target.value; } },
      cities.map((c) => h("option", { value: c, selected: c === city }, t("city." + c))))));
  const section = async (kind, cols) => {
    let items;
    try {
      items = (await api("GET", `/api/v1/open-applications/${kind}?jurisdiction=${city}&page_size=100`)).items;
    } catch (err) {
      return h("div", { class: "card" }, h("h2", {}, t("public." + kind)), h("p", { class: "muted" }, err.message));
    }
    return h("div", { class: "card" }, h("h2", {}, t("public." + kind)),
      items.length ? h("table", { class: "list", id: kind }, h("tbody", {}, items.map((x) => h("tr", { "data-id": x.id },
        cols.map((c) => h("td", { "data-label": t("field." + c) }, /_at$/.test(c) ? fmtTime(x[c]) : x[c] ?? "")))))) : h("p", { class: "muted" }, t("public.none")));
  };
  return h("div", {}, h("h1", {}, t("public.title")), pick,
    await section("published-refusals", ["catalog_item_id", "reason", "legal_basis", "decided_at"]),
    await section("approved-applicants", ["applicant_name", "catalog_item_id", "decided_at"]));
}
