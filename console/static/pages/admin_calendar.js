// Calendar years for the admin: the years in force (GET /api/v1/calendar/years),
// publishing or correcting a year (PUT /api/v1/calendar/years/{year}, holidays
// one per line "name, from, to", make-up workdays one date per line), and the
// re-timing job it starts followed with a progress bar
// (GET /api/v1/calendar/retimes/{id}, read again until it is done).
import { api, h, t, fmtTime, showProblem, ProblemError } from "../app.js";

/** parseHolidays reads "name, from, to" lines; the server checks the dates. */
function parseHolidays(text) {
  return text.split("\n").map((l) => l.trim()).filter(Boolean).map((l) => {
    const [name = "", from = "", to = ""] = l.split(/\s*[,，]\s*/);
    return { name, from, to };
  });
}

// A field the API names inside a list (holidays[1].to) is shown beside the
// list's input, with its full name.
function toInputs(err) {
  if (!(err instanceof ProblemError)) return err;
  const errors = (err.problem.errors || []).map((e) => {
    const base = e.field.split(/[.[]/)[0];
    return { field: base, message: base === e.field ? e.message : `${e.field}: ${e.message}` };
  });
  return new ProblemError(err.status, { ...err.problem, errors });
}

/** follow polls a re-timing until it is done, updating the bar. */
async function follow(id, box) {
  const bar = h("progress", { id: "retime-bar", max: 100, value: 0, "data-percent": 0 });
  const label = h("span", { id: "retime-label" });
  box.replaceChildren(h("h2", {}, t("calendar.retime", { id })), bar, label);
  box.scrollIntoView({ block: "center" });
  for (;;) {
    if (!box.isConnected && box.dataset.started) return; // the page was left
    box.dataset.started = "1";
    const p = await api("GET", `/api/v1/calendar/retimes/${encodeURIComponent(id)}`);
    bar.value = p.percent;
    bar.dataset.percent = p.percent;
    label.textContent = t("calendar.retime_progress", { percent: p.percent, done: p.signalled + p.gone, total: p.total, pages: p.pages });
    if (p.done) {
      box.dataset.done = "true";
      label.textContent += " · " + t("calendar.retime_done", { seconds: p.seconds.toFixed(1) });
      return;
    }
    await new Promise((r) => setTimeout(r, 700));
  }
}

export async function render({ params }) {
  const { items, calendar_version: version } = await api("GET", "/api/v1/calendar/years");
  const form = h("form", { class: "card", id: "year-form", novalidate: true });
  const field = (name, el) => h("div", { class: "field" }, h("label", { for: "y-" + name }, t("calendar.field." + name)), el,
    h("div", { class: "error", "data-error-for": name }));
  const next = items.length ? Math.max(...items.map((y) => y.year)) + 1 : new Date().getFullYear() + 1;
  form.append(h("h2", {}, t("calendar.publish")),
    field("year", h("input", { id: "y-year", name: "year", type: "number", min: 2000, max: 2100, value: params.get("year") || next })),
    field("source", h("input", { id: "y-source", name: "source", placeholder: "国务院办公厅关于" + next + "年部分节假日安排的通知" })),
    field("url", h("input", { id: "y-url", name: "url", type: "url" })),
    field("holidays", h("textarea", { id: "y-holidays", name: "holidays", placeholder: `元旦, ${next}-01-01, ${next}-01-01` })),
    field("makeup_workdays", h("textarea", { id: "y-makeup_workdays", name: "makeup_workdays", placeholder: `${next}-02-07` })),
    h("div", { class: "error", "data-error-for": "" }),
    h("button", { type: "submit", class: "primary", id: "year-submit" }, t("calendar.submit")));
  const progress = h("div", { class: "card", id: "retime", hidden: true });
  let table, refresh; // the years' table, read again once a year is published
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const el = form.elements;
    const body = {
      source: el.source.value.trim(), holidays: parseHolidays(el.holidays.value),
      makeup_workdays: el.makeup_workdays.value.split(/\s+/).filter(Boolean),
    };
    if (el.url.value.trim()) body.url = el.url.value.trim();
    try {
      const r = await api("PUT", `/api/v1/calendar/years/${encodeURIComponent(el.year.value)}`, body);
      progress.hidden = false;
      for (const el of form.querySelectorAll("[data-error-for]")) el.textContent = "";
      form.append(h("p", { class: "notice", id: "year-published", "data-changed": String(r.changed) },
        t(r.changed ? "calendar.published" : "calendar.unchanged", { year: r.year, revision: r.revision })));
      await refresh();
      await follow(r.retime_id, progress);
    } catch (err) {
      showProblem(form, toInputs(err));
    }
  });
  const edit = (y) => {
    const el = form.elements;
    el.year.value = y.year;
    el.source.value = y.source;
    el.url.value = y.url || "";
    el.holidays.value = y.holidays.map((x) => `${x.name}, ${x.from}, ${x.to}`).join("\n");
    el.makeup_workdays.value = y.makeup_workdays.join("\n");
    el.source.focus();
  };
  const yearsTable = (years) => h("table", { class: "list", id: "years" },
    h("thead", {}, h("tr", {}, ["year", "origin", "revision", "source", "published", "days", ""].map((c) => h("th", {}, c ? t("calendar.col." + c) : "")))),
    h("tbody", {}, years.map((y) => h("tr", { "data-year": y.year, "data-origin": y.origin },
      h("td", { "data-label": t("calendar.col.year") }, y.year),
      h("td", { "data-label": t("calendar.col.origin") }, t("calendar.origin." + (y.origin === "shipped" ? "shipped" : "published"))),
      h("td", { "data-label": t("calendar.col.revision") }, y.revision),
      h("td", { "data-label": t("calendar.col.source") }, y.url ? h("a", { href: y.url.split(" ")[0], rel: "noreferrer" }, y.source) : y.source),
      h("td", { "data-label": t("calendar.col.published") }, y.published_at ? `${fmtTime(y.published_at)} · ${y.published_by || ""}` : ""),
      h("td", { "data-label": t("calendar.col.days") }, t("calendar.days", { holidays: y.holidays.length, makeup: y.makeup_workdays.length })),
      h("td", {}, h("button", { type: "button", class: "plain", "data-edit": y.year, onclick: () => edit(y) }, t("calendar.correct")))))));
  table = yearsTable(items);
  refresh = async () => {
    const now = await api("GET", "/api/v1/calendar/years");
    const fresh = yearsTable(now.items);
    table.replaceWith(fresh);
    table = fresh;
    versionEl.textContent = t("calendar.version", { version: now.calendar_version });
  };
  const versionEl = h("p", { class: "muted" }, t("calendar.version", { version }));
  return h("div", {}, h("h1", {}, t("calendar.title")), versionEl, table, progress, form);
}
