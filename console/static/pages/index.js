// The console's pages: each route is a pattern on the location's hash, the
// page module that renders it, and whether it needs a session. navFor lists
// the links a role sees. Add a page here (CONSOLE.md, "Adding a page").
import * as signin from "./signin.js";
import * as inbox from "./inbox.js";
import * as task from "./task.js";
import * as home from "./home.js";
import * as catalog from "./catalog.js";
import * as file from "./file.js";
import * as record from "./record.js";
import * as mine from "./mine.js";
import * as open from "./open.js";
import * as pub from "./public.js";
// Auditor and admin pages (console2).
import * as audit from "./audit.js";
import * as timeline from "./audit_timeline.js";
import * as report from "./audit_report.js";
import * as evaluation from "./audit_evaluation.js";
import * as more from "./more.js";
import * as uses from "./uses.js";
import * as openPlan from "./open_plan.js";
import * as openList from "./open_list.js";
import * as departments from "./admin_departments.js";
import * as calendar from "./admin_calendar.js";
import * as regulations from "./admin_regulations.js";
import * as notifications from "./admin_notifications.js";
import * as catalogImport from "./admin_catalog_import.js";

export const routes = [
  { path: /^\/$/, render: home.render, auth: false },
  { path: /^\/signin$/, render: signin.render, auth: false },
  { path: /^\/inbox$/, render: inbox.render, auth: true },
  { path: /^\/tasks\/([^/]+)$/, render: task.render, auth: true },
  { path: /^\/catalog$/, render: catalog.render, auth: true },
  { path: /^\/file\/([a-z_]+)$/, render: file.render, auth: true },
  { path: /^\/records\/([a-z_]+)\/([^/]+)$/, render: record.render, auth: true },
  { path: /^\/mine$/, render: mine.render, auth: true },
  { path: /^\/open$/, render: open.render, auth: true },
  { path: /^\/apply$/, render: open.apply, auth: true },
  { path: /^\/apply\/resubmit$/, render: open.resubmit, auth: true },
  { path: /^\/object$/, render: open.object, auth: true },
  { path: /^\/public$/, render: pub.render, auth: false },
  { path: /^\/open-plan$/, render: openPlan.render, auth: false },
  { path: /^\/open-list$/, render: openList.render, auth: false },
  // Auditor and admin pages (console2).
  { path: /^\/audit$/, render: audit.render, auth: true },
  { path: /^\/audit\/procedures\/([^/]+)$/, render: timeline.render, auth: true },
  { path: /^\/reports\/deadlines$/, render: report.render, auth: true },
  { path: /^\/reports\/evaluation$/, render: evaluation.render, auth: true },
  { path: /^\/more$/, render: more.render, auth: true },
  { path: /^\/uses$/, render: uses.render, auth: true },
  { path: /^\/admin\/departments$/, render: departments.render, auth: true },
  { path: /^\/admin\/calendar$/, render: calendar.render, auth: true },
  { path: /^\/admin\/regulations$/, render: regulations.render, auth: true },
  { path: /^\/admin\/notifications$/, render: notifications.render, auth: true },
  { path: /^\/admin\/catalog-import$/, render: catalogImport.render, auth: true },
];

// Reviewers: the roles that decide tasks.
const reviewers = ["department", "authority", "infocenter", "government"];

/** navFor lists [href, message key] of the links a session's role sees (the public pages for everyone). */
export function navFor(session) {
  const links = [];
  if (!session) return [["#/public", "nav.public"], ["#/open-list", "nav.open_list"], ["#/open-plan", "nav.open_plan"]];
  if (reviewers.includes(session.role) || session.role === "auditor" || session.role === "admin") links.push(["#/inbox", "nav.inbox"]);
  if (session.role === "department") links.push(["#/catalog", "nav.catalog"], ["#/more", "nav.more"], ["#/uses", "nav.uses"], ["#/mine", "nav.mine"]);
  // The authority converts qualifying data from the catalog (weifang 第二十四条第二款).
  if (session.role === "authority") links.push(["#/catalog", "nav.catalog"], ["#/mine", "nav.mine"]);
  if (session.role === "applicant") links.push(["#/open", "nav.open"], ["#/mine", "nav.mine_applications"]);
  // Auditor and admin pages (console2).
  if (session.role === "auditor" || session.role === "admin") links.push(["#/audit", "nav.audit"], ["#/reports/deadlines", "nav.report"], ["#/reports/evaluation", "nav.evaluation"]);
  if (session.role === "auditor") links.push(["#/uses", "nav.uses"]);
  if (session.role === "admin") {
    links.push(["#/admin/departments", "nav.departments"], ["#/admin/catalog-import", "nav.catalog_import"], ["#/admin/calendar", "nav.calendar"],
      ["#/admin/regulations", "nav.regulations"], ["#/admin/notifications", "nav.notifications"]);
  }
  links.push(["#/public", "nav.public"], ["#/open-list", "nav.open_list"], ["#/open-plan", "nav.open_plan"]);
  return links;
}
