#!/usr/bin/env node
// The CLI is written in TypeScript and run by Node's built-in type stripping (Node >= 22.18).
import { main } from "../lib/cli/main.ts";

process.exitCode = await main(process.argv);
