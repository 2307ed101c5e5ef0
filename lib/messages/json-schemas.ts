/**
 * The JSON Schema export of the message schemas, for the other systems that write jobs and read
 * results. `scripts/generate-schemas.ts` writes these files into `schemas/`; a unit test fails when
 * the committed files differ from what the zod schemas produce.
 *
 * Jobs and commands are exported as *inputs* (what a producer may write: defaults and derived IDs
 * optional), results as *outputs* (what a consumer will read).
 */
import * as z from "zod";
import { DeleteJobSchema } from "./delete-job.ts";
import { DeletionResultSchema } from "./deletion-result.ts";
import { RecycleCommandSchema } from "./recycle-command.ts";
import { ResultMessageSchema } from "./result-message.ts";

/** One exported schema file. */
export interface SchemaFile {
  /** File name inside `schemas/`. */
  file: string;
  $id: string;
  title: string;
  description: string;
  schema: z.ZodType;
  io: "input" | "output";
}

/** Every exported schema file. */
export const SCHEMA_FILES: readonly SchemaFile[] = [
  {
    file: "delete-job.v1.json",
    $id: "urn:smh-batch-cleaner:schema:delete-job:v1",
    title: "DeleteJob v1",
    description:
      "One directory or album to delete, sent to the jobs queue. Unknown fields are refused; permanent must be a JSON boolean.",
    schema: DeleteJobSchema,
    io: "input",
  },
  {
    file: "deletion-result.v1.json",
    $id: "urn:smh-batch-cleaner:schema:deletion-result:v1",
    title: "DeletionResult v1",
    description:
      "What became of one delete job, published on the results queue. Results sharing a dedupKey report the same fact: keep one.",
    schema: DeletionResultSchema,
    io: "output",
  },
  {
    file: "recycle-command.v1.json",
    $id: "urn:smh-batch-cleaner:schema:recycle-command:v1",
    title: "RecycleCommand v1",
    description:
      "Restore or purge recycle-bin items, sent to the recycle-actions queue. Unknown fields are refused.",
    schema: RecycleCommandSchema,
    io: "input",
  },
  {
    file: "result-message.v1.json",
    $id: "urn:smh-batch-cleaner:schema:result-message:v1",
    title: "ResultMessage v1",
    description:
      "Any message on the results queue: a DeletionResult (type deletion), a RecycleActionResult (type recycle-action), a retention plan summary (type retention-plan) or a retention alert (type retention-alert).",
    schema: ResultMessageSchema,
    io: "output",
  },
];

const HEAD_KEYS = ["$schema", "$id", "title", "description", "type"];

// Objects get a fixed key order ($schema, $id, title, description, type, then alphabetical) so the files do not depend on the
// order zod happens to emit keywords in; a `properties` map keeps the fields' declared order, which
// is the order a reader expects (v, type, outcome, ...).
function canonical(value: unknown, keepOrder = false): unknown {
  if (Array.isArray(value)) return value.map((item) => canonical(item));
  if (typeof value !== "object" || value === null) return value;
  const keys = Object.keys(value);
  if (!keepOrder) {
    keys.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    out[key] = canonical(
      (value as Record<string, unknown>)[key],
      key === "properties" && !keepOrder,
    );
  }
  return out;
}

function rank(key: string): number {
  const index = HEAD_KEYS.indexOf(key);
  return index === -1 ? HEAD_KEYS.length : index;
}

/** Renders one schema file's text: canonical key order, 2-space JSON, trailing newline. */
export function renderSchemaFile(file: SchemaFile): string {
  const generated = z.toJSONSchema(file.schema, { io: file.io, target: "draft-2020-12" });
  const document = {
    ...generated,
    $id: file.$id,
    title: file.title,
    description: file.description,
  };
  return `${JSON.stringify(canonical(document), null, 2)}\n`;
}

/** Every schema file's name and text, in {@link SCHEMA_FILES} order. */
export function renderJsonSchemas(): Map<string, string> {
  return new Map(SCHEMA_FILES.map((file) => [file.file, renderSchemaFile(file)]));
}
