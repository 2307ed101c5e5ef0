/**
 * The JSON Schema export of the deletion policy, for editors and for whoever writes the policy in
 * another system (`SMH_POLICY`, the `smhPolicy` deployment parameter). Rendered like the message
 * schemas, as an *input* schema: what an operator may write, defaults optional. Its descriptions
 * carry the matching rule: what allows matches exactly, what protects matches loosely.
 *
 * What JSON Schema cannot say is still enforced when the policy is loaded: paths a job could not
 * name, globs that cannot be used safely, `maxDepth` below `minDepth`.
 */
import { renderSchemaFile, type SchemaFile } from "../messages/json-schemas.ts";
import { DeletionPolicySchema } from "./config.ts";

/** The policy's schema, described as a file of `schemas/`. */
export const DELETION_POLICY_SCHEMA_FILE: SchemaFile = {
  file: "deletion-policy.v1.json",
  $id: "urn:smh-batch-cleaner:schema:deletion-policy:v1",
  title: "Deletion policy v1",
  description:
    "What may be deleted, per library: allowed spaces, prefixes and paths (matched exactly), protected paths and globs (matched loosely, so look-alikes are protected too), permanent deletion and purging. Unknown fields are refused.",
  schema: DeletionPolicySchema,
  io: "input",
};

/**
 * The policy's JSON Schema file by name, in the shape of `renderJsonSchemas()` from `lib/messages`.
 *
 * @example for (const [file, text] of renderPolicyJsonSchemas()) writeFileSync(new URL(file, directory), text);
 */
export function renderPolicyJsonSchemas(): Map<string, string> {
  return new Map([
    [DELETION_POLICY_SCHEMA_FILE.file, renderSchemaFile(DELETION_POLICY_SCHEMA_FILE)],
  ]);
}
