// The auditor's search: procedures of every kind (GET /api/v1/procedures) by
// city, kind, status, department and filing dates, from Temporal's
// visibility and then the archive; the filters live in the hash's query so a
// search can be bookmarked, and the API's 400 is shown beside the field it
// names. Each procedure links to its timeline (pages/audit_timeline.js).
import { api, h, t, tOr, fmtTime, fmtDue, showProblem, ProblemError } from "../app.js";
import { procedures } from "./procedures.js";

/** dueAt shows a due instant: as 24:00 of its due date when it is a Beijing midnight (fmtDue). */
export function dueAt(iso) {
  if (!iso) return "";
  const ms = Date.parse(iso);
  const bj = new Date(ms + 8 * 3600e3); // Beijing wall time, read in UTC
  if (bj.getUTCHours() || bj.getUTCMinutes() || bj.getUTCSeconds()) return fmtTime(iso);
  return fmtDue(new Date(ms + 8 * 3600e3 - 864e5).toISOString().slice(0, 10), iso);
}

const cities = ["wuhan", "weifang", "changsha", "xiamen", "leshan"];
const filters = ["jurisdiction", "procedure", "status", "dept", "overdue", "from", "to"];

export async function render({ params }) {
  const names = Object.keys(await procedures());
  const f = Object.fromEntries(filters.map((k) => [k, params.get(k) || ""]));
  const form = h("form", { class: "card filters", id: "search", novalidate: true });
  const field = (name, input) => h("label", {}, t("audit.filter." + name), input, h("div", { class: "error", "data-error-for": name }));
  const choose = (name, values, prefix) => h("select", { name },
    h("option", { value: "" }, t("inbox.filter.all")),
    values.map((v) => h("option", { value: v, selected: v === f[name] }, tOr(prefix + v, v))));
  form.append(
    field("jurisdiction", choose("jurisdiction", cities, "city.")),
    field("procedure", choose("procedure", names, "procedure.")),
    field("status", h("input", { name: "status", value: f.status, placeholder: "pending" })),
    field("dept", h("input", { name: "dept", value: f.dept, placeholder: "WH-RS" })),
    field("overdue", choose("overdue", ["true", "false"], "audit.overdue.")),
    field("from", h("input", { type: "date", name: "from", value: f.from })),
    field("to", h("input", { type: "date", name: "to", value: f.to })),
    h("div", { class: "error", "data-error-for": "" }),
    h("button", { type: "submit", class: "primary", id: "search-submit" }, t("audit.search")));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const k of filters) { const v = form.elements[k].value.trim(); if (v) q.set(k, v); }
    location.hash = "#/audit?" + q;
  });

  const q = new URLSearchParams();
  for (const k of filters) if (f[k]) q.set(k, f[k]);
  const results = h("div", { id: "results" });
  const page = h("div", {}, h("h1", {}, t("audit.title")), form, results);
  let items = [];
  try {
    let token = "";
    do { // up to 500 procedures; the filters narrow further
      const p = await api("GET", `/api/v1/procedures?${q}${q.size ? "&" : ""}page_size=100${token ? "&page_token=" + token : ""}`);
      items.push(...p.items);
      token = p.next_page_token;
    } while (token && items.length < 500);
  } catch (err) {
    if (!(err instanceof ProblemError) || err.status !== 400) throw err;
    showProblem(form, err);
    return page;
  }
  if (!items.length) {
    results.append(h("p", { class: "muted", id: "results-empty" }, t("audit.empty")));
    return page;
  }
  const rows = items.map((p) => h("tr", { "data-procedure": p.id, class: p.overdue ? "overdue" : null },
    h("td", { "data-label": t("audit.col.id") }, h("a", { href: "#/audit/procedures/" + encodeURIComponent(p.id) }, p.id)),
    h("td", { "data-label": t("audit.col.procedure") }, tOr("procedure." + p.procedure, p.procedure)),
    h("td", { "data-label": t("audit.col.city") }, tOr("city." + p.jurisdiction, p.jurisdiction)),
    h("td", { "data-label": t("audit.col.status") }, p.approval_status, p.overdue ? h("span", { class: "badge overdue" }, t("inbox.overdue")) : null),
    h("td", { "data-label": t("audit.col.depts") }, [p.requester_dept, p.provider_dept].filter(Boolean).join(" → ")),
    h("td", { "data-label": t("audit.col.started") }, fmtTime(p.started_at)),
    h("td", { "data-label": t("audit.col.due") }, dueAt(p.due_at)),
    h("td", { "data-label": t("audit.col.source") }, t("audit.source." + p.source))));
  results.append(h("p", { class: "muted", "data-count": items.length }, t("audit.found", { n: items.length })),
    h("table", { class: "list", id: "procedures" },
      h("thead", {}, h("tr", {}, ["id", "procedure", "city", "status", "depts", "started", "due", "source"].map((c) => h("th", {}, t("audit.col." + c))))),
      h("tbody", {}, rows)));
  return page;
}
