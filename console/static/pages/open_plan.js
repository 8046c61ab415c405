// The city's yearly open plan (xiamen 第二十五条: the authority sets it with
// the departments, livelihood data first, and publishes it), public: GET
// /api/v1/open-plans compiled from the departments' confirmed plan lists,
// each planned item tracked against what was actually opened.
import { api, h, t, tOr, fmtTime, today, showProblem, ProblemError } from "../app.js";

export async function render({ params }) {
  const city = params.get("jurisdiction") || "xiamen";
  const year = params.get("year") || today().slice(0, 4);
  const form = h("form", { class: "card filters", id: "plan-filters", novalidate: true },
    h("label", {}, t("evaluation.filter.jurisdiction"), h("input", { name: "jurisdiction", value: city }), h("div", { class: "error", "data-error-for": "jurisdiction" })),
    h("label", {}, t("evaluation.filter.year"), h("input", { name: "year", type: "number", value: year }), h("div", { class: "error", "data-error-for": "year" })),
    h("div", { class: "error", "data-error-for": "" }),
    h("button", { type: "submit", class: "primary" }, t("report.show")));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    location.hash = `#/open-plan?jurisdiction=${encodeURIComponent(form.elements.jurisdiction.value)}&year=${encodeURIComponent(form.elements.year.value)}`;
  });
  const page = h("div", {}, h("h1", {}, t("plan.title")), form);
  let plan;
  try {
    plan = await api("GET", `/api/v1/open-plans?jurisdiction=${encodeURIComponent(city)}&year=${encodeURIComponent(year)}`);
  } catch (err) {
    if (!(err instanceof ProblemError) || (err.status !== 400 && err.status !== 422)) throw err;
    showProblem(form, err);
    return page;
  }
  page.append(h("p", { class: "muted", id: "plan-basis" }, [plan.article, plan.priority_article].filter(Boolean).join(" · "), plan.note ? " · " + plan.note : ""),
    h("p", { id: "plan-counts", "data-planned": plan.counts.planned, "data-opened": plan.counts.opened },
      t("plan.counts", { planned: plan.counts.planned, opened: plan.counts.opened, not_yet: plan.counts.not_yet })));
  if (!plan.items.length) {
    page.append(h("p", { class: "muted", id: "plan-empty" }, t("plan.empty")));
    return page;
  }
  page.append(h("table", { class: "list", id: "plan" },
    h("thead", {}, h("tr", {}, ["plan.col.item", "catalog.col.provider", "plan.col.priority", "plan.col.opened"].map((k) => h("th", {}, t(k))))),
    h("tbody", {}, plan.items.map((it) => h("tr", { "data-item": it.item_id, class: it.opened ? null : "late" },
      h("td", { "data-label": t("plan.col.item") }, h("strong", {}, it.title || it.item_id), h("div", { class: "muted" }, it.item_id)),
      h("td", { "data-label": t("catalog.col.provider") }, it.provider_dept),
      h("td", { "data-label": t("plan.col.priority") }, it.priority ? t("plan.priority") : ""),
      h("td", { "data-label": t("plan.col.opened") }, it.opened
        ? `${tOr("open_type." + it.open_type, it.open_type)} · v${it.opened_version}${it.opened_at ? " · " + fmtTime(it.opened_at) : ""}`
        : (it.removed ? t("plan.removed") : t("plan.not_yet"))))))));
  return page;
}
