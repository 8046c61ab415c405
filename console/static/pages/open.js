// The applicant's pages: the open catalog of a city, the open-data
// application with the fields the city's profile requires
// (GET /api/v1/regulations: open_application.required_fields, demand
// applications in weifang), its resubmission after a return, the use
// agreement (leshan), and an objection with evidence.
import { all, api, h, t, tOr, session, upload } from "../app.js";
import { form } from "./form.js";

export const cities = ["wuhan", "weifang", "changsha", "xiamen", "leshan"];

async function profile(city) {
  const { items } = await api("GET", "/api/v1/regulations");
  return (items.find((p) => p.city === city) || {}).open_application || {};
}

function cityOf(params) {
  const c = params.get("city") || session.jurisdiction || "wuhan";
  return cities.includes(c) ? c : "wuhan";
}

/** render is the open catalog: the items a city opens, and what may be done with each. */
export async function render({ params }) {
  const city = cityOf(params);
  const rule = await profile(city);
  const items = (await all("/api/v1/catalog/items?jurisdiction=" + city)).filter((it) => it.open_type !== "not_open");
  const pick = h("div", { class: "filters" }, h("label", {}, t("inbox.filter.city"),
    h("select", { name: "city", onchange: (e) => { location.hash = "#/open?city=" + e.target.value; } },
      cities.map((c) => h("option", { value: c, selected: c === city }, t("city." + c))))));
  const rows = items.map((it) => h("tr", { "data-item": it.id },
    h("td", { "data-label": t("catalog.col.title") }, h("strong", {}, it.title), h("div", { class: "muted" }, it.id)),
    h("td", { "data-label": t("catalog.col.open") }, tOr("open_type." + it.open_type, it.open_type)),
    h("td", { "data-label": t("catalog.col.items") }, (it.data_items || []).join("、")),
    h("td", {},
      it.open_type === "conditional"
        ? h("a", { class: "action", "data-action": "apply", href: `#/apply?city=${city}&item=${encodeURIComponent(it.id)}` }, t("open.apply"))
        : h("span", { class: "muted" }, t("open.no_application")),
      " ", h("a", { class: "action", "data-action": "object", href: `#/object?city=${city}&item=${encodeURIComponent(it.id)}` }, t("open.object")))));
  return h("div", {}, h("h1", {}, t("open.title")), pick,
    rule.demand_applications ? h("p", {}, h("a", { class: "action", id: "demand", href: `#/apply?city=${city}&demand=1` }, t("open.demand"))) : null,
    rows.length ? h("table", { class: "list", id: "open-catalog" }, h("tbody", {}, rows)) : h("p", { class: "muted" }, t("catalog.empty")));
}

// The fields every application states, and those a city may require.
function openFields(rule, v = {}) {
  const req = rule.required_fields || [];
  const fields = [
    { name: "scenario", label: "field.scenario", required: true, value: v.scenario },
    { name: "data_scope", label: "field.data_scope", kind: "textarea", required: true, value: v.data_scope },
    { name: "delivery", label: "field.delivery", kind: "select", options: ["download", "api", "sandbox", "verification"], optionKey: "delivery.", value: v.delivery },
    { name: "period_of_use.from", label: "field.period_from", kind: "date", required: true, value: v.period_from },
    { name: "period_of_use.to", label: "field.period_to", kind: "date", required: true, value: v.period_to },
  ];
  for (const f of ["safety_measures", "capabilities"]) {
    if (req.includes(f)) fields.push({ name: f, label: "field." + f, kind: "textarea", required: true, value: v[f] });
  }
  return fields;
}

function openBody(v) {
  const out = { scenario: v.scenario || "", data_scope: v.data_scope || "", delivery: v.delivery || "",
    period_of_use: { from: v["period_of_use.from"] || "", to: v["period_of_use.to"] || "" } };
  for (const f of ["safety_measures", "capabilities"]) if (v[f] !== undefined) out[f] = v[f];
  return out;
}

