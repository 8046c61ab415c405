// Forms built from data: each field names the API's field (its error slot is
// data-error-for=the name the API uses in errors[].field), its kind and its
// value. Pages describe their forms as lists of fields (see file.js).
import { h, t, tOr, api, showProblem } from "../app.js";

/** idemKey is a fresh Idempotency-Key: one per form shown, so a double submit files once. */
export function idemKey() {
  return crypto.randomUUID();
}

/**
 * field builds one labelled input. f: {name, label, kind: text|textarea|select|date|checks|list,
 * options: [value...], optionKey: catalogue prefix of the options, optionLabels: {value: text}
 * (checks), value, required, errorFor}.
 */
export function field(f) {
  const id = "f-" + f.name.replace(/[^a-z0-9_-]/gi, "_");
  let input;
  switch (f.kind) {
    case "textarea":
      input = h("textarea", { id, name: f.name }, f.value || "");
      break;
    case "select":
      input = h("select", { id, name: f.name },
        f.blank ? h("option", { value: "" }, t("form.choose")) : null,
        f.options.map((o) => h("option", { value: o, selected: o === f.value }, f.optionKey ? tOr(f.optionKey + o, o) : o)));
      break;
    case "checks":
      input = h("div", { id, class: "checks" }, f.options.map((o) => h("label", { class: "check" },
        h("input", { type: "checkbox", name: f.name, value: o, checked: (f.value || []).includes(o) }), " ", f.optionLabels?.[o] ?? o)));
      break;
    case "file":
      input = h("input", { id, name: f.name, type: "file", multiple: true });
      break;
    case "list": // one entry a line
      input = h("textarea", { id, name: f.name, "data-list": true }, (f.value || []).join("\n"));
      break;
    default:
      input = h("input", { id, name: f.name, type: f.kind === "date" ? "date" : "text", value: f.value ?? "" });
  }
  return h("div", { class: "field", "data-field": f.name },
    h("label", { for: id }, t(f.label), f.required ? h("span", { class: "req" }, " *") : null),
    f.hint ? h("div", { class: "muted" }, t(f.hint)) : null,
    input, h("div", { class: "error", "data-error-for": f.errorFor || f.name }));
}

/** values reads a form's fields by name: checks and lists as arrays, blanks left out. */
export function values(form, fields) {
  const out = {};
  for (const f of fields) {
    if (f.kind === "checks") {
      out[f.name] = [...form.querySelectorAll(`input[name="${CSS.escape(f.name)}"]:checked`)].map((x) => x.value);
      continue;
    }
    if (f.kind === "file") continue; // read by the form's body (uploads)
    const el = form.querySelector(`[name="${CSS.escape(f.name)}"]`);
    const v = el.value.trim();
    if (f.kind === "list") out[f.name] = v.split(/[\n,，、]+/).map((x) => x.trim()).filter(Boolean);
    else if (v !== "") out[f.name] = v;
  }
  return out;
}

/**
 * form builds a form of fields whose submit POSTs await body(values, form) to path with
 * an Idempotency-Key, shows the server's messages beside the fields, and
 * calls done(answer) on success.
 */
export function form({ id, title, fields, path, body, done, submitLabel = "form.submit", method = "POST" }) {
  const key = idemKey();
  const submit = h("button", { type: "submit", class: "primary", id: "submit" }, t(submitLabel));
  const el = h("form", { class: "card", id, novalidate: true },
    title ? h("h1", {}, title) : null,
    fields.map(field), h("div", { class: "error", "data-error-for": "" }), submit);
  el.addEventListener("submit", async (e) => {
    e.preventDefault();
    submit.disabled = true;
    try {
      const r = await api(method, path, await body(values(el, fields), el), { "Idempotency-Key": key });
      await done(r);
    } catch (err) {
      showProblem(el, err);
      submit.disabled = false;
    }
  });
  return el;
}
