// Catalog import for the admin (POST /api/v1/catalog/import): the JSON array
// `approvals catalog import` reads, from a file or pasted; the answer is
// reported per row (imported with its version, or the server's message for
// each field at fault: items[i].field). All rows or none are imported.
import { postRaw, h, t, showProblem, ProblemError } from "../app.js";

function report(rows, result, err) {
  const byRow = new Map();
  if (err instanceof ProblemError) {
    for (const e of err.problem.errors || []) {
      const m = e.field.match(/^items\[(\d+)\]\.(.+)$/);
      if (!m) continue;
      const i = Number(m[1]);
      if (!byRow.has(i)) byRow.set(i, []);
      byRow.get(i).push(`${m[2]}: ${e.message}`);
    }
  }
  const stored = new Map((result?.rows || []).map((r) => [r.row, r]));
  return h("table", { class: "list", id: "import-rows" },
    h("thead", {}, h("tr", {}, ["row", "id", "title", "result"].map((c) => h("th", {}, t("catalog_import.col." + c))))),
    h("tbody", {}, rows.map((r, i) => {
      const errs = byRow.get(i) || [];
      const ok = stored.get(i);
      return h("tr", { "data-row": i, "data-result": ok ? "imported" : errs.length ? "error" : "not_imported", class: errs.length ? "late" : null },
        h("td", { "data-label": t("catalog_import.col.row") }, i + 1),
        h("td", { "data-label": t("catalog_import.col.id") }, r?.id ?? ""),
        h("td", { "data-label": t("catalog_import.col.title") }, r?.title ?? ""),
        h("td", { "data-label": t("catalog_import.col.result") },
          ok ? h("span", { class: "badge ok" }, t("catalog_import.imported", { version: ok.version }))
            : errs.length ? h("ul", { class: "checks" }, errs.map((m) => h("li", { class: "bad" }, m)))
              : h("span", { class: "muted" }, t("catalog_import.not_imported"))));
    })));
}

export async function render() {
  const form = h("form", { class: "card", id: "import-form", novalidate: true });
  const text = h("textarea", { id: "import-json", name: "items", rows: 10, placeholder: '[{"id": "WH-RS-001", "jurisdiction": "wuhan", "provider_dept": "WH-RS", "title": "…", "share_type": "unconditional", "open_type": "not_open", "data_items": ["…"]}]' });
  const file = h("input", { type: "file", id: "import-file", accept: ".json,application/json" });
  file.addEventListener("change", async () => { if (file.files[0]) text.value = await file.files[0].text(); });
  const out = h("div", { id: "import-result" });
  form.append(h("p", { class: "muted" }, t("catalog_import.help")),
    h("div", { class: "field" }, h("label", { for: "import-file" }, t("catalog_import.file")), file),
    h("div", { class: "field" }, h("label", { for: "import-json" }, t("catalog_import.json")), text,
      h("div", { class: "error", "data-error-for": "items" })),
    h("div", { class: "error", "data-error-for": "" }),
    h("button", { type: "submit", class: "primary", id: "import-submit" }, t("catalog_import.submit")), out);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    for (const el of form.querySelectorAll("[data-error-for]")) el.textContent = "";
    let rows = [];
    try { rows = JSON.parse(text.value); } catch { rows = []; }
    if (!Array.isArray(rows)) rows = [];
    try {
      const r = await postRaw("/api/v1/catalog/import", text.value, "application/json");
      out.replaceChildren(h("p", { class: "notice", id: "import-done", "data-imported": r.imported }, t("catalog_import.done", { n: r.imported })), report(rows, r, null));
    } catch (err) {
      if (!(err instanceof ProblemError)) throw err;
      const perRow = (err.problem.errors || []).some((x) => x.field.startsWith("items["));
      if (perRow) {
        out.replaceChildren(h("p", { class: "notice bad", id: "import-failed" }, err.problem.detail), report(rows, null, err));
      } else {
        out.replaceChildren();
        showProblem(form, err);
      }
    }
  });
  return h("div", {}, h("h1", {}, t("catalog_import.title")), form);
}
