#!/usr/bin/env node
// The CLI is written in TypeScript and run by Node's built-in type stripping (Node >= 22.18).
import { main } from "../lib/cli/main.ts";

// `smh-cleaner … | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

process.exitCode = await main(process.argv);
