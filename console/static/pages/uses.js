// Use logs of shared data (leshan 第三十三条, weifang 第三十一条): the
// receiving department logs each use against its grant (POST
// /api/v1/grants/{id}/uses; the grant of share request X is "grant-X"), and
// the receiving and providing departments and the auditor read them (GET
// /api/v1/uses). The server checks the use against the grant's purpose and
// data items and names the field at fault; a flagged use is marked.
import { all, h, t, tOr, fmtTime, today } from "../app.js";
import { register } from "./file.js";

register("use", async (params) => {
  const grant = params.get("grant") || "";
  return {
    title: `${t("uses.log")} · ${grant}`,
    fields: [
      { name: "purpose", label: "field.purpose", kind: "textarea", required: true },
      { name: "users", label: "field.users", kind: "list", hint: "form.one_a_line", required: true },
      { name: "approver", label: "field.approver", required: true },
      { name: "content", label: "field.content", kind: "list", hint: "form.one_a_line", required: true },
      { name: "used_at", label: "field.used_at", kind: "date", value: today(), required: true },
      { name: "means", label: "field.means", required: true },
      { name: "medium", label: "field.medium", required: true },
    ],
    path: `/api/v1/grants/${encodeURIComponent(grant)}/uses`,
    // A use today is logged at this moment; an earlier one at noon Beijing time.
    body: (v) => ({ ...v, users: v.users || [], content: v.content || [],
      used_at: !v.used_at || v.used_at === today() ? new Date().toISOString() : `${v.used_at}T12:00:00+08:00` }),
    procedure: "share_request",
    done: () => `#/uses`,
  };
});

export async function render() {
  const uses = await all("/api/v1/uses");
  const rows = uses.map((u) => h("tr", { "data-use": u.id, class: u.flagged ? "late" : null },
    h("td", { "data-label": t("uses.col.grant") }, u.grant_id, h("div", { class: "muted" }, `${u.dept} ← ${u.provider_dept}`)),
    h("td", { "data-label": t("field.purpose") }, u.purpose),
    h("td", { "data-label": t("field.content") }, (u.content || []).join("、")),
    h("td", { "data-label": t("field.used_at") }, fmtTime(u.used_at)),
    h("td", { "data-label": t("uses.col.means") }, [u.means, u.medium].filter(Boolean).join(" · ")),
    h("td", { "data-label": t("uses.col.flags") }, (u.flags || []).map((f) => tOr("uses.flag." + f, f)).join("、"), u.article ? h("div", { class: "muted" }, u.article) : null)));
  return h("div", {}, h("h1", {}, t("uses.title")),
    rows.length ? h("table", { class: "list", id: "uses" },
      h("thead", {}, h("tr", {}, ["uses.col.grant", "field.purpose", "field.content", "field.used_at", "uses.col.means", "uses.col.flags"].map((k) => h("th", {}, t(k))))),
      h("tbody", {}, rows)) : h("p", { class: "muted", id: "uses-empty" }, t("uses.empty")));
}
