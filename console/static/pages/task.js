// One task: its procedure's facts (the record, read from the API), the
// article and due time, and the decisions the task allows (task.decisions:
// each with the fields it requires) as buttons; the decision is POSTed to
// /api/v1/tasks/{id}/decision and the server's problem messages are shown
// beside the field at fault.
import { all, api, h, t, tOr, fmtTime, fmtDue, showProblem, ProblemError, session } from "../app.js";
import { procedures, taskTitle, workingDaysLeft } from "./inbox.js";

const fields = ["reason", "legal_basis", "conditions"];
const hidden = new Set(["workflow_id"]);

/** facts shows a record's scalar fields (and lists of values) as a definition list. */
export function facts(rec) {
  const dl = h("dl", { class: "facts", id: "facts" });
  for (const [k, v] of Object.entries(rec || {})) {
    if (hidden.has(k) || v === null || v === "" || (typeof v === "object" && !Array.isArray(v))) continue;
    if (Array.isArray(v) && (v.length === 0 || v.some((x) => typeof x === "object"))) continue; // events, tasks: the auditor's timeline
    const shown = Array.isArray(v) ? v.join("、")
      : typeof v === "boolean" ? t(v ? "value.yes" : "value.no")
      : /_at$/.test(k) ? fmtTime(v)
      : k === "status" ? tOr("status." + v, v)
      : k === "jurisdiction" ? tOr("city." + v, v)
      : /share_type$/.test(k) ? tOr("share_type." + v, v)
      : k === "open_type" ? tOr("open_type." + v, v)
      : String(v);
    dl.append(h("dt", {}, tOr("field." + k, k)), h("dd", {}, shown));
  }
  return dl;
}

async function findTask(id) {
  for (const st of ["open", "done"]) {
    const found = (await all(`/api/v1/tasks?status=${st}`)).find((x) => x.id === id);
    if (found) return found;
  }
  return null;
}

export async function render({ args }) {
  const id = decodeURIComponent(args[0]);
  const task = await findTask(id);
  if (!task) return h("p", { class: "notice bad", id: "task-missing" }, t("task.missing"));
  let rec = null;
  const path = (await procedures())[task.procedure];
  if (path) {
    try { rec = await api("GET", `${path}/${encodeURIComponent(task.procedure_id)}`); } catch (err) { if (!(err instanceof ProblemError)) throw err; }
  }
  const left = (await workingDaysLeft([task.due_date])).get(task.due_date);
  const head = h("div", { class: "card" },
    h("h1", {}, taskTitle(task)),
    h("p", {}, h("span", { class: "muted" }, t("task.procedure_id") + " "), task.procedure_id),
    h("p", {}, h("span", { class: "muted" }, t("inbox.col.due") + " "), fmtDue(task.due_date, task.due_at),
      task.status === "open" ? h("span", { class: "badge" + (task.overdue || left < 0 ? " overdue" : "") }, task.overdue || left < 0 ? t("inbox.overdue") : t("inbox.days_left", { n: left })) : null),
    h("p", {}, h("span", { class: "muted" }, t("inbox.col.article") + " "), task.article),
    h("p", {}, h("span", { class: "muted" }, t("task.status") + " "), h("span", { id: "task-status" }, tOr("task.status." + task.status, task.status)),
      task.decision ? ` · ${tOr("decision." + task.decision, task.decision)}` : ""));
  const factsCard = h("div", { class: "card" }, h("h2", {}, t("task.facts")), rec ? facts(rec) : h("p", { class: "muted" }, t("task.nofacts")));
  // The task's own facts (an open application's conditions of use and how the applicant meets each).
  const taskFacts = (task.facts || []).length ? h("div", { class: "card", id: "task-conditions" }, h("h2", {}, t("task.conditions")),
    h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, t("task.condition")), h("th", {}, t("task.required")), h("th", {}, t("task.stated")))),
      h("tbody", {}, task.facts.map((f) => h("tr", {}, h("td", {}, f.name), h("td", {}, f.value), h("td", {}, f.stated || "")))))) : null;
  const page = h("div", {}, head, taskFacts, factsCard, await activityCard(task));
  if (task.status !== "open" || task.kind !== "decision") return page;

  const allowed = task.decisions && task.decisions.length ? task.decisions : [{ decision: "approve", requires: [] }, { decision: "reject", requires: ["reason"] }];
  let chosen = null;
  const form = h("form", { class: "card", id: "decide", novalidate: true });
  const inputs = {};
  const fieldEls = {};
  for (const f of fields) {
    inputs[f] = h("textarea", { name: f, id: "f-" + f });
    fieldEls[f] = h("div", { class: "field", "data-field": f },
      h("label", { for: "f-" + f }, t("field." + f), h("span", { class: "req", hidden: true }, " *")),
      inputs[f], h("div", { class: "error", "data-error-for": f }));
  }
  const submit = h("button", { type: "submit", class: "primary", id: "submit", disabled: true }, t("task.submit"));
  const buttons = h("div", { class: "field" }, allowed.map((d) => h("button", {
    type: "button", class: "decision " + d.decision, "data-decision": d.decision,
    onclick: (e) => {
      chosen = d;
      for (const b of buttons.querySelectorAll("button")) b.classList.toggle("selected", b === e.currentTarget);
      for (const f of fields) fieldEls[f].querySelector(".req").hidden = !(d.requires || []).includes(f);
      submit.disabled = false;
    },
  }, tOr("decision." + d.decision, d.decision))), h("div", { class: "error", "data-error-for": "decision" }));
  const result = h("div", { "data-error-for": "", class: "error" });
  form.append(h("h2", {}, t("task.decide")), buttons, ...fields.map((f) => fieldEls[f]), result, submit);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!chosen) return;
    const body = { decision: chosen.decision };
    for (const f of fields) if (inputs[f].value.trim()) body[f] = inputs[f].value;
    submit.disabled = true;
    try {
      const done = await api("POST", `/api/v1/tasks/${encodeURIComponent(task.id)}/decision`, body);
      form.replaceChildren(h("p", { class: "notice", id: "decided" }, t("task.decided", { decision: tOr("decision." + done.decision, done.decision) })),
        h("a", { href: "#/inbox" }, t("task.back")));
      page.querySelector("#task-status").textContent = tOr("task.status." + done.status, done.status);
    } catch (err) {
      showProblem(form, err);
      submit.disabled = false;
    }
  });
  page.append(form);
  return page;
}

