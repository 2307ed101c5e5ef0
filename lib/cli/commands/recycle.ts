import { Command, InvalidArgumentError, Option } from "commander";
import type { LedgerScanStats } from "../../ledger/read.ts";
import { restorableFromLedger, type SettledReason } from "../../ledger/restorable.ts";
import { encodeMessageBody } from "../../messages/encode.ts";
import { libraryId as LibraryIdSchema, spaceId as SpaceIdSchema } from "../../messages/fields.ts";
import {
  createRecycleCommand,
  MAX_RECYCLED_ITEMS_PER_COMMAND,
  type RecycleCommand,
} from "../../messages/recycle-command.ts";
import { readQueueAttributes } from "../../queues/attributes.ts";
import { publish } from "../../queues/publish.ts";
import { createQueueContext } from "../context.ts";
import { CliError } from "../errors.ts";
import { ExitCode } from "../exit-codes.ts";
import { listenForInterrupt } from "../interrupt.ts";
import {
  addLedgerLocationOptions,
  createLedgerContext,
  type LedgerLocationFlags,
  ledgerFailure,
} from "../ledger/location.ts";
import { describeScan, reportProblems } from "../ledger/report.ts";
import {
  addSelectorOptions,
  givenSelectorFlags,
  type SelectorFlags,
  selectorsFromFlags,
} from "../ledger/selectors.ts";
import {
  addOutputOptions,
  addQueueLocationOptions,
  positiveInteger,
  type QueueLocationFlags,
} from "../options.ts";
import { info, type OutputFlags, printJson, printLine, warn } from "../output.ts";
import { ask, canPrompt } from "../prompt.ts";
import { type ResultsCount, recycleItemProgress } from "../recycle/item-progress.ts";
import { itemKey, type RecycledEntry, readExports } from "../recycle/selection.ts";
import { osUser } from "../user.ts";
import { exitCodeAfterSending, messagesInQueue, waitForQueue } from "../wait.ts";

type Action = "restore" | "purge";

interface RecycleFlags
  extends QueueLocationFlags,
    OutputFlags,
    LedgerLocationFlags,
    Omit<SelectorFlags, "outcome" | "type"> {
  from?: string[];
  limit?: number;
  max?: number;
  conflict?: "ask" | "rename";
  restorePath?: "originalPath" | "fallbackToRoot";
  yes?: boolean;
  dryRun?: boolean;
  reason?: string;
  requestedBy?: string;
  wait?: boolean;
  waitTimeout: number;
}

/** The cap on a purge when --max is not given: purging cannot be undone. */
export const DEFAULT_MAX_PURGE = 1000;

