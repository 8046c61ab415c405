// What the console knows of each procedure, from the server's descriptors
// (GET /api/v1/procedure-kinds, workflows.Procedures), read once and shared
// by every page: adding a procedure to the server needs no edit here.
import { api } from "../app.js";

let kinds;

/** procedureKinds answers the server's procedures in its order: {name, route, title, plural, file}. */
export function procedureKinds() {
  kinds ||= api("GET", "/api/v1/procedure-kinds").then((r) => r.items, (err) => { kinds = undefined; throw err; });
  return kinds;
}

/** procedures answers, by each procedure's name, where its records are read (GET {route}/{id}). */
export async function procedures() {
  return Object.fromEntries((await procedureKinds()).map((k) => [k.name, k.route]));
}
