/**
 * RecycleCommand v1: restore or purge recycle-bin items, as it arrives on the recycle-actions queue.
 *
 * Strict like DeleteJob (an unknown key is an error), and discriminated on `action`: only a
 * restore takes `conflictStrategy` and `restorePathStrategy`, so a purge carrying them is refused
 * rather than run with options that mean nothing to it.
 */
import * as z from "zod";
import { digest } from "./digest.ts";
import {
  idempotencyKey,
  libraryId,
  messageVersion,
  reason,
  recycledItemId,
  requestedBy,
  spaceId,
} from "./fields.ts";

/** The most recycled items one command may name (SMH's batch limit). */
export const MAX_RECYCLED_ITEMS_PER_COMMAND = 1000;

const recycledItemIds = z
  .array(recycledItemId)
  .min(1)
  .max(MAX_RECYCLED_ITEMS_PER_COMMAND)
  .superRefine((ids, ctx) => {
    const firstIndex = new Map<number, number>();
    ids.forEach((id, index) => {
      const first = firstIndex.get(id);
      if (first === undefined) {
        firstIndex.set(id, index);
      } else {
        ctx.addIssue({
          code: "custom",
          path: [index],
          message: `duplicate recycledItemId ${id} (first at index ${first})`,
        });
      }
    });
  })
  // uniqueItems tells JSON Schema readers what the refinement above enforces.
  .meta({ description: "Recycle-bin item IDs: 1 to 1,000, each once.", uniqueItems: true });

const common = {
  commandId: idempotencyKey(
    "Caller's idempotency key. When absent it is derived from the action, library, space, the sorted item IDs and the strategies.",
  ).optional(),
  libraryId,
  spaceId: spaceId.default("-"),
  recycledItemIds,
  requestedBy: requestedBy.optional(),
  reason: reason.optional(),
};

const restore = z.strictObject({
  v: messageVersion,
  action: z.literal("restore"),
  ...common,
  conflictStrategy: z.enum(["ask", "rename"]).default("rename").meta({
    description:
      "When a same-name item exists at the destination: rename the restored item (default), or ask (the item's result is a conflict).",
  }),
  restorePathStrategy: z.enum(["originalPath", "fallbackToRoot"]).default("originalPath").meta({
    description:
      "Where to restore when the original parent directory is gone: fail (originalPath, default) or restore to the space root (fallbackToRoot).",
  }),
});

const purge = z.strictObject({ v: messageVersion, action: z.literal("purge"), ...common });

/** A parsed restore command: `commandId` always set, defaults applied. */
export type RestoreCommand = Omit<z.output<typeof restore>, "commandId"> & { commandId: string };
/** A parsed purge command: `commandId` always set. Purging cannot be undone. */
export type PurgeCommand = Omit<z.output<typeof purge>, "commandId"> & { commandId: string };
/** A parsed, valid recycle command. Narrow on `action`. */
export type RecycleCommand = RestoreCommand | PurgeCommand;

/** What identifies the work a command asks for; the derived commandId hashes exactly these. */
export type RecycleTarget = {
  libraryId: string;
  spaceId: string;
  recycledItemIds: readonly number[];
} & (
  | {
      action: "restore";
      conflictStrategy: RestoreCommand["conflictStrategy"];
      restorePathStrategy: RestoreCommand["restorePathStrategy"];
    }
  | { action: "purge" }
);

/**
 * The command ID used when a command has none: `auto-` and 32 hex characters of a SHA-256 over the
 * action, library, space, the item IDs in ascending order and (for a restore) both strategies. The
 * order the IDs were listed in does not change it.
 */
export function deriveCommandId(command: RecycleTarget): string {
  const ids = [...command.recycledItemIds].sort((a, b) => a - b);
  const strategies =
    command.action === "restore"
      ? [command.conflictStrategy, command.restorePathStrategy]
      : [null, null];
  const parts = [command.action, command.libraryId, command.spaceId, ids, ...strategies];
  return `auto-${digest("recycle-command/v1", parts).slice(0, 32)}`;
}

/** The RecycleCommand v1 schema. Input: the JSON a producer writes. Output: {@link RecycleCommand}. */
export const RecycleCommandSchema = z
  .discriminatedUnion("action", [restore, purge])
  .transform((command): RecycleCommand => {
    const { v, commandId, ...rest } = command;
    return { v, commandId: commandId ?? deriveCommandId(rest), ...rest } as RecycleCommand;
  });

/** The JSON a producer writes. */
export type RecycleCommandInput = z.input<typeof RecycleCommandSchema>;

/**
 * Builds a command for a producer (the CLI): applies the defaults and derives the commandId when
 * absent. Throws a `ZodError` listing every invalid field.
 */
export function createRecycleCommand(
  input: DistributiveOmit<RecycleCommandInput, "v">,
): RecycleCommand {
  return RecycleCommandSchema.parse({ v: 1, ...input });
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
