/**
 * The layer rules of docs/architecture.md, as far as folders of `lib/` can say them: what
 * `npm run check:cycles` checks besides cycles.
 */
import type { LayerRule } from "./import-graph.ts";

const DOMAINS = ["delete", "recycle", "retention"];

export const LAYER_RULES: readonly LayerRule[] = [
  {
    folder: "messages",
    mayNotImport: [...DOMAINS, "batch", "policy", "config", "observability", "local", "cli", "sim"],
    why: "message shapes are the bottom layer: every domain reads them, they know no domain",
  },
  {
    folder: "batch",
    mayNotImport: [...DOMAINS, "observability", "local", "cli"],
    why: "the shared queue-batch plumbing knows no domain",
  },
  {
    folder: "ledger",
    mayNotImport: [...DOMAINS, "batch", "observability", "local", "cli"],
    why: "the ledger sits below the batch plumbing and the domains that write through it",
  },
  { folder: "smh", mayNotImport: ["sim"], why: "the client must work against the real service" },
  { folder: "sim", mayNotImport: ["smh"], why: "the simulator must not be shaped by the client" },
  {
    folder: "delete",
    mayNotImport: ["recycle", "retention", "observability", "local", "cli"],
    why: "a domain stands on the shared layers only, so its Lambda bundle carries only itself",
  },
  {
    folder: "recycle",
    mayNotImport: ["delete", "retention", "observability", "local", "cli"],
    why: "a domain stands on the shared layers only, so its Lambda bundle carries only itself",
  },
  {
    folder: "retention",
    mayNotImport: ["delete", "recycle", "observability", "local", "cli"],
    why: "a domain stands on the shared layers only, so its Lambda bundle carries only itself",
  },
];
