/**
 * The messages that cross a boundary: their zod schemas, parsers that never throw, result builders
 * and dedup keys. One source of truth for every message shape; `schemas/*.json` is generated from
 * here (`npm run schemas`).
 *
 * Decisions every producer and consumer should know:
 *
 * - **`v` is required** on every message, and only `1` is read. A default would have to be
 *   withdrawn the day v2 exists, and an unversioned message would then be read as whatever this
 *   code assumes; for a message that deletes, that ambiguity is not worth one saved field.
 * - **Jobs and commands are strict**: an unknown key is refused with a reason naming it, so a
 *   misspelt `permanant` or an unsupported `dryRun` never silently turns into a real deletion.
 *   `__proto__` and `constructor` keys are unknown keys like any other; nothing is assigned through
 *   them.
 * - **`permanent` is a JSON boolean**; `"true"`, `"false"`, `1`, `0` are refused: a coercion would
 *   make `"false"` (a non-empty string) one bug away from an irreversible delete.
 * - **Results are read leniently** (`parseResultMessage` drops unknown fields), so readers keep
 *   working when a writer adds an optional field to v1.
 * - **IDs are derived when absent**: see `deriveJobId` and `deriveCommandId`. **dedupKey**: see
 *   `dedup.ts`.
 */
export { type BodyParse, parseBody } from "./body.ts";
export {
  type CommandIdentity,
  MAX_COMMAND_BODY_BYTES,
  parseRecycleCommandBody,
  type RecycleCommandBodyParse,
} from "./command-body.ts";
export {
  type DeletionKeyParts,
  deletionDedupKey,
  type RecycleActionKeyParts,
  recycleActionDedupKey,
} from "./dedup.ts";
export {
  createDeleteJob,
  type DeleteJob,
  type DeleteJobInput,
  DeleteJobSchema,
  type DeletionTarget,
  deriveJobId,
  directoryPath as DirectoryPathSchema,
} from "./delete-job.ts";
export {
  type DeletionFacts,
  DeletionOutcome,
  type DeletionResult,
  type DeletionResultOf,
  DeletionResultSchema,
  deletionResult,
  rejectedDeletion,
} from "./deletion-result.ts";
export { encodeMessageBody } from "./encode.ts";
export {
  JobSource,
  libraryId as LibraryIdSchema,
  MAX_PATH_LENGTH,
  MESSAGE_VERSION,
  spaceId as SpaceIdSchema,
} from "./fields.ts";
export {
  type JobBodyParse,
  type JobIdentity,
  MAX_JOB_BODY_BYTES,
  parseJobBody,
} from "./job-body.ts";
export { renderJsonSchemas, SCHEMA_FILES, type SchemaFile } from "./json-schemas.ts";
export {
  type FieldReason,
  MAX_REASONS,
  type RejectionReason,
  type RuleReason,
  reasonsFromIssues,
} from "./reasons.ts";
export {
  type RecycleActionFacts,
  RecycleActionOutcome,
  type RecycleActionResult,
  type RecycleActionResultOf,
  RecycleActionResultSchema,
  recycleActionResult,
  rejectedRecycleCommand,
} from "./recycle-action-result.ts";
export {
  createRecycleCommand,
  deriveCommandId,
  MAX_RECYCLED_ITEMS_PER_COMMAND,
  type PurgeCommand,
  type RecycleCommand,
  type RecycleCommandInput,
  RecycleCommandSchema,
  type RecycleTarget,
  type RestoreCommand,
} from "./recycle-command.ts";
export type { RunFacts, SmhFailure, Timing } from "./result-fields.ts";
export {
  isOutcomeResult,
  MAX_RESULT_BODY_BYTES,
  type OutcomeResult,
  parseResultMessage,
  type ResultMessage,
  type ResultMessageParse,
  ResultMessageSchema,
  resultMessageAttributes,
} from "./result-message.ts";