const HELP: Record<Action, string> = {
  restore: `
Input, one of:
  - the ledger (no IDs, no --from): selectors (--plan-id, --source, --job-id, --library, --space,
    --path-prefix, --since, --until) choose deletions in the ledger; the items are those they put
    in the recycle bin ("recycled" and "recovered" results), less any that a later restore, purge
    or expiry in the ledger already settled (whoever sent it) — each count is printed. The ledger
    is found like "smh-cleaner ledger" finds it (--bucket, LEDGER_BUCKET, the local stack).
  - recycle-bin item IDs as arguments (with --library, and --space unless "-");
  - one or more results exports (--from, as written by "smh-cleaner results --out"; .csv or
    NDJSON): the same, from the files, narrowed by --plan-id, --library, --space.
  From the ledger or exports, --limit N takes the first N (ordered by path, so "--limit 500" of a
  dated album plan is its oldest 500).
Items are grouped by library and space into restore commands of up to 1,000 IDs on the
  recycle-actions queue; the recycle-actions function restores them and writes one result per
  item (restored with the final path, conflict, expired, failed) to the results queue.
A name clash at the destination is renamed ("name (1)") unless --conflict ask, which reports it
  as a conflict instead (and restores one item per SMH call: SMH's batch restore always renames).

Exit codes: 0 enqueued (or --dry-run), 1 some commands not sent, or --wait saw commands
  dead-lettered or timed out, 2 usage, 3 an input line is not a result (nothing sent), 4 more
  items than --max (nothing sent), 5 SQS or the ledger unavailable, 130 interrupted.

Examples:
  smh-cleaner restore --plan-id plan-20250501T101500Z-3f2a9c1d --limit 500 --dry-run
  smh-cleaner restore --plan-id plan-20250501T101500Z-3f2a9c1d --limit 500 --wait
  smh-cleaner restore --from purge-2019.ndjson --plan-id plan-20250501T101500Z-3f2a9c1d --limit 500 --wait
  smh-cleaner restore --library smhdemo000001 --space spacedemobulk 1201 1202 --dry-run --json`,
  purge: `
PURGING CANNOT BE UNDONE: the items leave the recycle bin for good. It needs --yes (or "yes" typed
  on a terminal), and the deletion policy must allow it for the library (allowPurge: true).
Input as for restore: selectors reading the ledger (no IDs, no --from), IDs as arguments (with
  --library, --space), or results exports (--from): the items deletions put in the recycle bin,
  less any that a restore, purge or expiry already settled — so after restoring half of a plan,
  "purge --plan-id P --yes" purges the other half (from exports: "purge --from deletions.ndjson
  --from restores.ndjson").
Items are grouped by library and space into purge commands of up to 1,000 IDs; each item gets a
  result: purged, expired (SMH no longer knew it), failed or rejected.

Exit codes: 0 enqueued (or --dry-run), 1 some commands not sent, or --wait saw commands
  dead-lettered or timed out, 2 usage, 3 an input line is not a result (nothing sent), 4 not
  confirmed (no --yes) or more items than --max (nothing sent), 5 SQS or the ledger unavailable,
  130 interrupted.

Examples:
  smh-cleaner purge --plan-id plan-20250501T101500Z-3f2a9c1d --dry-run
  smh-cleaner purge --plan-id plan-20250501T101500Z-3f2a9c1d --yes --wait
  smh-cleaner purge --from purge-2019.ndjson --from restores.ndjson --plan-id plan-… --yes --wait
  smh-cleaner purge --library smhdemo000001 --space spacedemobulk 1203 --dry-run`,
};

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function idOf(value: string): number {
  const id = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(id) || id < 1) {
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not a recycledItemId`);
  }
  return id;
}

/** `smh-cleaner restore` or `smh-cleaner purge`: enqueue recycle-actions commands. */
export function recycleCommand(action: Action): Command {
  const command = new Command(action)
    .description(
      action === "restore"
        ? "Restore recycle-bin items (by plan or other selectors from the ledger, by ID, or from a results export)"
        : "Purge recycle-bin items for good (by selectors from the ledger, by ID, or from a results export)",
    )
    .argument("[recycledItemIds...]", "recycle-bin item IDs (with --library and --space)")
    .option("--from <file>", "a results export (.ndjson or .csv); repeatable", collect)
    .option("--library <libraryId>", "the library of the IDs; otherwise only this library")
    .option("--space <spaceId>", 'the space of the IDs (default "-"); otherwise only this space')
    .option("--plan-id <planId>", "only items deleted by this plan");
  addSelectorOptions(command, ["source", "jobId", "pathPrefix", "since", "until"], {
    source: "ledger: only items deleted by jobs from this source",
    jobId: "ledger: only the item this job deleted",
    pathPrefix: "ledger: only items whose path started with this, exactly as written",
    since: "ledger: only deletions finished at or after (2025-05-01, or ISO-8601 with offset)",
    until: "ledger: only deletions finished at or before (a date includes the whole day)",
  });
  command
    .option("--limit <n>", "ledger or --from: only the first N items (by path)", positiveInteger)
    .option(
      "--max <n>",
      `refuse (exit 4) more items than this${action === "purge" ? ` (default ${DEFAULT_MAX_PURGE})` : ""}`,
      positiveInteger,
    );
  if (action === "restore") {
    command
      .addOption(
        new Option("--conflict <strategy>", "when a same-name item exists: rename or ask")
          .choices(["rename", "ask"])
          .default("rename"),
      )
      .addOption(
        new Option("--restore-path <strategy>", "when the original parent is gone")
          .choices(["originalPath", "fallbackToRoot"])
          .default("originalPath"),
      );
  } else {
    command.option("-y, --yes", "confirm: purging cannot be undone");
  }
  command
    .option("--dry-run", "show the commands that would be sent; send nothing")
    .option("--reason <text>", "reason recorded on every command")
    .option("--requested-by <who>", "requestedBy of every command (default: OS user)")
    .option("--wait", "after enqueuing, wait until the recycle-actions queue has processed them")
    .option("--wait-timeout <seconds>", "how long --wait waits", positiveInteger, 900);
  addOutputOptions(command, "print what was selected and sent as JSON on stdout");
  addQueueLocationOptions(command, ["recycle-actions", "recycle-actions-dlq", "results"]);
  addLedgerLocationOptions(command, false);
  return command
    .addHelpText("after", HELP[action])
    .action(async (ids: string[], flags: RecycleFlags) => {
      process.exitCode = await run(action, ids, flags);
    });
}

/** What was chosen, and why the rest was not. */
interface Selection {
  items: {
    libraryId: string;
    spaceId: string;
    recycledItemId: number;
    path?: string | undefined;
  }[];
  /** Items a recycle action in the files already settled. */
  alreadySettled: number;
  /** Items left out by --limit. */
  beyondLimit: number;
  /** Items the files hold that --plan-id, --library or --space left out. */
  filteredOut: number;
  /** From the ledger: what it held and where. */
  ledger?: {
    where: string;
    /** Distinct items the selected deletions put in the recycle bin. */
    selected: number;
    /** Of those, settled by a later recycle action, by reason. */
    leftOut: Record<SettledReason, number>;
    deletions: LedgerScanStats;
    recycleActions: LedgerScanStats | undefined;
  };
}

async function run(action: Action, ids: string[], flags: RecycleFlags): Promise<ExitCode> {
  const selection =
    ids.length > 0
      ? fromIds(ids, flags)
      : flags.from !== undefined
        ? await fromExports(flags)
        : await fromLedger(flags);
  if (selection === undefined) return ExitCode.invalidInput;
  const count = selection.items.length;
  const max = flags.max ?? (action === "purge" ? DEFAULT_MAX_PURGE : undefined);
  const commands = buildCommands(action, selection, flags);
  const summary = {
    action,
    selected: count,
    alreadySettled: selection.alreadySettled,
    beyondLimit: selection.beyondLimit,
    filteredOut: selection.filteredOut,
    ...(selection.ledger === undefined
      ? {}
      : {
          ledger: {
            where: selection.ledger.where,
            selected: selection.ledger.selected,
            leftOut: selection.ledger.leftOut,
            objectsRead:
              selection.ledger.deletions.objectsRead +
              (selection.ledger.recycleActions?.objectsRead ?? 0),
            invalidLines:
              selection.ledger.deletions.invalidLines +
              (selection.ledger.recycleActions?.invalidLines ?? 0),
          },
        }),
    commands: commands.map((command) => ({
      commandId: command.commandId,
      libraryId: command.libraryId,
      spaceId: command.spaceId,
      items: command.recycledItemIds.length,
    })),
  };
  if (!flags.json) describeSelection(flags, action, selection);
  if (max !== undefined && count > max) {
    const message = `${count} items exceed --max ${max}; nothing was sent`;
    if (flags.json) printJson({ ...summary, enqueued: 0, refused: message });
    else warn(`smh-cleaner ${action}: ${message}`);
    return ExitCode.refused;
  }
  if (count === 0) {
    if (flags.json) printJson({ ...summary, enqueued: 0 });
    else printLine(`nothing to ${action}`);
    return ExitCode.ok;
  }
  if (flags.dryRun) {
    if (flags.json) printJson({ ...summary, dryRun: true, bodies: commands });
    else {
      for (const line of commandLines(commands)) printLine(`would send ${line}`);
      printLine("dry run: nothing was sent");
    }
    return ExitCode.ok;
  }
  if (action === "purge" && !flags.yes) {
    const confirmed =
      !flags.json &&
      canPrompt() &&
      (
        await ask(`Purge ${count} items for good? This cannot be undone. Type "yes": `)
      ).toLowerCase() === "yes";
    if (!confirmed) {
      const message = "purging cannot be undone: confirm with --yes; nothing was sent";
      if (flags.json) printJson({ ...summary, enqueued: 0, refused: message });
      else warn(`smh-cleaner purge: ${message}`);
      return ExitCode.refused;
    }
  }

  const context = await createQueueContext(flags);
  const interrupt = listenForInterrupt(() =>
    info(flags, "stopping: commands not yet accepted by the queue are not sent"),
  );
  try {
    const queue = await context.queue("recycle-actions");
    await readQueueAttributes(context.sqs, queue.url, ["QueueArn"]);
    // Read before sending: the results written since count the items done (--wait).
    const results = flags.wait ? await resultsCount(context) : undefined;
    const sent = await publish(
      context.sqs,
      queue.url,
      commands.map((command) => ({ id: command.commandId, body: encodeMessageBody(command) })),
      { signal: interrupt.signal },
    );
    const sentIds = new Set(sent.sent);
    const sentSizes = commands
      .filter((command) => sentIds.has(command.commandId))
      .map((command) => command.recycledItemIds.length);
    const sentItems = sentSizes.reduce((sum, size) => sum + size, 0);
    for (const failure of sent.failed) {
      warn(`command ${failure.id} not sent: ${failure.code}: ${failure.message}`);
    }
    if (!flags.json) {
      printLine(
        `enqueued ${sent.sent.length} ${action} command${sent.sent.length === 1 ? "" : "s"} (${sentItems} items) to ${queue.url}`,
      );
    }
    let waited: Awaited<ReturnType<typeof waitForQueue>> | undefined;
    if (flags.wait && sent.sent.length > 0 && !interrupt.requested) {
      const dlq = await context.optionalQueue("recycle-actions-dlq");
      waited = await waitForQueue(context.sqs, queue.url, flags, {
        sent: sent.sent.length,
        unit: "commands",
        items: recycleItemProgress(sentSizes, results),
        label: action === "restore" ? "restoring" : "purging",
        timeoutSeconds: flags.waitTimeout,
        deadLetterUrl: dlq?.url,
        signal: interrupt.signal,
      });
      if (!flags.json) {
        printLine(
          waited.drained
            ? `the recycle-actions queue is empty after ${waited.seconds.toFixed(0)} s: every item has its result (export them with: smh-cleaner results --out <file>.ndjson)`
            : `stopped waiting after ${waited.seconds.toFixed(0)} s; commands are still in the queue (see smh-cleaner status)`,
        );
        if (waited.deadLettered > 0) {
          warn(
            `${waited.deadLettered} commands were dead-lettered (see smh-cleaner status, redrive)`,
          );
        }
      }
    }
    if (flags.json) {
      printJson({
        ...summary,
        enqueued: sent.sent.length,
        enqueuedItems: sentItems,
        failed: sent.failed.map(({ id, code, message }) => ({ commandId: id, code, message })),
        queueUrl: queue.url,
        ...(waited ? { wait: waited } : {}),
      });
    }
    return exitCodeAfterSending(interrupt.requested, sent.failed.length, waited);
  } finally {
    interrupt.dispose();
    context.close();
  }
}

/**
 * The results queue's count for --wait's progress in items, when the results queue is known (the
 * local stack, --results-queue-url or RESULTS_QUEUE_URL); otherwise progress counts whole commands.
 */
async function resultsCount(
  context: Awaited<ReturnType<typeof createQueueContext>>,
): Promise<ResultsCount | undefined> {
  const results = await context.optionalQueue("results");
  if (results === undefined) return undefined;
  const now = () => messagesInQueue(context.sqs, results.url);
  return { before: await now(), now };
}

function fromIds(ids: string[], flags: RecycleFlags): Selection {
  if (flags.from !== undefined) {
    throw new CliError(ExitCode.usage, "give recycledItemIds as arguments or --from, not both");
  }
  const selecting = [...givenSelectorFlags({ ...flags, library: undefined, space: undefined })];
  if (flags.limit !== undefined) selecting.push("--limit");
  if (selecting.length > 0) {
    throw new CliError(
      ExitCode.usage,
      `${selecting.join(", ")} select items from the ledger or --from: not with recycledItemIds`,
    );
  }
  if (flags.library === undefined) {
    throw new CliError(ExitCode.usage, "give --library (and --space) for recycledItemIds");
  }
  const libraryId = checked(LibraryIdSchema, flags.library, "--library");
  const spaceId = checked(SpaceIdSchema, flags.space ?? "-", "--space");
  const unique = [...new Set(ids.map((id) => idOf(id)))];
  return {
    items: unique.map((recycledItemId) => ({ libraryId, spaceId, recycledItemId })),
    alreadySettled: 0,
    beyondLimit: 0,
    filteredOut: 0,
  };
}

async function fromExports(flags: RecycleFlags): Promise<Selection | undefined> {
  const ledgerOnly = givenSelectorFlags({
    source: flags.source,
    jobId: flags.jobId,
    pathPrefix: flags.pathPrefix,
    since: flags.since,
    until: flags.until,
  });
  if (ledgerOnly.length > 0 || flags.bucket !== undefined) {
    throw new CliError(
      ExitCode.usage,
      `${[...ledgerOnly, ...(flags.bucket === undefined ? [] : ["--bucket"])].join(", ")} read the ledger: not with --from (narrow an export with --plan-id, --library, --space)`,
    );
  }
  if (flags.from === undefined || flags.from.length === 0) {
    throw new CliError(ExitCode.usage, "--from needs a results export");
  }
  let contents: Awaited<ReturnType<typeof readExports>>;
  try {
    contents = await readExports(flags.from);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "EACCES" || code === "EISDIR") {
      throw new CliError(ExitCode.usage, `cannot read ${(error as Error).message}`);
    }
    throw error;
  }
  if (contents.problems.length > 0) {
    for (const problem of contents.problems) {
      warn(
        `${problem.file}:${problem.line}: ${problem.field ? `${problem.field}: ` : ""}${problem.message}`,
      );
    }
    const lines = contents.problems.length;
    warn(`${lines} line${lines === 1 ? "" : "s"} could not be read; nothing was sent`);
    return undefined;
  }
  const matching = contents.recycled.filter(
    (entry) =>
      (flags.planId === undefined || entry.planId === flags.planId) &&
      (flags.library === undefined || entry.libraryId === flags.library) &&
      (flags.space === undefined || entry.spaceId === flags.space),
  );
  const open = matching.filter((entry) => !contents.settled.has(itemKey(entry)));
  open.sort(byPath);
  const limit = flags.limit ?? open.length;
  return {
    items: open.slice(0, limit),
    alreadySettled: matching.length - open.length,
    beyondLimit: Math.max(0, open.length - limit),
    filteredOut: contents.recycled.length - matching.length,
  };
}

/** The still-restorable items the selectors choose from the ledger (lib/ledger/restorable.ts). */
async function fromLedger(flags: RecycleFlags): Promise<Selection> {
  const given = givenSelectorFlags(flags);
  if (given.length === 0) {
    throw new CliError(
      ExitCode.usage,
      "nothing to act on: give selectors to read the ledger (--plan-id, --source, --job-id, --library, --space, --path-prefix, --since, --until), recycledItemIds (with --library), or --from <results export>",
    );
  }
  if (flags.since !== undefined && flags.until !== undefined && flags.since > flags.until) {
    throw new CliError(ExitCode.usage, "--since is after --until: nothing can match");
  }
  const context = await createLedgerContext(flags);
  try {
    const found = await restorableFromLedger(context.source, selectorsFromFlags(flags)).catch(
      (error) => {
        throw ledgerFailure(error, context);
      },
    );
    reportProblems(found.scans.deletions);
    if (found.scans.recycleActions) reportProblems(found.scans.recycleActions);
    const limit = flags.limit ?? found.restorable.length;
    const { restored, purged, expired } = found.leftOut;
    return {
      items: found.restorable.slice(0, limit),
      alreadySettled: restored + purged + expired,
      beyondLimit: Math.max(0, found.restorable.length - limit),
      filteredOut: 0,
      ledger: {
        where: context.where,
        selected: found.selected,
        leftOut: found.leftOut,
        deletions: found.scans.deletions,
        recycleActions: found.scans.recycleActions,
      },
    };
  } finally {
    context.close();
  }
}

function byPath(a: RecycledEntry, b: RecycledEntry): number {
  const keyA = [a.libraryId, a.spaceId, a.path ?? ""].join("\u0000");
  const keyB = [b.libraryId, b.spaceId, b.path ?? ""].join("\u0000");
  if (keyA !== keyB) return keyA < keyB ? -1 : 1;
  return a.recycledItemId - b.recycledItemId;
}

function checked(
  schema: { safeParse(value: unknown): { success: boolean } },
  value: string,
  flag: string,
): string {
  if (!schema.safeParse(value).success) {
    throw new CliError(ExitCode.usage, `${flag} ${JSON.stringify(value)} is not valid`);
  }
  return value;
}

/** One command per (library, space) and per 1,000 items. */
function buildCommands(
  action: Action,
  selection: Selection,
  flags: RecycleFlags,
): RecycleCommand[] {
  const groups = new Map<string, Selection["items"]>();
  for (const item of selection.items) {
    const key = JSON.stringify([item.libraryId, item.spaceId]);
    const group = groups.get(key) ?? [];
    group.push(item);
    groups.set(key, group);
  }
  const requestedBy = flags.requestedBy ?? osUser();
  const commands: RecycleCommand[] = [];
  for (const group of groups.values()) {
    for (let start = 0; start < group.length; start += MAX_RECYCLED_ITEMS_PER_COMMAND) {
      const chunk = group.slice(start, start + MAX_RECYCLED_ITEMS_PER_COMMAND);
      const first = chunk[0];
      if (!first) continue;
      const common = {
        libraryId: first.libraryId,
        spaceId: first.spaceId,
        recycledItemIds: chunk.map((item) => item.recycledItemId),
        ...(requestedBy ? { requestedBy } : {}),
        ...(flags.reason ? { reason: flags.reason } : {}),
      };
      commands.push(
        action === "restore"
          ? createRecycleCommand({
              action,
              ...common,
              conflictStrategy: flags.conflict ?? "rename",
              restorePathStrategy: flags.restorePath ?? "originalPath",
            })
          : createRecycleCommand({ action, ...common }),
      );
    }
  }
  return commands;
}

function describeSelection(flags: RecycleFlags, action: Action, selection: Selection): void {
  const { ledger } = selection;
  if (ledger !== undefined) {
    const { restored, purged, expired } = ledger.leftOut;
    const limited =
      selection.beyondLimit > 0 ? `, ${selection.beyondLimit} left out by --limit` : "";
    info(
      flags,
      `the ledger (${ledger.where}) holds ${ledger.selected} recycle-bin items the selected deletions left; left out: ${restored} already restored, ${purged} purged, ${expired} expired${limited}; ${selection.items.length} to ${action}`,
    );
    info(
      flags,
      `deletions: ${describeScan(ledger.deletions)}${ledger.recycleActions ? `; recycle actions: ${describeScan(ledger.recycleActions)}` : ""}`,
    );
    return;
  }
  if (flags.from === undefined) return;
  const notes = [
    selection.alreadySettled > 0
      ? `${selection.alreadySettled} already restored, purged or expired`
      : "",
    selection.filteredOut > 0
      ? `${selection.filteredOut} left out by --plan-id/--library/--space`
      : "",
    selection.beyondLimit > 0 ? `${selection.beyondLimit} left out by --limit` : "",
  ].filter((note) => note !== "");
  info(
    flags,
    `selected ${selection.items.length} recycle-bin items to ${action} from ${flags.from.join(", ")}${notes.length > 0 ? ` (${notes.join("; ")})` : ""}`,
  );
}

function commandLines(commands: readonly RecycleCommand[]): string[] {
  return commands.map(
    (command) =>
      `${command.action} command ${command.commandId}: ${command.recycledItemIds.length} items in ${command.libraryId}/${command.spaceId}`,
  );
}
