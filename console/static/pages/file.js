// Filing a procedure: one form per kind, described as data (the fields, the
// path it POSTs to, the body it sends and where the API names each field).
// The server checks everything; its messages are shown beside the fields.
import { api, h, t, session } from "../app.js";
import { form } from "./form.js";

const shareTypes = ["unconditional", "conditional", "not_shared"];
const openTypes = ["unconditional", "conditional", "not_open"];

async function item(id) {
  return id ? api("GET", "/api/v1/catalog/items/" + encodeURIComponent(id)) : null;
}

// The catalog item's fields in a change, named as the API names them.
function itemFields(it, op) {
  const e = (n) => `operations[0].item.${n}`;
  const fields = [];
  if (op === "add") fields.push({ name: "item_id", label: "field.item_id", required: true, errorFor: "operations[0].item_id" });
  fields.push(
    { name: "title", label: "field.title", value: it?.title, required: true, errorFor: e("title") },
    { name: "share_type", label: "field.share_type", kind: "select", options: shareTypes, optionKey: "share_type.", value: it?.share_type, errorFor: e("share_type") },
    { name: "share_conditions", label: "field.share_conditions", kind: "textarea", value: it?.share_conditions, errorFor: e("share_conditions") },
    { name: "legal_basis", label: "field.legal_basis", value: it?.legal_basis, errorFor: e("legal_basis") },
    { name: "open_type", label: "field.open_type", kind: "select", options: openTypes, optionKey: "open_type.", value: it?.open_type || "not_open", errorFor: e("open_type") },
    { name: "data_items", label: "field.data_items", kind: "list", hint: "form.one_a_line", value: it?.data_items, errorFor: e("data_items") });
  return fields;
}

// kinds: how each procedure is filed.
const kinds = {
  async share(p) {
    const it = await item(p.get("item"));
    return {
      title: `${t("file.share")} · ${it.title}`,
      fields: [
        { name: "purpose", label: "field.purpose", kind: "textarea", required: true },
        { name: "scenario", label: "field.scenario", required: true },
        { name: "data_items", label: "field.data_items", kind: "checks", options: it.data_items || [], value: it.data_items || [] },
      ],
      path: "/api/v1/share-requests",
      body: (v) => ({ catalog_item_id: it.id, ...v }),
      procedure: "share_request",
    };
  },
  async change(p) {
    const op = ["add", "modify", "delete"].includes(p.get("op")) ? p.get("op") : "modify";
    const it = await item(p.get("item"));
    const fields = [{ name: "reason", label: "field.change_reason", kind: "textarea", required: true }];
    if (op !== "delete") fields.push(...itemFields(it, op));
    return {
      title: `${t("file.change." + op)}${it ? " · " + it.title : ""}`,
      fields,
      path: "/api/v1/catalog/changes",
      body: (v) => {
        const operation = { op, item_id: op === "add" ? v.item_id || "" : it.id };
        if (it) operation.base_version = it.version;
        if (op !== "delete") {
          operation.item = { id: operation.item_id, title: v.title || "", share_type: v.share_type, share_conditions: v.share_conditions || "",
            legal_basis: v.legal_basis || "", open_type: v.open_type, data_items: v.data_items || [] };
        }
        return { jurisdiction: session.jurisdiction, reason: v.reason || "", operations: [operation] };
      },
      procedure: "catalog_change",
    };
  },
  async classification(p) {
    const it = await item(p.get("item"));
    return {
      title: `${t("file.classification")} · ${it.title}`,
      fields: [
        { name: "proposed_share_type", label: "field.proposed_share_type", kind: "select", options: ["conditional", "not_shared"], optionKey: "share_type." },
        { name: "legal_basis", label: "field.legal_basis", required: true },
        { name: "conditions", label: "field.conditions", kind: "textarea" },
        { name: "reason", label: "field.reason", kind: "textarea", required: true },
      ],
      path: "/api/v1/classifications",
      body: (v) => ({ catalog_item_id: it.id, ...v }),
      procedure: "classification",
    };
  },
  async adjustment(p) {
    const it = await item(p.get("item"));
    return {
      title: `${t("file.adjustment")} · ${it.title}`,
      fields: [
        { name: "share_type", label: "field.share_type", kind: "select", options: shareTypes, optionKey: "share_type.", value: "not_shared" },
        { name: "share_conditions", label: "field.share_conditions", kind: "textarea" },
        { name: "ground", label: "field.ground", kind: "select", options: ["national_security", "public_interest", "emergency"], optionKey: "ground." },
        { name: "reason", label: "field.reason", kind: "textarea", required: true },
        { name: "end_date", label: "field.end_date", kind: "date", required: true },
      ],
      path: "/api/v1/temporary-adjustments",
      body: (v) => ({ catalog_item_id: it.id, ...v }),
      procedure: "temporary_adjustment",
    };
  },
  // Leshan 第二十二条: the department's assessment, the authority's review.
  async opening(p) {
    const it = await item(p.get("item"));
    return {
      title: `${t("file.opening")} · ${it.title}`,
      fields: [
        { name: "proposed_open_type", label: "field.proposed_open_type", kind: "select", options: openTypes, optionKey: "open_type." },
        { name: "assessment", label: "field.assessment", kind: "textarea", required: true },
        { name: "legal_basis", label: "field.legal_basis", hint: "file.opening.basis_hint" },
        { name: "public_interest", label: "field.public_interest", kind: "select", options: ["no", "yes"], optionKey: "value." },
      ],
      path: "/api/v1/opening-reviews",
      body: (v) => ({ catalog_item_id: it.id, proposed_open_type: v.proposed_open_type, assessment: v.assessment || "",
        legal_basis: v.legal_basis || "", public_interest: v.public_interest === "yes" }),
      procedure: "opening_review",
    };
  },
  // Weifang 第二十四条第二款: the authority converts qualifying data.
  async conversion(p) {
    const it = await item(p.get("item"));
    return {
      title: `${t("file.conversion")} · ${it.title}`,
      fields: [
        { name: "to_open_type", label: "field.to_open_type", kind: "select", options: ["unconditional", "conditional"], optionKey: "open_type." },
        { name: "decision", label: "field.conversion_decision", required: true },
        { name: "reason", label: "field.reason", kind: "textarea", required: true },
        { name: "desensitised", label: "field.desensitised", kind: "select", options: ["no", "yes"], optionKey: "value." },
      ],
      path: "/api/v1/open-conversions",
      body: (v) => ({ catalog_item_id: it.id, to_open_type: v.to_open_type, decision: v.decision || "", reason: v.reason || "",
        desensitised: v.desensitised === "yes" }),
      procedure: "open_conversion",
    };
  },
  async dispute(p) {
    const sr = p.get("sr");
    return {
      title: `${t("file.dispute")} · ${sr}`,
      fields: [{ name: "reason", label: "field.dispute_reason", kind: "textarea", required: true }],
      path: `/api/v1/share-requests/${encodeURIComponent(sr)}/disputes`,
      body: (v) => v,
      procedure: "dispute",
    };
  },
};

/** register adds a kind of filing (for other pages: applicant's forms). */
export function register(name, describe) {
  kinds[name] = describe;
}

export async function render({ args, params }) {
  const describe = kinds[args[0]];
  if (!describe) return h("p", { class: "notice bad" }, t("file.unknown"));
  const d = await describe(params);
  return form({
    id: "file-" + args[0], title: d.title, fields: d.fields, path: d.path, body: d.body,
    done: (r) => { location.hash = d.done ? d.done(r) : `#/records/${d.procedure}/${encodeURIComponent(r.id)}`; },
  });
}
