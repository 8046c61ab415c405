// The caller's own procedures and their status: every list the API scopes
// to the caller (a department's filings, an applicant's applications).
import { all, h, t, tOr, fmtTime, session } from "../app.js";
import { procedureKinds } from "./procedures.js";

export async function render() {
  // the procedures the caller's role files (the server's descriptors), each
  // list as the API scopes it to the caller
  const mine = (await procedureKinds()).filter((k) => k.file.includes(session.role));
  const rows = [];
  for (const k of mine) {
    for (const r of await all(k.route)) rows.push({ procedure: k.name, ...r });
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
