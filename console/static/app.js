// The console's shell: message catalogues, the API client, formatting in
// Beijing time, and the hash router that renders one page module at a time.
// Pages live in pages/ and are listed in pages/index.js (CONSOLE.md).
import { routes, navFor } from "./pages/index.js";

const LANGS = ["zh-CN", "en"];
let lang = LANGS.includes(localStorage.getItem("lang")) ? localStorage.getItem("lang") : "zh-CN";
let messages = {};
let fallback = {};

/** t looks a key up in the catalogue (zh-CN behind en), filling {name}s. */
export function t(key, vars = {}) {
  let s = messages[key] ?? fallback[key];
  if (s === undefined) return key;
  return s.replace(/\{(\w+)\}/g, (_, k) => (vars[k] ?? ""));
}

/** tOr translates key, or shows raw when the catalogue has no entry. */
export function tOr(key, raw) {
  const s = t(key);
  return s === key ? raw : s;
}

async function loadCatalogue(l) {
  const r = await fetch(`/console/i18n/${l}.json`);
  return r.json();
}

/** ProblemError is an API error carrying its problem+json body. */
export class ProblemError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || String(status));
    this.status = status;
    this.problem = problem;
  }
}

function cookie(name) {
  const m = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
  return m ? decodeURIComponent(m[1]) : "";
}

/** api calls the JSON API with the session cookie (and the CSRF token on writes); extra are more headers. */
export async function api(method, path, body, extra = {}) {
  const headers = { Accept: "application/json", ...extra };
  if (method !== "GET") headers["X-CSRF-Token"] = cookie("approvals_csrf");
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const r = await fetch(path, { method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  const data = text ? JSON.parse(text) : null;
  if (!r.ok) throw new ProblemError(r.status, data || { title: r.statusText });
  return data;
}

/** upload sends a file as multipart/form-data (field "file") and answers the JSON. */
export async function upload(path, file) {
  const fd = new FormData();
  fd.append("file", file);
  const r = await fetch(path, { method: "POST", body: fd, credentials: "same-origin", headers: { "X-CSRF-Token": cookie("approvals_csrf"), Accept: "application/json" } });
  const data = await r.json().catch(() => null);
  if (!r.ok) throw new ProblemError(r.status, data || { title: r.statusText });
  return data;
}

/** postRaw POSTs a body (a Blob or a string) as it is, with the CSRF token, and returns the JSON answer. */
export async function postRaw(path, blob, type) {
  const headers = { Accept: "application/json", "Content-Type": type, "X-CSRF-Token": cookie("approvals_csrf") };
  const r = await fetch(path, { method: "POST", headers, credentials: "same-origin", body: blob });
  const text = await r.text();
  const data = text ? JSON.parse(text) : null;
  if (!r.ok) throw new ProblemError(r.status, data || { title: r.statusText });
  return data;
}

/** all reads every page of a list endpoint (up to max items). */
export async function all(path, max = 2000) {
  const out = [];
  let token = "";
  do {
    const sep = path.includes("?") ? "&" : "?";
    const page = await api("GET", `${path}${sep}page_size=500${token ? "&page_token=" + token : ""}`);
    out.push(...page.items);
    token = page.next_page_token;
  } while (token && out.length < max);
  return out;
}

const beijing = { timeZone: "Asia/Shanghai" };
/** fmtTime shows an instant in Beijing time. */
export function fmtTime(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(lang, { ...beijing, dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}
/** fmtDue shows a due time: 24:00 Beijing time of its due date, as the regulations count. */
export function fmtDue(dueDate, dueAt) {
  if (!dueDate) return fmtTime(dueAt);
  const d = new Intl.DateTimeFormat(lang, { timeZone: "UTC", dateStyle: "medium" }).format(new Date(dueDate + "T00:00:00Z"));
  return `${d} 24:00`;
}

/** today is the date in Beijing, YYYY-MM-DD. */
export function today() {
  return new Intl.DateTimeFormat("en-CA", beijing).format(new Date());
}

/** h builds an element: h("a", {href: "#/"}, "text", child...). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/**
 * showProblem puts each of a problem's field messages beside its field (an
 * element [data-error-for=field] inside form), the rest in the form's
 * [data-error-for=""] slot.
 */
export function showProblem(form, err) {
  for (const el of form.querySelectorAll("[data-error-for]")) el.textContent = "";
  const p = err instanceof ProblemError ? err.problem : { detail: String(err) };
  const general = form.querySelector('[data-error-for=""]');
  const rest = [];
  for (const fe of p.errors || []) {
    const slot = form.querySelector(`[data-error-for="${CSS.escape(fe.field)}"]`);
    if (slot) slot.textContent = slot.textContent ? slot.textContent + "; " + fe.message : fe.message;
    else rest.push(`${fe.field}: ${fe.message}`);
  }
  if (general && (rest.length || !(p.errors || []).length)) general.textContent = rest.length ? rest.join("; ") : (p.detail || p.title);
}

/** session is who is signed in, or null. */
export let session = null;

async function loadSession() {
  try { session = await api("GET", "/api/v1/session"); } catch { session = null; }
}

function renderShell() {
  document.documentElement.lang = lang;
  document.title = t("app.title");
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  document.getElementById("lang").value = lang;
  const who = document.getElementById("who");
  const out = document.getElementById("logout");
  const nav = document.getElementById("nav");
  nav.replaceChildren();
  const here = location.hash.split("?")[0];
  for (const [href, key] of navFor(session)) nav.append(h("a", { href, class: here === href ? "active" : null }, t(key)));
  if (session) {
    who.textContent = `${t("role." + session.role)} · ${session.subject}${session.jurisdiction ? " · " + t("city." + session.jurisdiction) : ""}`;
    out.hidden = false;
  } else {
    who.textContent = "";
    out.hidden = true;
    if (here !== "#/signin") nav.append(h("a", { href: "#/signin" }, t("signin.title")));
  }
}

/** go renders the page the location's hash names. */
export async function go() {
  const [path, query] = (location.hash.slice(1) || "/").split("?");
  const params = new URLSearchParams(query || "");
  const view = document.getElementById("view");
  let page = null, args = [];
  for (const r of routes) {
    const m = path.match(r.path);
    if (m) { page = r; args = m.slice(1); break; }
  }
  if (!page) page = routes[0];
  if (page.auth && !session) { location.hash = "#/signin"; return; }
  renderShell();
  view.replaceChildren(h("p", { class: "muted" }, t("app.loading")));
  try {
    const el = await page.render({ args, params });
    view.replaceChildren(el);
  } catch (err) {
    if (err instanceof ProblemError && err.status === 401) { session = null; location.hash = "#/signin"; return; }
    view.replaceChildren(h("p", { class: "notice bad" }, err.message));
  }
}

/** refreshSession re-reads who is signed in (after sign-in) and re-renders. */
export async function refreshSession(hash) {
  await loadSession();
  if (hash && location.hash !== hash) location.hash = hash; else await go();
}

async function start() {
  fallback = await loadCatalogue("zh-CN");
  messages = lang === "zh-CN" ? fallback : await loadCatalogue(lang);
  document.getElementById("lang").addEventListener("change", async (e) => {
    lang = e.target.value;
    localStorage.setItem("lang", lang);
    messages = lang === "zh-CN" ? fallback : await loadCatalogue(lang);
    await go();
  });
  document.getElementById("logout").addEventListener("click", async () => {
    await api("POST", "/session/logout");
    session = null;
    location.hash = "#/signin";
  });
  window.addEventListener("hashchange", go);
  await loadSession();
  await go();
}

start();
