/**
 * `npm run check:cycles` (part of `npm test`): fails when a folder of `lib/` imports another that
 * imports it back, type-only imports included, or when files import each other without a
 * `// import-cycle: <why>` comment above one of the imports. Prints the folders lowest layer first.
 */
import { fileURLToPath } from "node:url";
import { checkImportCycles, describeCycleReport } from "./import-graph.ts";

const root = fileURLToPath(new URL("../lib", import.meta.url));
const report = checkImportCycles(root);
process.stdout.write(describeCycleReport(report, "lib"));
process.exitCode = report.folderCycles.length + report.fileCycles.length > 0 ? 1 : 0;