// activityCard shows who works on the task and its comments, and lets the
// task's assignees claim, release, hand over and comment
// (GET/POST /api/v1/tasks/{id}/activity, claim, release, handover, comments).
async function activityCard(task) {
  const card = h("div", { class: "card", id: "activity" });
  const path = `/api/v1/tasks/${encodeURIComponent(task.id)}`;
  const works = ["department", "authority", "infocenter", "government"].includes(session.role);
  const draw = (a) => {
    const mine = a.claim && a.claim.claimed_by === session.subject;
    const status = h("p", { id: "claim", "data-claimed-by": a.claim ? a.claim.claimed_by : "" },
      a.claim ? t("claim.by", { who: a.claim.claimed_by, at: fmtTime(a.claim.claimed_at) }) : t("claim.none"));
    const slot = h("div", { class: "error", "data-error-for": "" });
    const act = (what, body) => async () => {
      try { draw(await api("POST", `${path}/${what}`, body)); } catch (err) { showProblem(card, err); }
    };
    const buttons = [];
    if (works && task.status === "open") {
      if (!a.claim) buttons.push(h("button", { type: "button", id: "claim-task", onclick: act("claim") }, t("claim.claim")));
      if (mine) buttons.push(h("button", { type: "button", id: "release-task", onclick: act("release") }, t("claim.release")));
      if (!a.claim || mine) {
        const to = h("input", { id: "handover-to", name: "to", placeholder: t("claim.colleague") });
        buttons.push(h("span", { class: "handover" }, to, " ", h("button", { type: "button", id: "handover-task",
          onclick: () => act("handover", { to: to.value.trim() })() }, t("claim.handover")), h("div", { class: "error", "data-error-for": "to" })));
      }
    }
    const comments = h("ul", { id: "comments" }, a.comments.map((c) => h("li", { "data-comment": c.id },
      h("span", { class: "muted" }, `${c.author} · ${fmtTime(c.created_at)} `), c.body)));
    const add = [];
    if (works) {
      const body = h("textarea", { id: "comment-body", name: "body" });
      add.push(h("div", { class: "field" }, h("label", { for: "comment-body" }, t("claim.comment")), body, h("div", { class: "error", "data-error-for": "body" }),
        h("button", { type: "button", id: "comment-task", onclick: () => act("comments", { body: body.value })() }, t("claim.add_comment"))));
    }
    card.replaceChildren(h("h2", {}, t("claim.title")), status, h("div", { class: "field" }, buttons), slot,
      h("h2", {}, t("claim.comments")), a.comments.length ? comments : h("p", { class: "muted" }, t("claim.no_comments")), ...add);
  };
  draw(await api("GET", `${path}/activity`));
  return card;
}
