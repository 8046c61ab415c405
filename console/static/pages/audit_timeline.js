// A procedure for the auditor: its timeline (GET /procedures/{id}/timeline),
// every step with its article, the deadline compliance of every task with
// late ones marked; the export (GET /procedures/{id}/export, a download) and
// its verification in the browser (POST /audit/verify, the export just made
// or a saved one); and the replay of its history on the current code
// (POST /audit/replay).
import { api, postRaw, h, t, tOr, fmtTime, fmtDue, showProblem } from "../app.js";
import { dueAt } from "./audit.js";

function entryText(e) {
  return [e.decision ? tOr("decision." + e.decision, e.decision) : "", e.detail, e.reason, e.legal_basis, e.conditions]
    .filter(Boolean).join(" · ");
}

function checksList(res) {
  const box = h("div", { id: "verify-result", "data-verified": String(res.verified) },
    h("p", { class: res.verified ? "notice" : "notice bad" },
      res.verified ? t("timeline.verified", { id: res.procedure_id || "" }) : t("timeline.not_verified", { what: res.failed || "" })),
    h("ul", { class: "checks" }, res.checks.map((c) => h("li", { class: c.ok ? "ok" : "bad", "data-check": c.what }, h("strong", {}, c.what), " ", c.note))),
    h("p", { class: "muted" }, t("timeline.key", { id: res.key_id })));
  return box;
}

