// The caller's own procedures and their status: every list the API scopes
// to the caller (a department's filings, an applicant's applications).
import { all, h, t, tOr, fmtTime, session } from "../app.js";

// lists: which procedures each role files, and where the API lists them.
const lists = {
  department: [["share_request", "/api/v1/share-requests"], ["catalog_change", "/api/v1/catalog/changes"],
    ["classification", "/api/v1/classifications"], ["temporary_adjustment", "/api/v1/temporary-adjustments"], ["dispute", "/api/v1/disputes"],
    ["purchase", "/api/v1/purchases"], ["authority_approval", "/api/v1/authority-approvals"], ["data_conflict", "/api/v1/data-conflicts"],
    ["yearly_list", "/api/v1/yearly-lists"], ["opening_review", "/api/v1/opening-reviews"]],
  authority: [["open_conversion", "/api/v1/open-conversions"]],
  applicant: [["open_application", "/api/v1/open-applications"], ["objection", "/api/v1/objections"]],
};

export async function render() {
  const mine = lists[session.role] || [];
  const rows = [];
  for (const [procedure, path] of mine) {
    for (const r of await all(path)) rows.push({ procedure, ...r });
  }
  const when = (r) => r.filed_at || r.submitted_at || r.created_at || "";
  rows.sort((a, b) => String(when(b)).localeCompare(String(when(a))));
  const body = rows.map((r) => h("tr", { "data-record": r.id },
    h("td", { "data-label": t("inbox.col.task") }, h("a", { href: `#/records/${r.procedure}/${encodeURIComponent(r.id)}` }, tOr("procedure." + r.procedure, r.procedure)),
      h("div", { class: "muted" }, r.id)),
    h("td", { "data-label": t("field.status") }, h("span", { class: "badge", "data-status": r.status }, tOr("status." + r.status, r.status))),
    h("td", { "data-label": t("field.filed_at") }, fmtTime(when(r)))));
  return h("div", {}, h("h1", {}, t("mine.title")),
    body.length ? h("table", { class: "list", id: "mine" }, h("thead", {}, h("tr", {}, ["inbox.col.task", "field.status", "field.filed_at"].map((k) => h("th", {}, t(k))))), h("tbody", {}, body))
      : h("p", { class: "muted", id: "mine-empty" }, t("mine.empty")));
}
