// The notification outbox's dead letters for the admin
// (GET /api/v1/notifications?status=dead), each with its last error and a
// retry (POST /api/v1/notifications/{id}/retry: pending again, due now).
import { all, api, h, t, fmtTime, showProblem } from "../app.js";

const statuses = ["dead", "pending", "delivered"];

export async function render({ params }) {
  const status = statuses.includes(params.get("status")) ? params.get("status") : "dead";
  const items = await all("/api/v1/notifications?status=" + status, 500);
  const tabs = h("div", { class: "tabs", role: "tablist" }, statuses.map((s) =>
    h("button", { type: "button", role: "tab", class: s === status ? "active" : null, onclick: () => { location.hash = "#/admin/notifications?status=" + s; } }, t("notifications.status." + s))));
  const rows = items.map((n) => {
    const cell = h("td", { "data-label": t("notifications.col.action") });
    if (n.status === "dead") {
      const slot = h("div", { class: "error", "data-error-for": "" });
      const holder = h("form", {}, slot);
      cell.append(h("button", { type: "button", class: "primary", "data-retry": n.id, onclick: async (e) => {
        e.currentTarget.disabled = true;
        try {
          const r = await api("POST", `/api/v1/notifications/${encodeURIComponent(n.id)}/retry`);
          cell.replaceChildren(h("span", { class: "badge ok", "data-retried": n.id }, t("notifications.status." + r.status)));
        } catch (err) {
          showProblem(holder, err);
        }
      } }, t("notifications.retry")), holder);
    }
    return h("tr", { "data-notification": n.id },
      h("td", { "data-label": t("notifications.col.kind") }, t("notifications.kind." + n.kind), h("div", { class: "muted" }, n.procedure_id)),
      h("td", { "data-label": t("notifications.col.recipient") }, `${n.recipient} · ${n.channel}`),
      h("td", { "data-label": t("notifications.col.attempts") }, n.attempts),
      h("td", { "data-label": t("notifications.col.error") }, n.last_error || ""),
      h("td", { "data-label": t("notifications.col.created") }, fmtTime(n.created_at)),
      cell);
  });
  return h("div", {}, h("h1", {}, t("notifications.title")), tabs,
    rows.length ? h("table", { class: "list", id: "notifications", "data-count": rows.length },
      h("thead", {}, h("tr", {}, ["kind", "recipient", "attempts", "error", "created", "action"].map((c) => h("th", {}, t("notifications.col." + c))))),
      h("tbody", {}, rows)) : h("p", { class: "muted", id: "notifications-empty" }, t("notifications.empty")));
}