export async function render({ args }) {
  const id = decodeURIComponent(args[0]);
  const enc = encodeURIComponent(id);
  const tl = await api("GET", `/api/v1/procedures/${enc}/timeline`);
  const late = new Set(tl.tasks.filter((x) => x.late).map((x) => x.task_id));

  const head = h("div", { class: "card", id: "timeline-head" },
    h("h1", {}, `${tOr("procedure." + tl.procedure, tl.procedure)} · ${tl.id}`),
    h("p", {}, tOr("city." + tl.jurisdiction, tl.jurisdiction), tl.status ? ` · ${tl.status}` : "",
      tl.source ? ` · ${t("timeline.source")} ${tOr("audit.source." + tl.source, tl.source)}` : ""),
    tl.note ? h("p", { class: "muted" }, tl.note) : null,
    h("p", { id: "compliance", "data-late": late.size, "data-tasks": tl.tasks.length },
      late.size ? h("span", { class: "badge overdue" }, t("timeline.late_count", { n: late.size, m: tl.tasks.length }))
        : h("span", { class: "badge ok" }, t("timeline.all_on_time", { m: tl.tasks.length })),
      h("span", { class: "muted" }, " " + t("timeline.as_of", { at: fmtTime(tl.as_of.utc) }))));

  const steps = h("table", { class: "list", id: "entries" },
    h("thead", {}, h("tr", {}, ["seq", "at", "kind", "actor", "article", "detail"].map((c) => h("th", {}, t("timeline.col." + c))))),
    h("tbody", {}, tl.entries.map((e) => h("tr", { "data-entry": e.seq, "data-kind": e.kind, class: (e.task_id && late.has(e.task_id) && (e.kind === "decision" || e.kind === "overdue" || e.kind === "deemed_outcome")) || e.kind === "overdue" ? "late" : null },
      h("td", { "data-label": t("timeline.col.seq") }, e.seq),
      h("td", { "data-label": t("timeline.col.at") }, fmtTime(e.at.utc)),
      h("td", { "data-label": t("timeline.col.kind") }, tOr("timeline.kind." + e.kind, e.kind)),
      h("td", { "data-label": t("timeline.col.actor") }, e.actor || ""),
      h("td", { "data-label": t("timeline.col.article"), "data-article": e.article || "" }, e.article || ""),
      h("td", { "data-label": t("timeline.col.detail") }, entryText(e), e.due_at ? h("div", { class: "muted" }, t("timeline.due", { at: dueAt(e.due_at.utc) })) : null)))));

  const tasks = h("table", { class: "list", id: "compliance-tasks" },
    h("thead", {}, h("tr", {}, ["task", "assignee", "article", "opened", "due", "done", "days", "late"].map((c) => h("th", {}, t("timeline.task." + c))))),
    h("tbody", {}, tl.tasks.map((x) => h("tr", { "data-task": x.task_id, "data-late": String(x.late), class: x.late ? "late" : null },
      h("td", { "data-label": t("timeline.task.task") }, x.task_id, h("div", { class: "muted" }, tOr("task.status." + x.status, x.status), x.decision ? " · " + tOr("decision." + x.decision, x.decision) : "")),
      h("td", { "data-label": t("timeline.task.assignee") }, x.assignee),
      h("td", { "data-label": t("timeline.task.article") }, x.article),
      h("td", { "data-label": t("timeline.task.opened") }, fmtTime(x.opened_at.utc)),
      h("td", { "data-label": t("timeline.task.due") }, fmtDue(x.due_date, x.due_at.utc), x.provisional ? h("div", { class: "muted" }, t("inbox.provisional")) : null),
      h("td", { "data-label": t("timeline.task.done") }, x.done_at ? fmtTime(x.done_at.utc) : ""),
      h("td", { "data-label": t("timeline.task.days") }, t("timeline.days_used", { used: x.working_days_used, allowed: x.working_days_allowed })),
      h("td", { "data-label": t("timeline.task.late") }, x.late ? h("span", { class: "badge overdue" }, t("timeline.late")) : h("span", { class: "badge ok" }, t("timeline.on_time")))))));

  // Export, verify, replay.
  const verifyOut = h("div", {});
  const verifyForm = h("form", { class: "card", id: "verify", novalidate: true });
  const file = h("input", { type: "file", name: "archive", id: "verify-file", accept: ".zip,application/zip" });
  const verify = async (blob) => {
    verifyOut.replaceChildren(h("p", { class: "muted" }, t("app.loading")));
    try {
      verifyOut.replaceChildren(checksList(await postRaw("/api/v1/audit/verify", blob, "application/zip")));
    } catch (err) {
      verifyOut.replaceChildren();
      showProblem(verifyForm, err);
    }
  };
  verifyForm.append(h("h2", {}, t("timeline.export_verify")),
    h("div", { class: "actions" },
      h("a", { class: "button", id: "export", href: `/api/v1/procedures/${enc}/export`, download: `${id}-export.zip` }, t("timeline.export")),
      h("button", { type: "button", class: "primary", id: "verify-export", onclick: async () => {
        for (const el of verifyForm.querySelectorAll("[data-error-for]")) el.textContent = "";
        const r = await fetch(`/api/v1/procedures/${enc}/export`, { credentials: "same-origin" });
        if (!r.ok) { showProblem(verifyForm, new Error((await r.json()).detail)); return; }
        await verify(await r.blob());
      } }, t("timeline.verify_export"))),
    h("div", { class: "field" }, h("label", { for: "verify-file" }, t("timeline.verify_file")), file,
      h("div", { class: "error", "data-error-for": "archive" })),
    h("div", { class: "error", "data-error-for": "" }), verifyOut);
  file.addEventListener("change", () => { if (file.files[0]) verify(file.files[0]); });

  const replayOut = h("div", {});
  const replayForm = h("form", { class: "card", id: "replay-form", novalidate: true },
    h("h2", {}, t("timeline.replay")), h("p", { class: "muted" }, t("timeline.replay_help")),
    h("button", { type: "submit", class: "primary", id: "replay" }, t("timeline.replay_button")),
    h("div", { class: "error", "data-error-for": "procedure_id" }), h("div", { class: "error", "data-error-for": "" }), replayOut);
  replayForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    replayOut.replaceChildren(h("p", { class: "muted" }, t("app.loading")));
    try {
      const r = await api("POST", "/api/v1/audit/replay", { procedure_id: id });
      replayOut.replaceChildren(h("div", { id: "replay-result", "data-result": r.result },
        h("p", { class: r.result === "consistent" ? "notice" : "notice bad" }, t("timeline.replay." + (r.result === "consistent" ? "consistent" : "divergent"), { n: r.events, event: r.event_id || "" })),
        r.error ? h("pre", { class: "muted" }, r.error) : null,
        h("p", { class: "muted" }, t("timeline.source"), " ", tOr("audit.source." + r.source, r.source))));
    } catch (err) {
      replayOut.replaceChildren();
      showProblem(replayForm, err);
    }
  });

  return h("div", {}, h("p", {}, h("a", { href: "#/audit" }, t("timeline.back"))), head,
    h("h2", {}, t("timeline.steps")), steps, h("h2", {}, t("timeline.compliance")), tasks, verifyForm, replayForm);
}
