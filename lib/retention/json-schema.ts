/**
 * The JSON Schema export of the retention rules file, for editors and for whoever writes rules in
 * another system. Rendered like the message schemas (same canonical key order and layout), as an
 * *input* schema: what an operator may write, defaults optional.
 *
 * What JSON Schema cannot say is still enforced when rules are loaded: unique rule IDs, a glob or
 * regex that compiles and is safe to run, the duration grammar, explicit caps on the space root.
 */
import { renderSchemaFile, type SchemaFile } from "../messages/json-schemas.ts";
import { RetentionRulesSchema } from "./rules.ts";

/** The rules file's schema, described as a file of `schemas/`. */
export const RETENTION_RULES_SCHEMA_FILE: SchemaFile = {
  file: "retention-rules.v1.json",
  $id: "urn:smh-batch-cleaner:schema:retention-rules:v1",
  title: "Retention rules v1",
  description:
    "Scheduled retention rules: which child directories of a parent to delete once older than maxAge, with caps that refuse a run deleting too much. Unknown fields are refused.",
  schema: RetentionRulesSchema,
  io: "input",
};

/**
 * The retention JSON Schema files by name, in the shape of `renderJsonSchemas()` from
 * `lib/messages`, ready to be written into `schemas/`.
 *
 * @example for (const [file, text] of renderRetentionJsonSchemas()) writeFileSync(new URL(file, directory), text);
 */
export function renderRetentionJsonSchemas(): Map<string, string> {
  return new Map([
    [RETENTION_RULES_SCHEMA_FILE.file, renderSchemaFile(RETENTION_RULES_SCHEMA_FILE)],
  ]);
}
