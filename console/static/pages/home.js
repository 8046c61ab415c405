// The start page: a signed-in user goes to the first page of their role.
import { session, h, t } from "../app.js";
import { navFor } from "./index.js";

export async function render() {
  if (!session) { location.hash = "#/signin"; return h("p", {}, t("app.loading")); }
  const links = navFor(session);
  if (links.length) { location.hash = links[0][0]; return h("p", {}, t("app.loading")); }
  return h("p", {}, t("home.nothing"));
}
