#!/usr/bin/env node
// The CLI is written in TypeScript and run by Node's built-in type stripping (Node >= 22.18): an
// older Node gets one message saying what to install before anything TypeScript is loaded (a
// static import of a .ts file would fail first, with ERR_UNKNOWN_FILE_EXTENSION).
import { requireSupportedNode } from "./require-node.js";

requireSupportedNode();
const { main } = await import("../lib/cli/main.ts");

// `smh-cleaner … | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

process.exitCode = await main(process.argv);
