/**
 * Stable names of the SMH routes the simulator serves. They key the call-log counters and select
 * which routes a fault applies to (`faults.routes`).
 */
export const ROUTE_NAMES = [
  "token.create",
  "token.renew",
  "token.delete",
  "token.deleteForUser",
  "space.list",
  "space.create",
  "space.delete",
  "directory.list",
  "directory.info",
  "directory.head",
  "directory.create",
  "directory.delete",
  "file.delete",
  "recycled.list",
  "recycled.info",
  "recycled.restore",
  "recycled.restoreBatch",
  "recycled.purge",
  "recycled.purgeBatch",
  "recycled.empty",
  "recycled.lifecycle",
  "batch.delete",
  "task.query",
  "task.queryLibrary",
] as const;
export type RouteName = (typeof ROUTE_NAMES)[number];

/** The routes faults apply to by default: every SMH route except the token routes. */
export const DEFAULT_FAULT_ROUTES: readonly RouteName[] = ROUTE_NAMES.filter(
  (name) => !name.startsWith("token."),
);
