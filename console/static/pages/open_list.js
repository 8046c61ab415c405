// A city's open list (weifang 第二十四条 and each city's article on its open
// catalog), public: GET /api/v1/open-list, the unconditionally and
// conditionally open items with the article and whether the text is in force.
import { all, api, h, t, tOr } from "../app.js";

const cities = ["wuhan", "weifang", "changsha", "xiamen", "leshan"];

export async function render({ params }) {
  const city = cities.includes(params.get("jurisdiction")) ? params.get("jurisdiction") : "weifang";
  const pick = h("form", { class: "filters", id: "open-list-city" },
    h("label", {}, t("evaluation.filter.jurisdiction"), h("select", { name: "jurisdiction", onchange: (e) => { location.hash = "#/open-list?jurisdiction=" + e.target.value; } },
      cities.map((c) => h("option", { value: c, selected: c === city }, tOr("city." + c, c))))));
  const q = "/api/v1/open-list?jurisdiction=" + encodeURIComponent(city);
  const head = await api("GET", q);
  const items = await all(q);
  const rows = items.map((it) => h("tr", { "data-item": it.id },
    h("td", { "data-label": t("catalog.col.title") }, h("strong", {}, it.title), h("div", { class: "muted" }, `${it.id} · v${it.version}`)),
    h("td", { "data-label": t("catalog.col.provider") }, it.provider_dept),
    h("td", { "data-label": t("catalog.col.open") }, tOr("open_type." + it.open_type, it.open_type)),
    h("td", { "data-label": t("catalog.col.items") }, (it.data_items || []).join("、"))));
  return h("div", {}, h("h1", {}, t("open_list.title")), pick,
    h("p", { class: "muted", id: "open-list-basis" }, head.article, head.in_force ? "" : " · " + t("open_list.not_in_force")),
    rows.length ? h("table", { class: "list", id: "open-list" },
      h("thead", {}, h("tr", {}, ["title", "provider", "open", "items"].map((c) => h("th", {}, t("catalog.col." + c))))),
      h("tbody", {}, rows)) : h("p", { class: "muted", id: "open-list-empty" }, t("open_list.empty")));
}