/** apply is the open-data application form of a city. */
export async function apply({ params }) {
  const city = cityOf(params);
  const rule = await profile(city);
  const demand = params.get("demand") === "1";
  const item = demand ? null : await api("GET", "/api/v1/catalog/items/" + encodeURIComponent(params.get("item")));
  const fields = [
    { name: "applicant.name", label: "field.applicant_name", required: true },
    { name: "applicant.kind", label: "field.applicant_kind", kind: "select", options: ["person", "company", "organisation"], optionKey: "applicant_kind." },
    { name: "applicant.credit_code", label: "field.credit_code" },
  ];
  if (demand) {
    fields.push({ name: "demand", label: "field.demand", kind: "textarea", required: true });
    // weifang 第二十五条, changsha 第十二条: the department holding the data handles the demand.
    fields.push({ name: "provider_dept", label: "field.demand_dept", hint: "field.demand_dept_hint", required: true });
  }
  // The item's conditions of use (leshan 第二十五条第二款, xiamen 第二十四条): how the applicant meets each.
  for (const c of (item && item.open_conditions) || []) {
    fields.push({ name: "conditions_met." + c.kind, label: c.requirement, hint: "field.condition_met_hint", kind: "textarea", required: true, errorFor: "conditions_met." + c.kind });
  }
  fields.push(...openFields(rule));
  return h("div", {},
    rule.fields_article ? h("p", { class: "muted" }, t("open.fields_article", { article: rule.fields_article })) : null,
    form({
      id: "apply", title: `${t("open.apply")} · ${t("city." + city)}${item ? " · " + item.title : ""}`, fields, path: "/api/v1/open-applications",
      body: (v) => ({ jurisdiction: city, catalog_item_id: item ? item.id : "", ...(demand ? { demand: v.demand || "", provider_dept: v.provider_dept || "" } : {}),
        ...(item && (item.open_conditions || []).length ? { conditions_met: Object.fromEntries(item.open_conditions.map((c) => [c.kind, v["conditions_met." + c.kind] || ""])) } : {}),
        applicant: { name: v["applicant.name"] || "", kind: v["applicant.kind"] || "", credit_code: v["applicant.credit_code"] || "" }, ...openBody(v) }),
      done: (r) => { location.hash = "#/records/open_application/" + encodeURIComponent(r.id); },
    }));
}

/** resubmit is the amended application after a return, prefilled. */
export async function resubmit({ params }) {
  const id = params.get("id");
  const rec = await api("GET", "/api/v1/open-applications/" + encodeURIComponent(id));
  const rule = await profile(rec.jurisdiction);
  return h("div", {},
    rec.return_reason ? h("p", { class: "notice bad", id: "return-reason" }, t("open.returned", { reason: rec.return_reason })) : null,
    form({
      id: "resubmit", title: `${t("record.resubmit")} · ${rec.id}`, fields: openFields(rule, rec), path: `/api/v1/open-applications/${encodeURIComponent(id)}/resubmit`,
      body: openBody, done: () => { location.hash = "#/records/open_application/" + encodeURIComponent(id); },
    }));
}

/** object is an objection to an open item, with evidence files uploaded first. */
export async function object({ params }) {
  const city = cityOf(params);
  const item = await api("GET", "/api/v1/catalog/items/" + encodeURIComponent(params.get("item")));
  const fields = [
    { name: "kind", label: "field.objection_kind", kind: "select", options: ["error", "omission", "infringement", "own_data_inaccurate", "misuse_report", "open_data_doubt"], optionKey: "objection_kind." },
    { name: "description", label: "field.description", kind: "textarea", required: true },
    { name: "file", label: "field.evidence", kind: "file", hint: "open.evidence_types" },
  ];
  return form({
    id: "object", title: `${t("open.object")} · ${item.title}`, fields, path: "/api/v1/objections",
    body: async (v, el) => {
      const evidence = [];
      for (const f of el.querySelector('input[type="file"]').files) evidence.push((await upload("/api/v1/evidence", f)).id);
      return { jurisdiction: city, catalog_item_id: item.id, kind: v.kind, description: v.description || "", evidence };
    },
    done: (r) => { location.hash = "#/records/objection/" + encodeURIComponent(r.id); },
  });
}

/** agreement is the use agreement an approved application awaits (leshan): every clause accepted. */
export async function agreement(rec) {
  const rule = await profile(rec.jurisdiction);
  const clauses = rule.agreement_clauses || [];
  const el = form({
    id: "agreement", title: t("open.agreement", { article: rule.agreement_article || "" }), submitLabel: "open.accept",
    fields: [{ name: "accept_clauses", label: "field.accept_clauses", kind: "checks", options: clauses.map((c) => c.key) }],
    path: `/api/v1/open-applications/${encodeURIComponent(rec.id)}/agreement`, body: (v) => v,
    done: () => { location.reload(); },
  });
  // The clauses' texts beside their keys.
  for (const c of clauses) {
    const box = el.querySelector(`input[value="${CSS.escape(c.key)}"]`);
    if (box) box.parentElement.append(" ", h("span", { class: "muted" }, c.text));
  }
  return el;
}
