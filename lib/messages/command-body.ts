/**
 * Where a recycle command is parsed: the body of one recycle-actions-queue message becomes a
 * {@link RecycleCommand} or the reasons it was refused, together with whatever still identifies it.
 */
import * as z from "zod";
import { parseBody, pickField, pickFields } from "./body.ts";
import { bodyId } from "./digest.ts";
import { idempotencyKey, libraryId, requestedBy, spaceId } from "./fields.ts";
import type { FieldReason } from "./reasons.ts";
import { type RecycleCommand, RecycleCommandSchema } from "./recycle-command.ts";

/** The most UTF-8 bytes a command body may have (1,000 IDs fit several times over). */
export const MAX_COMMAND_BODY_BYTES = 64 * 1024;

/**
 * What still identifies a refused command. `commandId` is the body's own when valid, otherwise
 * `body-` and 32 hex characters of the body's SHA-256.
 */
export interface CommandIdentity {
  commandId: string;
  libraryId?: string;
  spaceId?: string;
  action?: "restore" | "purge";
  requestedBy?: string;
}

/** The outcome of {@link parseRecycleCommandBody}. */
export type RecycleCommandBodyParse =
  | { ok: true; command: RecycleCommand }
  | { ok: false; reasons: FieldReason[]; identity: CommandIdentity };

const commandIdField = idempotencyKey("commandId");
// The fields that say which command a refused body was, each kept only when valid.
const identityFields = {
  libraryId,
  spaceId,
  action: z.enum(["restore", "purge"]),
  requestedBy,
};

/**
 * Parses one recycle-actions-queue message body. Never throws, whatever the input; a refusal lists
 * every problem as `{ path, message }` and carries the {@link CommandIdentity} it could still read.
 */
export function parseRecycleCommandBody(body: string): RecycleCommandBodyParse {
  const parsed = parseBody(body, RecycleCommandSchema, MAX_COMMAND_BODY_BYTES, {
    refuseDuplicateKeys: true,
  });
  if (parsed.ok) return { ok: true, command: parsed.value };
  const identity: CommandIdentity = {
    commandId: pickField(parsed.raw, "commandId", commandIdField) ?? bodyId(body),
    ...pickFields(parsed.raw, identityFields),
  };
  return { ok: false, reasons: parsed.reasons, identity };
}
