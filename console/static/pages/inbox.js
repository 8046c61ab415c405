// The reviewer's inbox: the caller's tasks (GET /api/v1/tasks, scoped by the
// API), overdue first then by due time, with working days left (counted on
// the API's calendar, GET /api/v1/calendar/days), the article, filters by
// procedure, city, status and due date, and counts per tab.
import { all, api, h, t, tOr, fmtDue, today } from "../app.js";
import { procedures } from "./procedures.js";

const tabs = ["open", "overdue", "done"];

/** workingDaysLeft maps due dates to the working days from tomorrow to the due date (negative when past). */
export async function workingDaysLeft(dueDates) {
  const from = today();
  const out = new Map();
  const future = dueDates.filter((d) => d && d > from).sort();
  if (future.length) {
    let last = future[future.length - 1];
    const cap = new Date(Date.parse(from) + 3 * 366 * 864e5).toISOString().slice(0, 10);
    if (last > cap) last = cap;
    const { days } = await api("GET", `/api/v1/calendar/days?from=${from}&to=${last}`);
    for (const d of new Set(future)) out.set(d, days.filter((x) => x.working && x.date > from && x.date <= d).length);
  }
  for (const d of dueDates) if (d && d <= from) out.set(d, d === from ? 0 : -1);
  return out;
}

/** stepName is a task's step as shown: its title without the round ("review-2" is a review). */
export function stepName(task) {
  const title = task.title || task.kind;
  return tOr("task.title." + title.replace(/-\d+$/, ""), title);
}

/** taskTitle is how a task is named: its procedure and its step. */
export function taskTitle(task) {
  return `${tOr("procedure." + task.procedure, task.procedure)} · ${stepName(task)}`;
}

export async function render({ params }) {
  const tab = tabs.includes(params.get("tab")) ? params.get("tab") : "open";
  const [open, done] = await Promise.all([all("/api/v1/tasks?status=open"), all("/api/v1/tasks?status=done")]);
  const lists = { open, overdue: open.filter((x) => x.overdue), done };
  const left = await workingDaysLeft(open.map((x) => x.due_date));

  const f = { procedure: params.get("procedure") || "", city: params.get("city") || "", due: params.get("due") || "" };
  const shown = lists[tab]
    .filter((x) => !f.procedure || x.procedure === f.procedure)
    .filter((x) => !f.city || x.jurisdiction === f.city)
    .filter((x) => !f.due || (x.due_date && x.due_date <= f.due))
    .sort((a, b) => (b.overdue - a.overdue) || String(a.due_at).localeCompare(String(b.due_at)));

  const link = (over) => {
    const q = new URLSearchParams({ tab, ...f, ...over });
    for (const [k, v] of [...q]) if (!v) q.delete(k);
    return "#/inbox?" + q;
  };
  const tabBar = h("div", { class: "tabs", role: "tablist" }, tabs.map((k) =>
    h("button", { type: "button", role: "tab", class: k === tab ? "active" : null, id: "tab-" + k, onclick: () => { location.hash = link({ tab: k }); } },
      t("inbox.tab." + k), h("span", { class: "count", "data-count": k }, lists[k].length))));

  const known = [...new Set([...open, ...done].map((x) => x.procedure))].sort();
  const cities = [...new Set([...open, ...done].map((x) => x.jurisdiction))].sort();
  const select = (name, values, label) => h("label", {}, t(label),
    h("select", { name, onchange: (e) => { location.hash = link({ [name]: e.target.value }); } },
      h("option", { value: "" }, t("inbox.filter.all")),
      values.map((v) => h("option", { value: v, selected: v === f[name] }, tOr((name === "city" ? "city." : "procedure.") + v, v)))));
  const filters = h("div", { class: "filters" },
    select("procedure", known, "inbox.filter.procedure"),
    select("city", cities, "inbox.filter.city"),
    h("label", {}, t("inbox.filter.due"), h("input", { type: "date", name: "due", value: f.due, onchange: (e) => { location.hash = link({ due: e.target.value }); } })));

  const rows = shown.map((x) => {
    const n = left.get(x.due_date);
    let badge = null;
    if (x.status === "open") {
      if (x.overdue || n < 0) badge = h("span", { class: "badge overdue" }, t("inbox.overdue"));
      else badge = h("span", { class: "badge" + (n <= 1 ? " soon" : ""), "data-days-left": n }, t("inbox.days_left", { n }));
    }
    return h("tr", { class: x.overdue ? "overdue" : null, "data-task": x.id },
      h("td", { "data-label": t("inbox.col.task") }, h("a", { href: "#/tasks/" + encodeURIComponent(x.id) }, taskTitle(x)),
        h("div", { class: "muted" }, x.procedure_id)),
      h("td", { "data-label": t("inbox.col.city") }, tOr("city." + x.jurisdiction, x.jurisdiction)),
      h("td", { "data-label": t("inbox.col.due") }, fmtDue(x.due_date, x.due_at), x.provisional ? h("div", { class: "muted" }, t("inbox.provisional")) : null),
      h("td", { "data-label": t("inbox.col.left") }, badge || t("task.status." + x.status)),
      h("td", { "data-label": t("inbox.col.article") }, x.article));
  });
  const table = rows.length
    ? h("table", { class: "list", id: "tasks" },
      h("thead", {}, h("tr", {}, ["task", "city", "due", "left", "article"].map((c) => h("th", {}, t("inbox.col." + c))))),
      h("tbody", {}, rows))
    : h("p", { class: "muted", id: "tasks-empty" }, t("inbox.empty"));
  return h("div", {}, h("h1", {}, t("inbox.title")), tabBar, filters, table);
}

export { procedures };
