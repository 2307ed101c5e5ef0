// dynalite ships no types: the part the benchmark and the tests use.
declare module "dynalite" {
  import type { Server } from "node:http";

  /** An in-memory DynamoDB-compatible HTTP server (not yet listening). */
  export default function dynalite(options?: {
    /** How long a new table stays CREATING, ms. @default 500 */
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    /** A LevelDB directory; in memory when absent. */
    path?: string;
  }): Server;
}
