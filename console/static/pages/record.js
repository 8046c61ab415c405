// One procedure's record as its filer sees it (GET {path}/{id}): the facts,
// the status, the tasks with their decisions and reasons, the events, and
// what the filer may do next (a dispute over a refused share request).
import { api, h, t, tOr, fmtTime, fmtDue, session } from "../app.js";
import { procedures } from "./procedures.js";
import { facts } from "./task.js";
import { agreement } from "./open.js";
import { stepName } from "./inbox.js";

export async function render({ args }) {
  const [procedure, id] = [args[0], decodeURIComponent(args[1])];
  const path = (await procedures())[procedure];
  if (!path) return h("p", { class: "notice bad" }, t("file.unknown"));
  const rec = await api("GET", `${path}/${encodeURIComponent(id)}`);
  const tasks = (rec.tasks || []).map((x) => h("tr", { "data-task": x.id },
    h("td", { "data-label": t("record.col.step") }, stepName(x), h("div", { class: "muted" }, x.assignee_dept || tOr("role." + x.assignee_role, x.assignee_role))),
    h("td", { "data-label": t("task.status") }, tOr("task.status." + x.status, x.status), x.decision ? ` · ${tOr("decision." + x.decision, x.decision)}` : ""),
    h("td", { "data-label": t("inbox.col.due") }, fmtDue(x.due_date, x.due_at)),
    h("td", { "data-label": t("field.reason") }, [x.reason, x.legal_basis, x.conditions].filter(Boolean).join(" · "))));
  const events = (rec.events || []).map((e) => h("li", {}, h("span", { class: "muted" }, fmtTime(e.at) + " "), tOr("event." + e.kind, e.kind), e.detail ? ` — ${e.detail}` : ""));
  const next = [];
  if (procedure === "share_request" && rec.status === "rejected" && session.role === "department" && rec.requester_dept === session.dept) {
    next.push(h("a", { href: "#/file/dispute?sr=" + encodeURIComponent(rec.id), class: "action", "data-action": "dispute" }, t("record.dispute")));
  }
  if (procedure === "share_request" && rec.status === "granted" && session.role === "department" && rec.requester_dept === session.dept) {
    next.push(h("a", { href: "#/file/use?grant=" + encodeURIComponent("grant-" + rec.id), class: "action", "data-action": "log-use" }, t("uses.log")));
  }
  if (procedure === "open_application" && rec.status === "returned" && session.role === "applicant") {
    next.push(h("a", { href: "#/apply/resubmit?id=" + encodeURIComponent(rec.id), class: "action", "data-action": "resubmit" }, t("record.resubmit")));
  }
  const accept = procedure === "open_application" && rec.status === "awaiting_agreement" && session.role === "applicant" ? await agreement(rec) : null;
  return h("div", {},
    h("div", { class: "card" }, h("h1", {}, `${tOr("procedure." + procedure, procedure)} · ${rec.id}`),
      h("p", {}, h("span", { class: "muted" }, t("field.status") + " "), h("strong", { id: "record-status", "data-status": rec.status }, tOr("status." + rec.status, rec.status))),
      rec.return_reason ? h("p", { class: "notice bad" }, t("open.returned", { reason: rec.return_reason })) : null,
      next),
    accept,
    h("div", { class: "card" }, h("h2", {}, t("task.facts")), facts(rec)),
    tasks.length ? h("div", { class: "card" }, h("h2", {}, t("record.tasks")), h("table", { class: "list" }, h("tbody", {}, tasks))) : null,
    events.length ? h("div", { class: "card" }, h("h2", {}, t("record.events")), h("ul", { id: "events" }, events)) : null);
}
