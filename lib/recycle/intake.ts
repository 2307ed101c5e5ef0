/**
 * Where a recycle command is accepted or refused: every record's body is parsed and checked
 * against the policy before anything reaches SMH. A refusal becomes `rejected` results at once —
 * one for a body that is not a valid command, one per item for a command the policy forbids — and
 * is never retried. Records carrying the same command (the same commandId, delivered twice) are
 * merged so the command runs once.
 */

import type { QueueRecord } from "../batch/records.ts";
import { parseRecycleCommandBody } from "../messages/command-body.ts";
import type { FieldReason, RejectionReason } from "../messages/reasons.ts";
import {
  type RecycleActionResult,
  rejectedRecycleCommand,
} from "../messages/recycle-action-result.ts";
import type { RecycleCommand } from "../messages/recycle-command.ts";
import type { DeletionPolicy } from "../policy/config.ts";
import { evaluateRecycleAction } from "../policy/recycle.ts";

/** A valid, allowed command and the records that carry it. */
export interface AcceptedCommand {
  readonly command: RecycleCommand;
  readonly records: QueueRecord[];
  /** The highest receive count among its records. */
  receiveCount: number;
}

/** A refused record and its `rejected` results. */
export interface RefusedCommand {
  readonly record: QueueRecord;
  readonly results: RecycleActionResult[];
}

export interface CommandIntake {
  readonly accepted: AcceptedCommand[];
  readonly refused: RefusedCommand[];
}

/**
 * Parses and checks every record; one bad record never affects the others.
 *
 * @example
 * const { accepted, refused } = admitCommands(records, policy, () => new Date());
 */
export function admitCommands(
  records: readonly QueueRecord[],
  policy: DeletionPolicy,
  now: () => Date,
): CommandIntake {
  const byId = new Map<string, AcceptedCommand>();
  const refused: RefusedCommand[] = [];
  for (const record of records) {
    const startedAt = now();
    const parsed = parseRecycleCommandBody(record.body);
    if (!parsed.ok) {
      const timing = { startedAt, finishedAt: now() };
      refused.push({
        record,
        results: [rejectedRecycleCommand(parsed.identity, parsed.reasons, timing)],
      });
      continue;
    }
    const { command } = parsed;
    const verdict = evaluateRecycleAction(policy, command);
    if (!verdict.allowed) {
      refused.push({ record, results: perItem(command, verdict.violations, startedAt, now) });
      continue;
    }
    const existing = byId.get(command.commandId);
    if (!existing) {
      byId.set(command.commandId, {
        command,
        records: [record],
        receiveCount: record.receiveCount,
      });
      continue;
    }
    if (!sameWork(existing.command, command)) {
      const reason: FieldReason = {
        path: "commandId",
        message: `commandId ${command.commandId} is already used in this batch for different work`,
      };
      refused.push({ record, results: perItem(command, [reason], startedAt, now) });
      continue;
    }
    existing.records.push(record);
    existing.receiveCount = Math.max(existing.receiveCount, record.receiveCount);
  }
  return { accepted: [...byId.values()], refused };
}

/** One `rejected` result per item: every item of a command gets a result. */
function perItem(
  command: RecycleCommand,
  reasons: readonly RejectionReason[],
  startedAt: Date,
  now: () => Date,
): RecycleActionResult[] {
  const timing = { startedAt, finishedAt: now() };
  return command.recycledItemIds.map((item) =>
    rejectedRecycleCommand(command, reasons, timing, item),
  );
}

/** Whether two commands with one commandId ask for the same work. */
function sameWork(a: RecycleCommand, b: RecycleCommand): boolean {
  const ids = (command: RecycleCommand) =>
    JSON.stringify([...command.recycledItemIds].sort((x, y) => x - y));
  const strategies = (command: RecycleCommand) =>
    command.action === "restore"
      ? `${command.conflictStrategy}/${command.restorePathStrategy}`
      : "";
  return (
    a.action === b.action &&
    a.libraryId === b.libraryId &&
    a.spaceId === b.spaceId &&
    ids(a) === ids(b) &&
    strategies(a) === strategies(b)
  );
}
