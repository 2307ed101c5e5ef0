/**
 * Writes the JSON Schemas of the queue messages and of the retention rules file into `schemas/`
 * (`npm run schemas`). Run it after changing a schema in `lib/messages` or `lib/retention`;
 * `test/unit/messages/schemas-in-sync.test.ts` fails until the committed files match.
 */
import { writeFileSync } from "node:fs";
import { renderJsonSchemas } from "../lib/messages/json-schemas.ts";
import { renderRetentionJsonSchemas } from "../lib/retention/json-schema.ts";

const directory = new URL("../schemas/", import.meta.url);
for (const [file, text] of [...renderJsonSchemas(), ...renderRetentionJsonSchemas()]) {
  writeFileSync(new URL(file, directory), text);
  process.stdout.write(`wrote schemas/${file}\n`);
}
