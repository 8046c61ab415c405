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

/** api calls the JSON API with the session cookie (and the CSRF token on writes). */
export async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRF-Token"] = cookie("approvals_csrf");
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const r = await fetch(path, { method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  const data = text ? JSON.parse(text) : null;
  if (!r.ok) throw new ProblemError(r.status, data || { title: r.statusText });
  return data;
}

/** upload POSTs a file (a Blob) as the body, with the CSRF token, and returns the JSON answer. */
export async function upload(path, blob, type) {
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
  let placed = false;
  for (const fe of p.errors || []) {
    const slot = form.querySelector(`[data-error-for="${CSS.escape(fe.field)}"]`);
    if (slot) { slot.textContent = fe.message; placed = true; }
  }
  if (!placed && general) general.textContent = p.detail || p.title;
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
  if (session) {
    who.textContent = `${t("role." + session.role)} · ${session.subject}${session.jurisdiction ? " · " + t("city." + session.jurisdiction) : ""}`;
    out.hidden = false;
    const here = location.hash.split("?")[0];
    for (const [href, key] of navFor(session)) nav.append(h("a", { href, class: here === href ? "active" : null }, t(key)));
  } else {
    who.textContent = "";
    out.hidden = true;
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
