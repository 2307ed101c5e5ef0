/**
 * Writes the JSON Schemas of the queue messages into `schemas/` (`npm run schemas`).
 * Run it after changing a schema in `lib/messages`; `test/unit/messages/schemas-in-sync.test.ts`
 * fails until the committed files match.
 */
import { writeFileSync } from "node:fs";
import { renderJsonSchemas } from "../lib/messages/json-schemas.ts";

const directory = new URL("../schemas/", import.meta.url);
for (const [file, text] of renderJsonSchemas()) {
  writeFileSync(new URL(file, directory), text);
  process.stdout.write(`wrote schemas/${file}\n`);
}
