// The further procedures a department files with the authority (其他事项):
// buying data, the authority approvals (sharing off the platform, authorised
// operation, data that cannot be aggregated), conflicting data and the yearly
// lists — each only where the city's text provides it, read from the city's
// profile (GET /api/v1/regulations). The forms are registered with file.js;
// the server checks everything and names the field at fault.
import { api, h, t, tOr, session, today } from "../app.js";
import { register } from "./file.js";

/** profile is the caller's city's profile in force, or null (read once a page). */
let profiles = null;
async function profile() {
  if (!profiles) profiles = api("GET", "/api/v1/regulations").catch((err) => { profiles = null; throw err; });
  const r = await profiles;
  return (r.items || []).find((p) => p.city === session.jurisdiction) || null;
}

/** offered lists what the city's text lets a department file: [hash, label key, data-action]. */
export function offered(p) {
  const out = [];
  if (!p) return out;
  if (p.purchase) {
    out.push(["#/file/purchase?kind=data", "more.purchase.data", "purchase-data"]);
    if (p.purchase.services_article) out.push(["#/file/purchase?kind=service", "more.purchase.service", "purchase-service"]);
  }
  for (const kind of Object.keys(p.approvals || {})) out.push([`#/file/approval?kind=${kind}`, "approval_kind." + kind, "approval-" + kind]);
  if (p.data_conflict) out.push(["#/file/conflict", "more.data_conflict", "conflict"]);
  for (const kind of p.yearly_lists?.kinds || []) out.push([`#/file/yearly_list?kind=${kind}`, "list_kind." + kind, "list-" + kind]);
  return out;
}

export async function render() {
  const p = await profile();
  const links = offered(p).map(([href, key, name]) => h("li", {}, h("a", { href, class: "action", "data-action": name }, tOr(key, name))));
  return h("div", {}, h("h1", {}, t("more.title")),
    h("p", { class: "muted" }, t("more.intro", { city: tOr("city." + session.jurisdiction, session.jurisdiction) })),
    links.length ? h("ul", { id: "more", class: "actions" }, links) : h("p", { class: "muted", id: "more-empty" }, t("more.empty")));
}

register("purchase", async (params) => {
  const kind = params.get("kind") === "service" ? "service" : "data";
  return {
    title: t(kind === "service" ? "more.purchase.service" : "more.purchase.data"),
    fields: [
      { name: "title", label: "field.title", required: true },
      { name: "supplier", label: "field.supplier", required: true },
      { name: "purpose", label: "field.purpose", kind: "textarea", required: true },
      { name: "data_items", label: "field.data_items", kind: "list", hint: "form.one_a_line" },
    ],
    path: "/api/v1/purchases",
    body: (v) => ({ kind, ...v, data_items: v.data_items || [] }),
    procedure: "purchase",
  };
});

register("approval", async (params) => {
  const kind = params.get("kind") || "";
  const rule = (await profile())?.approvals?.[kind];
  const fields = [
    { name: "title", label: "field.title", required: true },
    { name: "description", label: "field.description", kind: "textarea", required: true },
  ];
  const required = rule?.required || [];
  if (required.includes("recipient") || kind === "off_platform_sharing" || kind === "authorised_operation") fields.push({ name: "recipient", label: "field.recipient", required: required.includes("recipient") });
  if (required.includes("plan") || kind === "authorised_operation") fields.push({ name: "plan", label: "field.plan", kind: "textarea", required: required.includes("plan") });
  if (required.includes("legal_basis") || kind === "non_aggregable") fields.push({ name: "legal_basis", label: "field.legal_basis", required: required.includes("legal_basis") });
  const conditions = rule?.entry_conditions || [];
  if (conditions.length) {
    fields.push({ name: "entry_conditions", label: "field.entry_conditions", kind: "checks", options: conditions.map((c) => c.key), optionLabels: Object.fromEntries(conditions.map((c) => [c.key, c.text])) });
  }
  return {
    title: `${tOr("approval_kind." + kind, kind)}${rule?.article ? " · " + rule.article : ""}`,
    fields,
    path: "/api/v1/authority-approvals",
    body: (v) => ({ kind, ...v, entry_conditions: v.entry_conditions || [] }),
    procedure: "authority_approval",
  };
});

register("conflict", async () => ({
  title: t("more.data_conflict"),
  fields: [
    { name: "catalog_item_id", label: "field.catalog_item_id", required: true },
    { name: "other_item_id", label: "field.other_item_id", required: true },
    { name: "description", label: "field.description", kind: "textarea", required: true },
  ],
  path: "/api/v1/data-conflicts",
  body: (v) => v,
  procedure: "data_conflict",
}));

register("yearly_list", async (params) => {
  const kind = params.get("kind") || "";
  return {
    title: tOr("list_kind." + kind, kind),
    fields: [
      { name: "year", label: "field.year", value: today().slice(0, 4), required: true },
      { name: "entries", label: "field.entries", kind: "list", hint: "form.one_a_line", required: true },
      // xiamen 第二十五条: livelihood data is planned first.
      ...(kind === "open_plan" ? [{ name: "priority", label: "field.priority", kind: "list", hint: "form.one_a_line" }] : []),
    ],
    path: "/api/v1/yearly-lists",
    body: (v) => ({ kind, year: Number(v.year), entries: v.entries || [], ...(v.priority?.length ? { priority: v.priority } : {}) }),
    procedure: "yearly_list",
  };
});

// weifang 第二十条: a department needing not-shared data for its duties goes up
// the dispute chain (POST /catalog/items/{id}/disputes).
register("item_dispute", async (params) => {
  const item = params.get("item") || "";
  return {
    title: `${t("more.item_dispute")} · ${item}`,
    fields: [{ name: "reason", label: "field.dispute_reason", kind: "textarea", required: true }],
    path: `/api/v1/catalog/items/${encodeURIComponent(item)}/disputes`,
    body: (v) => v,
    procedure: "dispute",
  };
});

// wuhan 第十九条: a department doubting shared data applies to the authority
// for coordination (an objection of kind shared_data_doubt).
register("shared_doubt", async (params) => {
  const item = params.get("item") || "";
  return {
    title: `${t("more.shared_doubt")} · ${item}`,
    fields: [{ name: "description", label: "field.description", kind: "textarea", required: true }],
    path: "/api/v1/objections",
    body: (v) => ({ jurisdiction: session.jurisdiction, catalog_item_id: item, kind: "shared_data_doubt", description: v.description || "", evidence: [] }),
    procedure: "objection",
  };
});

/** itemActions are the further procedures a department may start from another
 * department's catalog item, where the city's profile provides them. */
export async function itemActions(it) {
  const p = await profile();
  const out = [];
  if (p?.not_shared_dispute && it.share_type === "not_shared") out.push(["#/file/item_dispute?item=" + encodeURIComponent(it.id), "more.item_dispute", "item-dispute"]);
  const paths = p?.objection?.paths || [];
  if (paths.some((x) => (x.kinds || []).includes("shared_data_doubt")) && it.share_type !== "not_shared") {
    out.push(["#/file/shared_doubt?item=" + encodeURIComponent(it.id), "more.shared_doubt", "shared-doubt"]);
  }
  return out;
}
