/**
 * `npm run check:cycles` (part of `npm test`): fails when a folder of `lib/` imports another that
 * imports it back, type-only imports included, when files import each other without a
 * `// import-cycle: <why>` comment above one of the imports, or when an import breaks one of the
 * layer rules below (docs/architecture.md). Prints the folders, lowest layer first.
 */
import { fileURLToPath } from "node:url";
import { checkImportCycles, describeCycleReport, failuresOf } from "./import-graph.ts";
import { LAYER_RULES } from "./layer-rules.ts";

const root = fileURLToPath(new URL("../lib", import.meta.url));
const report = checkImportCycles(root, LAYER_RULES);
process.stdout.write(describeCycleReport(report, "lib"));
process.exitCode = failuresOf(report) > 0 ? 1 : 0;
