// Departments for the admin: the list (GET /api/v1/departments) and a form
// to register one (POST /api/v1/departments; a form as data, pages/form.js),
// the server's messages beside the fields.
import { all, h, t, tOr, fmtTime } from "../app.js";
import { form as buildForm } from "./form.js";

const cities = ["wuhan", "weifang", "changsha", "xiamen", "leshan"];

export async function render({ params }) {
  const city = params.get("city") || "";
  const items = await all("/api/v1/departments" + (city ? "?jurisdiction=" + city : ""));
  const fields = [
    { name: "code", label: "admin.department.code", required: true },
    { name: "name", label: "admin.department.name", required: true },
    { name: "jurisdiction", label: "admin.department.jurisdiction", kind: "select", options: cities, optionKey: "city.", value: city || cities[0], required: true },
    { name: "kind", label: "admin.department.kind", hint: "admin.department.kind_hint" },
  ];
  const form = departmentForm(fields, city);
  const created = params.get("created");
  const cityFilter = h("label", {}, t("inbox.filter.city"), h("select", { onchange: (e) => { location.hash = "#/admin/departments" + (e.target.value ? "?city=" + e.target.value : ""); } },
    h("option", { value: "" }, t("inbox.filter.all")), cities.map((c) => h("option", { value: c, selected: c === city }, t("city." + c)))));
  return h("div", {}, h("h1", {}, t("admin.departments")),
    created ? h("p", { class: "notice", id: "department-created" }, t("admin.department.created", { code: created })) : null,
    h("div", { class: "filters" }, cityFilter),
    h("table", { class: "list", id: "departments", "data-count": items.length },
      h("thead", {}, h("tr", {}, ["code", "name", "jurisdiction", "kind", "created_at"].map((c) => h("th", {}, t("admin.department." + c))))),
      h("tbody", {}, items.map((d) => h("tr", { "data-department": d.code },
        h("td", { "data-label": t("admin.department.code") }, d.code),
        h("td", { "data-label": t("admin.department.name") }, d.name),
        h("td", { "data-label": t("admin.department.jurisdiction") }, tOr("city." + d.jurisdiction, d.jurisdiction)),
        h("td", { "data-label": t("admin.department.kind") }, d.kind),
        h("td", { "data-label": t("admin.department.created_at") }, fmtTime(d.created_at)))))),
    form);
}

function departmentForm(fields, city) {
  return buildForm({
    id: "department-form", title: t("admin.department.new"), fields, path: "/api/v1/departments",
    submitLabel: "admin.department.create", body: (v) => v,
    done: (d) => { location.hash = "#/admin/departments?created=" + encodeURIComponent(d.code) + (city ? "&city=" + city : ""); },
  });
}
