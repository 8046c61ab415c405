// The deadline report (GET /api/v1/reports/deadlines) as a table and as
// charts: the on-time rate per department, and per procedure by month
// (group=month). The on-time rate is the share of the tasks that fell due
// (decided, deemed on silence, or open past the due time) that a person
// decided by the due time; a department with none has no rate. Each chart
// has its numbers in a table beside it; CSV through the API's format=csv.
import { api, h, t, tOr, fmtTime, showProblem, ProblemError } from "../app.js";
import { procedures } from "./procedures.js";
import { barChart, lineChart, pct } from "../charts.js";

const cities = ["wuhan", "weifang", "changsha", "xiamen", "leshan"];
const filters = ["jurisdiction", "procedure", "from", "to"];

/** rate is the on-time share of the rows' tasks that fell due, or null. */
export function rate(rows) {
  let ok = 0, due = 0;
  for (const r of rows) {
    ok += r.completed_on_time;
    due += r.completed_on_time + r.late + r.still_overdue + r.deemed_outcomes;
  }
  return due ? ok / due : null;
}

function groupBy(rows, key) {
  const m = new Map();
  for (const r of rows) { const k = key(r); if (!m.has(k)) m.set(k, []); m.get(k).push(r); }
  return m;
}

function smallTable(head, rows) {
  return h("table", { class: "list" }, h("thead", {}, h("tr", {}, head.map((c) => h("th", {}, c)))),
    h("tbody", {}, rows.map((r) => h("tr", {}, r.map((c) => h("td", {}, c))))));
}

export async function render({ params }) {
  const names = Object.keys(await procedures());
  const f = Object.fromEntries(filters.map((k) => [k, params.get(k) || ""]));
  const form = h("form", { class: "card filters", id: "report-filters", novalidate: true });
  const field = (name, input) => h("label", {}, t("audit.filter." + name), input, h("div", { class: "error", "data-error-for": name }));
  const choose = (name, values, prefix) => h("select", { name },
    h("option", { value: "" }, t("inbox.filter.all")),
    values.map((v) => h("option", { value: v, selected: v === f[name] }, tOr(prefix + v, v))));
  form.append(field("jurisdiction", choose("jurisdiction", cities, "city.")),
    field("procedure", choose("procedure", names, "procedure.")),
    field("from", h("input", { type: "date", name: "from", value: f.from })),
    field("to", h("input", { type: "date", name: "to", value: f.to })),
    h("div", { class: "error", "data-error-for": "" }),
    h("button", { type: "submit", class: "primary" }, t("report.show")));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const k of filters) { const v = form.elements[k].value; if (v) q.set(k, v); }
    location.hash = "#/reports/deadlines?" + q;
  });
  const q = new URLSearchParams();
  for (const k of filters) if (f[k]) q.set(k, f[k]);
  const page = h("div", {}, h("h1", {}, t("report.title")), form);
  let plain, monthly;
  try {
    [plain, monthly] = await Promise.all([
      api("GET", `/api/v1/reports/deadlines?${q}`),
      api("GET", `/api/v1/reports/deadlines?${q}${q.size ? "&" : ""}group=month`)]);
  } catch (err) {
    if (!(err instanceof ProblemError) || err.status !== 400) throw err;
    showProblem(form, err);
    return page;
  }
  page.append(h("p", { class: "muted" }, t("report.as_of", { at: fmtTime(plain.as_of.utc) }), " · ",
    h("a", { href: `/api/v1/reports/deadlines?${q}${q.size ? "&" : ""}format=csv`, download: "deadlines.csv", id: "report-csv" }, t("report.csv"))));
  if (!plain.rows.length) {
    page.append(h("p", { class: "muted", id: "report-empty" }, t("report.empty")));
    return page;
  }

  // Per department.
  const byDept = [...groupBy(plain.rows, (r) => r.department)].map(([d, rs]) => ({ label: d, value: rate(rs), rows: rs }));
  page.append(barChart({
    id: "chart-dept", title: t("report.chart.dept"), items: byDept,
    table: smallTable([t("report.col.department"), t("report.col.due"), t("report.col.rate")],
      byDept.map((d) => [d.label, d.rows.reduce((n, r) => n + r.completed_on_time + r.late + r.still_overdue + r.deemed_outcomes, 0), pct(d.value)])),
  }));

  // Per procedure over time.
  const months = [...new Set(monthly.rows.map((r) => r.month))].sort();
  const byProc = [...groupBy(monthly.rows, (r) => r.procedure)].map(([p, rs]) => {
    const perMonth = groupBy(rs, (r) => r.month);
    return { label: tOr("procedure." + p, p), values: months.map((m) => (perMonth.has(m) ? rate(perMonth.get(m)) : null)) };
  });
  page.append(lineChart({
    id: "chart-month", title: t("report.chart.month"), categories: months, series: byProc,
    table: smallTable([t("report.col.procedure"), ...months], byProc.map((s) => [s.label, ...s.values.map(pct)])),
  }));

  // The report itself.
  const cols = ["jurisdiction", "department", "procedure", "article", "filed", "completed_on_time", "late", "still_overdue", "deemed_outcomes", "open", "median", "rate"];
  page.append(h("h2", {}, t("report.table")), h("table", { class: "list", id: "report" },
    h("thead", {}, h("tr", {}, cols.map((c) => h("th", {}, t("report.col." + c))))),
    h("tbody", {}, plain.rows.map((r) => {
      const cells = {
        jurisdiction: tOr("city." + r.jurisdiction, r.jurisdiction), department: r.department, procedure: tOr("procedure." + r.procedure, r.procedure),
        article: [r.article, r.statutory ? t("report.statutory") : t("report.service_level")].filter(Boolean).join(" · "),
        filed: r.filed, completed_on_time: r.completed_on_time, late: r.late, still_overdue: r.still_overdue,
        deemed_outcomes: r.deemed_outcomes, open: r.open, median: r.median_working_days_used ?? "–", rate: pct(rate([r])),
      };
      return h("tr", { "data-row": `${r.department} ${r.procedure}`, class: r.late + r.still_overdue ? "late" : null },
        cols.map((c) => h("td", { "data-label": t("report.col." + c) }, cells[c])));
    }))));
  return page;
}
