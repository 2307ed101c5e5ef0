/**
 * Writes the JSON Schemas of the queue messages, the retention rules file and the deletion policy
 * into `schemas/` (`npm run schemas`). Run it after changing a schema in `lib/messages`,
 * `lib/retention` or `lib/policy`;
 * `test/unit/messages/schemas-in-sync.test.ts` fails until the committed files match.
 */
import { writeFileSync } from "node:fs";
import { renderJsonSchemas } from "../lib/messages/json-schemas.ts";
import { renderPolicyJsonSchemas } from "../lib/policy/json-schema.ts";
import { renderRetentionJsonSchemas } from "../lib/retention/json-schema.ts";

const directory = new URL("../schemas/", import.meta.url);
const files = [
  ...renderJsonSchemas(),
  ...renderRetentionJsonSchemas(),
  ...renderPolicyJsonSchemas(),
];
for (const [file, text] of files) {
  writeFileSync(new URL(file, directory), text);
  process.stdout.write(`wrote schemas/${file}\n`);
}
