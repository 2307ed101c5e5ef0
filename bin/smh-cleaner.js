#!/usr/bin/env node
// The CLI is written in TypeScript and run by Node's built-in type stripping (Node >= 22.18): an
// older Node gets one message saying what to install before anything TypeScript is loaded (a
// static import of a .ts file would fail first, with ERR_UNKNOWN_FILE_EXTENSION).
import { sep } from "node:path";
import { fileURLToPath } from "node:url";
import { requireSupportedNode } from "./require-node.js";

requireSupportedNode();
// Installed as another project's dependency, the package carries the message schemas
// ("smh-batch-cleaner/messages", built JavaScript), not a CLI that could run there.
if (
  fileURLToPath(import.meta.url)
    .split(sep)
    .includes("node_modules")
) {
  process.stderr.write(
    'smh-cleaner runs from a clone of smh-batch-cleaner (npm start, npx smh-cleaner there): Node does not strip TypeScript types under node_modules. As a dependency, this package provides its message schemas: import them from "smh-batch-cleaner/messages".\n',
  );
  process.exit(1);
}
const { main } = await import("../lib/cli/main.ts");

// `smh-cleaner … | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

process.exitCode = await main(process.argv);
