// The regulations in force for the admin (GET /api/v1/regulations): each
// city's document, its validity (valid_from..valid_to, or the note of a
// draft) and the validity warnings (ending within 60 days, or ended).
import { api, h, t, tOr } from "../app.js";

export async function render() {
  const { items, validity_warnings: warnings } = await api("GET", "/api/v1/regulations");
  const warned = new Map(warnings.map((w) => [w.city, w]));
  return h("div", {}, h("h1", {}, t("regulations.title")),
    warnings.length
      ? h("div", { id: "validity-warnings" }, warnings.map((w) => h("p", { class: "notice bad", "data-warning": w.city }, `${tOr("city." + w.city, w.city)}: ${w.message}`)))
      : h("p", { class: "notice", id: "validity-warnings", "data-count": 0 }, t("regulations.no_warnings")),
    h("table", { class: "list", id: "regulations" },
      h("thead", {}, h("tr", {}, ["city", "document", "authority", "validity", "service_level"].map((c) => h("th", {}, t("regulations.col." + c))))),
      h("tbody", {}, items.map((p) => h("tr", { "data-city": p.city, class: warned.has(p.city) ? "late" : null },
        h("td", { "data-label": t("regulations.col.city") }, tOr("city." + p.city, p.name)),
        h("td", { "data-label": t("regulations.col.document") }, p.document),
        h("td", { "data-label": t("regulations.col.authority") }, p.authority),
        h("td", { "data-label": t("regulations.col.validity") },
          p.valid_from ? t("regulations.valid", { from: p.valid_from, to: p.valid_to || t("regulations.open_ended") }) : t("regulations.not_in_force"),
          p.validity_note ? h("div", { class: "muted" }, p.validity_note) : null),
        h("td", { "data-label": t("regulations.col.service_level") }, t("regulations.days", { n: p.service_level_days })))))));
}
