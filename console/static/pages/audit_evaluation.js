// The yearly evaluation of departments (GET /api/v1/reports/evaluation): per
// department and year, what the procedures themselves show — share requests
// answered on time, catalog updates done on time, objections handled, overdue
// and supervised work — with the city's evaluation article. Charts: the
// on-time rate per department, and per department by month; each chart has
// its numbers in a table beside it; CSV through the API's format=csv.
import { api, h, t, tOr, fmtTime, today, showProblem, ProblemError } from "../app.js";
import { barChart, lineChart, pct } from "../charts.js";

const cities = ["wuhan", "weifang", "changsha", "xiamen", "leshan"];
const filters = ["jurisdiction", "year", "department"];

/** due counts the work that fell due: decided, deemed, or open past its time. */
const due = (w) => w.completed_on_time + w.late + (w.still_overdue || 0) + w.deemed_outcomes;

/** onTime is the on-time share of the works that fell due, or null. */
export function onTime(works) {
  let ok = 0, n = 0;
  for (const w of works) { ok += w.completed_on_time; n += due(w); }
  return n ? ok / n : null;
}

function smallTable(head, rows) {
  return h("table", { class: "list" }, h("thead", {}, h("tr", {}, head.map((c) => h("th", {}, c)))),
    h("tbody", {}, rows.map((r) => h("tr", {}, r.map((c) => h("td", {}, c))))));
}

const count = (w) => `${w.completed_on_time} / ${due(w)}`;

export async function render({ params }) {
  const f = Object.fromEntries(filters.map((k) => [k, params.get(k) || ""]));
  if (!f.year) f.year = today().slice(0, 4);
  if (!f.jurisdiction) f.jurisdiction = "wuhan";
  const form = h("form", { class: "card filters", id: "evaluation-filters", novalidate: true });
  const field = (name, input) => h("label", {}, t("evaluation.filter." + name), input, h("div", { class: "error", "data-error-for": name }));
  form.append(
    field("jurisdiction", h("select", { name: "jurisdiction" }, cities.map((v) => h("option", { value: v, selected: v === f.jurisdiction }, tOr("city." + v, v))))),
    field("year", h("input", { type: "number", name: "year", value: f.year, min: 2000, max: 2100 })),
    field("department", h("input", { type: "text", name: "department", value: f.department })),
    h("div", { class: "error", "data-error-for": "" }),
    h("button", { type: "submit", class: "primary" }, t("report.show")));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const k of filters) { const v = form.elements[k].value.trim(); if (v) q.set(k, v); }
    location.hash = "#/reports/evaluation?" + q;
  });
  const page = h("div", {}, h("h1", {}, t("evaluation.title")), form);
  const q = new URLSearchParams();
  for (const k of filters) if (f[k]) q.set(k, f[k]);
  let rep;
  try {
    rep = await api("GET", `/api/v1/reports/evaluation?${q}`);
  } catch (err) {
    if (!(err instanceof ProblemError) || (err.status !== 400 && err.status !== 422)) throw err;
    showProblem(form, err);
    return page;
  }
  page.append(h("p", { class: "muted", id: "evaluation-basis" }, rep.article || rep.document,
    rep.note ? " · " + rep.note : "", " · ", t("report.as_of", { at: fmtTime(rep.as_of.utc) }), " · ",
    h("a", { href: `/api/v1/reports/evaluation?${q}&format=csv`, download: `evaluation-${rep.jurisdiction}-${rep.year}.csv`, id: "evaluation-csv" }, t("report.csv"))));
  if (!rep.rows.length) {
    page.append(h("p", { class: "muted", id: "evaluation-empty" }, t("evaluation.empty")));
    return page;
  }

  // On-time rate per department, over the three kinds of work the texts name.
  const works = (r) => [r.share_requests, r.catalog_updates, r.objections];
  const byDept = rep.rows.map((r) => ({ label: r.department, value: onTime(works(r)), row: r }));
  page.append(barChart({
    id: "chart-evaluation-dept", title: t("evaluation.chart.dept"), items: byDept,
    table: smallTable([t("report.col.department"), t("report.col.due"), t("report.col.rate")],
      byDept.map((d) => [d.label, works(d.row).reduce((n, w) => n + due(w), 0), pct(d.value)])),
  }));

  // Per department by month.
  const months = Array.from({ length: 12 }, (_, i) => String(i + 1));
  const series = rep.rows.map((r) => ({
    label: r.department,
    values: months.map((_, i) => { const m = r.months.find((x) => x.month === i + 1); return m ? onTime([m]) : null; }),
  }));
  page.append(lineChart({
    id: "chart-evaluation-month", title: t("evaluation.chart.month"), categories: months, series,
    table: smallTable([t("report.col.department"), ...months], series.map((s) => [s.label, ...s.values.map(pct)])),
  }));

  // The evaluation itself.
  const cols = ["department", "share_requests", "catalog_updates", "objections", "overdue", "supervised"];
  page.append(h("h2", {}, t("report.table")), h("table", { class: "list", id: "evaluation" },
    h("thead", {}, h("tr", {}, cols.map((c) => h("th", {}, t("evaluation.col." + c))))),
    h("tbody", {}, rep.rows.map((r) => {
      const cells = {
        department: r.department, share_requests: count(r.share_requests), catalog_updates: count(r.catalog_updates),
        objections: count(r.objections), overdue: r.overdue ? `${r.overdue} · ${r.overdue_article}` : "0", supervised: r.supervised,
      };
      return h("tr", { "data-row": r.department, class: r.overdue ? "late" : null },
        cols.map((c) => h("td", { "data-label": t("evaluation.col." + c) }, cells[c])));
    }))));
  return page;
}
