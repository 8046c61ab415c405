// The catalog of the caller's city (GET /api/v1/catalog/items): search by
// title or ID, and the procedures a department may start from an item —
// a share request for another department's item, a change, a
// classification or a temporary adjustment of its own.
import { all, h, t, tOr, session } from "../app.js";
import { itemActions } from "./more.js";

export async function render({ params }) {
  const city = session.jurisdiction || params.get("city") || "";
  const items = await all("/api/v1/catalog/items" + (city ? "?jurisdiction=" + encodeURIComponent(city) : ""));
  const q = (params.get("q") || "").trim().toLowerCase();
  const shown = items.filter((it) => !q || it.title.toLowerCase().includes(q) || it.id.toLowerCase().includes(q));
  const search = h("form", { class: "filters", id: "search", onsubmit: (e) => {
    e.preventDefault();
    location.hash = "#/catalog?q=" + encodeURIComponent(e.target.q.value);
  } }, h("label", {}, t("catalog.search"), h("input", { name: "q", type: "search", value: params.get("q") || "" })),
  h("button", { type: "submit" }, t("catalog.search_button")));
  const own = (it) => session.role === "department" && it.provider_dept === session.dept;
  const further = new Map();
  if (session.role === "department") for (const it of shown) if (!own(it)) further.set(it.id, await itemActions(it));
  const actions = (it) => {
    const a = [];
    // Weifang 第二十四条第二款: the authority converts qualifying data.
    if (session.role === "authority" && session.jurisdiction === "weifang" && it.open_type !== "unconditional") {
      a.push(["#/file/conversion?item=" + encodeURIComponent(it.id), "catalog.action.convert", "convert"]);
    }
    if (session.role !== "department") return a.map(([href, key, name]) => h("a", { href, class: "action", "data-action": name }, t(key)));
    if (!own(it) && it.share_type !== "not_shared") a.push(["#/file/share?item=" + encodeURIComponent(it.id), "catalog.action.share", "share"]);
    a.push(...(further.get(it.id) || []));
    if (own(it)) {
      a.push(["#/file/change?op=modify&item=" + encodeURIComponent(it.id), "catalog.action.modify", "modify"]);
      a.push(["#/file/classification?item=" + encodeURIComponent(it.id), "catalog.action.classify", "classify"]);
      a.push(["#/file/adjustment?item=" + encodeURIComponent(it.id), "catalog.action.adjust", "adjust"]);
      // Leshan 第二十二条: an item opens only through the review before opening.
      if (session.jurisdiction === "leshan") a.push(["#/file/opening?item=" + encodeURIComponent(it.id), "catalog.action.open", "open"]);
    }
    return a.map(([href, key, name]) => h("a", { href, class: "action", "data-action": name }, t(key)));
  };
  const rows = shown.map((it) => h("tr", { "data-item": it.id },
    h("td", { "data-label": t("catalog.col.title") }, h("strong", {}, it.title), h("div", { class: "muted" }, `${it.id} · v${it.version}`)),
    h("td", { "data-label": t("catalog.col.provider") }, it.provider_dept),
    h("td", { "data-label": t("catalog.col.share") }, tOr("share_type." + it.share_type, it.share_type)),
    h("td", { "data-label": t("catalog.col.open") }, tOr("open_type." + it.open_type, it.open_type)),
    h("td", { "data-label": t("catalog.col.items") }, (it.data_items || []).join("、")),
    h("td", { "data-label": "" }, actions(it))));
  const add = session.role === "department"
    ? h("p", {}, h("a", { href: "#/file/change?op=add", class: "action", id: "add-item" }, t("catalog.action.add")))
    : null;
  return h("div", {}, h("h1", {}, t("catalog.title"), city ? ` · ${t("city." + city)}` : ""), search, add,
    rows.length ? h("table", { class: "list", id: "catalog" },
      h("thead", {}, h("tr", {}, ["title", "provider", "share", "open", "items"].map((c) => h("th", {}, t("catalog.col." + c))), h("th", {}))),
      h("tbody", {}, rows)) : h("p", { class: "muted", id: "catalog-empty" }, t("catalog.empty")));
}
