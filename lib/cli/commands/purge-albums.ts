import { join, resolve } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { stateDir } from "../../local/stack-file.ts";
import { createDeleteJob } from "../../messages/delete-job.ts";
import { encodeMessageBody } from "../../messages/encode.ts";
import { JobSource, MAX_PATH_LENGTH } from "../../messages/fields.ts";
import { readQueueAttributes } from "../../queues/attributes.ts";
import { isRootPath, normalizePath } from "../../smh/paths.ts";
import { createQueueContext } from "../context.ts";
import { CliError } from "../errors.ts";
import { ExitCode } from "../exit-codes.ts";
import type { ValidJob } from "../input/jobs.ts";
import { listenForInterrupt } from "../interrupt.ts";
import {
  addOutputOptions,
  addQueueLocationOptions,
  positiveInteger,
  type QueueLocationFlags,
} from "../options.ts";
import { info, type OutputFlags, printJson, printLine, table, warn } from "../output.ts";
import {
  AlbumFilterError,
  type AlbumFilterSpec,
  compileAlbumFilter,
  describeFilter,
  parseAbsoluteTime,
} from "../plans/filter.ts";
import { countContents, listAlbums } from "../plans/list.ts";
import { type AlbumPlan, buildPlan, planJobId } from "../plans/plan.ts";
import {
  appendJournal,
  findPlanByHash,
  plansDir,
  readJournal,
  writePlanFile,
} from "../plans/store.ts";
import { progressWanted, startProgress } from "../progress.ts";
import { ask, canPrompt } from "../prompt.ts";
import { publishJobs } from "../publish-jobs.ts";
import { cliErrorFromSmh, createSmhContext, type SmhContext } from "../smh.ts";
import { osUser } from "../user.ts";
import { exitCodeAfterSending, waitForQueue } from "../wait.ts";

interface PurgeAlbumsFlags extends QueueLocationFlags, OutputFlags {
  library: string;
  space: string;
  parent?: string;
  name?: string;
  regex?: string;
  ignoreCase?: boolean;
  createdBefore?: number;
  createdAfter?: number;
  max: number;
  permanent?: boolean;
  sizes?: boolean;
  planOut?: string;
  confirm?: string;
  reason?: string;
  requestedBy?: string;
  show: number;
  wait?: boolean;
  waitTimeout: number;
}

/** The cap on a plan when --max is not given. */
export const DEFAULT_MAX_ALBUMS = 1000;

const HELP = `
How it works:
  1. Without --confirm: lists the albums (or directories) directly under --parent (default: the
     space root), keeps those the filter selects, checks each against the deletion policy, and
     writes a plan: count, names, creation times, sizes where known, albums the policy refuses,
     and a plan hash. Nothing is enqueued. On a terminal it then asks for "yes".
  2. With --confirm <plan-hash>: lists again and rebuilds the plan. If its hash differs (an album
     was added, renamed or deleted since, the policy changed, or the hash is wrong) nothing is
     enqueued (exit 4). Otherwise one deletion job per album goes to the jobs queue, each with
     source "bulk", the plan's planId, and a job ID derived from the plan and the path; a journal
     next to the plan file makes a second --confirm of the same plan send nothing twice.

Filter (at least one): --name (glob over the name: * ? [a-z] {a,b}), --regex (JavaScript, over the
  name; refused when too ambiguous to run safely), --created-before (strict) and --created-after
  (inclusive): absolute dates (2021-01-01 = midnight UTC) or ISO date-times with an offset.
Deletions go to the recycle bin (restore them with "smh-cleaner restore --from <export>");
  --permanent deletes for ever, only where the policy's permanentPrefixes allow it.
Library secret, SMH and policy: SMH_LIBRARY_SECRETS, SMH_BASE_URL, SMH_POLICY / SMH_POLICY_FILE;
  against the local stack (npm start) all three come from it.

Exit codes: 0 plan written (or jobs enqueued), 1 some jobs not sent, or --wait saw jobs
  dead-lettered or timed out, 2 usage (or no secret/policy configured), 4 refused: the plan hash
  differs, the plan exceeds --max, or the policy allows none of it (nothing enqueued), 5 SMH or
  SQS unavailable, 130 interrupted.

Examples:
  smh-cleaner purge-albums --library smhdemo000001 --space spacedemobulk \\
      --name '*Camera upload*' --created-before 2021-01-01
  smh-cleaner purge-albums --library smhdemo000001 --space spacedemobulk \\
      --name '*Camera upload*' --created-before 2021-01-01 --confirm 3f2a9c1d7e6b5a40 --wait`;

function hash(value: string): string {
  const trimmed = value.trim().toLowerCase();
  if (!/^[0-9a-f]{16}$/.test(trimmed)) {
    throw new InvalidArgumentError("expected the 16 hex characters of the plan hash");
  }
  return trimmed;
}

function time(flag: string) {
  return (value: string): number => {
    try {
      return parseAbsoluteTime(value, flag);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  };
}

/** `smh-cleaner purge-albums`: plan, then (confirmed by hash) enqueue, a bulk album purge. */
export function purgeAlbumsCommand(): Command {
  const command = new Command("purge-albums")
    .description("Plan a bulk purge of albums by filter; enqueue it once confirmed by its hash")
    .requiredOption("--library <libraryId>", "the library")
    .option("--space <spaceId>", 'the space ("-" for a single-tenant library)', "-")
    .option("--parent <path>", "list the directories under this path (default: the space root)")
    .option("--name <glob>", "select names matching this glob")
    .option("--regex <regex>", "select names matching this regex")
    .option("--ignore-case", "compare names without regard to case")
    .option(
      "--created-before <date>",
      "select albums created before this instant",
      time("--created-before"),
    )
    .option(
      "--created-after <date>",
      "select albums created at or after this instant",
      time("--created-after"),
    )
    .option(
      "--max <n>",
      `refuse (exit 4) a plan with more albums than this`,
      positiveInteger,
      DEFAULT_MAX_ALBUMS,
    )
    .option("--permanent", "delete for ever instead of to the recycle bin (policy permitting)")
    .option("--sizes", "count each selected album's files and bytes (one listing per album)")
    .option("--plan-out <file>", "also write the plan to this file")
    .option("--confirm <plan-hash>", "enqueue the plan if it still has this hash", hash)
    .option("--reason <text>", "reason recorded on every job")
    .option("--requested-by <who>", "requestedBy of every job (default: OS user)")
    .option("--show <n>", "albums listed in the summary", positiveInteger, 10)
    .option("--wait", "after enqueuing, wait until the jobs queue has processed them")
    .option("--wait-timeout <seconds>", "how long --wait waits", positiveInteger, 900);
  addOutputOptions(command, "print the plan (or what was enqueued) as JSON on stdout");
  addQueueLocationOptions(command, ["jobs", "jobs-dlq"]);
  return command.addHelpText("after", HELP).action(async (flags: PurgeAlbumsFlags) => {
    process.exitCode = await purgeAlbums(flags);
  });
}

async function purgeAlbums(flags: PurgeAlbumsFlags): Promise<ExitCode> {
  const spec = filterSpec(flags);
  const filter = compileFilter(spec);
  const parent = parentOf(flags.parent);
  const smh = await createSmhContext();
  const plan = await makePlan(smh, flags, parent, filter);
  const dir = plansDir(stateDir());

  if (flags.confirm !== undefined) {
    if (plan.planHash !== flags.confirm) return hashMismatch(flags, plan, dir, flags.confirm);
    const refusal = refusalOf(plan, flags);
    if (refusal) return refuse(flags, plan, refusal);
    const stored = await findPlanByHash(dir, plan.planHash);
    const confirmed = stored ?? plan;
    if (!stored) await writePlanFile(join(dir, `${plan.planId}.json`), plan);
    return enqueuePlan(flags, confirmed, dir);
  }

  const planFile = join(dir, `${plan.planId}.json`);
  const refusal = refusalOf(plan, flags);
  if (refusal === undefined) {
    await writePlanFile(planFile, plan);
    if (flags.planOut !== undefined) await writePlanFile(resolve(flags.planOut), plan);
  }
  if (flags.json) {
    printJson({ ...plan, planFile: refusal ? null : planFile, refusal: refusal ?? null });
  } else {
    printPlan(flags, plan, spec, refusal ? undefined : planFile);
  }
  if (refusal) return refuse(flags, plan, refusal, { printed: true });
  if (plan.count === 0) return ExitCode.ok;
  if (!flags.json && canPrompt()) {
    const interrupt = listenForInterrupt();
    const answer = await ask(
      `\nEnqueue ${plan.count} ${plan.permanent ? "PERMANENT deletions" : "deletions (to the recycle bin)"}? Type "yes" or the plan hash: `,
      interrupt.signal,
    ).finally(() => interrupt.dispose());
    if (answer.toLowerCase() === "yes" || answer.toLowerCase() === plan.planHash) {
      return enqueuePlan(flags, plan, dir);
    }
    printLine("not confirmed: nothing was enqueued");
    return ExitCode.ok;
  }
  return ExitCode.ok;
}

function filterSpec(flags: PurgeAlbumsFlags): AlbumFilterSpec {
  const spec: AlbumFilterSpec = {
    name: flags.name,
    regex: flags.regex,
    ignoreCase: flags.ignoreCase === true,
    createdBefore: flags.createdBefore,
    createdAfter: flags.createdAfter,
  };
  if (
    spec.name === undefined &&
    spec.regex === undefined &&
    spec.createdBefore === undefined &&
    spec.createdAfter === undefined
  ) {
    throw new CliError(
      ExitCode.usage,
      "give a filter: --name, --regex, --created-before and/or --created-after (a purge of everything under a parent is never implied)",
    );
  }
  return spec;
}

function compileFilter(spec: AlbumFilterSpec) {
  try {
    return compileAlbumFilter(spec);
  } catch (error) {
    if (error instanceof AlbumFilterError) throw new CliError(ExitCode.usage, error.message);
    throw error;
  }
}

function parentOf(parent: string | undefined): string {
  if (parent === undefined || isRootPath(parent)) return "";
  if (parent.length > MAX_PATH_LENGTH) throw new CliError(ExitCode.usage, "--parent is too long");
  try {
    return normalizePath(parent);
  } catch (error) {
    throw new CliError(ExitCode.usage, `--parent: ${(error as Error).message}`);
  }
}

async function makePlan(
  smh: SmhContext,
  flags: PurgeAlbumsFlags,
  parent: string,
  filter: ReturnType<typeof compileAlbumFilter>,
): Promise<AlbumPlan> {
  const target = { libraryId: flags.library, spaceId: flags.space };
  const listing = startProgress(progressWanted(flags), "listing", 0);
  let entries: Awaited<ReturnType<typeof listAlbums>>;
  try {
    entries = await listAlbums(smh.client, { ...target, parent }, (listed) => {
      listing.setTotal(listed + 100);
      listing.setValue(listed);
    });
  } catch (error) {
    throw cliErrorFromSmh(
      error,
      `listing ${flags.library}/${flags.space}/${parent === "" ? "(root)" : parent}`,
    );
  } finally {
    listing.stop();
  }
  let sizes: AlbumPlan["sizes"] = entries.some((entry) => entry.size !== undefined)
    ? "listing"
    : "unknown";
  if (flags.sizes) {
    const selected = entries.filter((entry) => filter.matches(entry));
    const counting = startProgress(progressWanted(flags), "sizes", selected.length);
    try {
      const counted = new Map(
        (await countContents(smh.client, target, selected, () => counting.increment())).map(
          (album) => [album.path, album],
        ),
      );
      entries = entries.map((entry) => counted.get(entry.path) ?? entry);
      sizes = "counted";
    } catch (error) {
      throw cliErrorFromSmh(error, "counting the albums' files");
    } finally {
      counting.stop();
    }
  }
  return buildPlan({
    ...target,
    parent,
    permanent: flags.permanent === true,
    filter,
    policy: smh.policy,
    entries,
    sizes,
    now: new Date(),
  });
}

/** Why a plan may not be enqueued, if it may not. */
function refusalOf(plan: AlbumPlan, flags: PurgeAlbumsFlags): string | undefined {
  if (plan.count > flags.max) {
    return `the plan has ${plan.count} albums, more than --max ${flags.max}: narrow the filter or raise --max`;
  }
  if (plan.count === 0 && plan.refusedCount > 0) {
    return `the deletion policy refuses all ${plan.refusedCount} selected albums`;
  }
  return undefined;
}

function refuse(
  flags: PurgeAlbumsFlags,
  plan: AlbumPlan,
  refusal: string,
  options: { printed?: boolean } = {},
): ExitCode {
  if (flags.json && !options.printed) {
    printJson({ enqueued: 0, planHash: plan.planHash, count: plan.count, refused: refusal });
  } else if (!flags.json) {
    warn(`smh-cleaner purge-albums: ${refusal}; nothing was enqueued`);
  }
  return ExitCode.refused;
}

async function hashMismatch(
  flags: PurgeAlbumsFlags,
  plan: AlbumPlan,
  dir: string,
  given: string,
): Promise<ExitCode> {
  const earlier = await findPlanByHash(dir, given);
  const now = new Set(plan.albums.map((album) => album.path));
  const before = new Set(earlier?.albums.map((album) => album.path) ?? []);
  const added = [...now].filter((path) => !before.has(path));
  const removed = [...before].filter((path) => !now.has(path));
  const why = earlier
    ? `the library changed since plan ${earlier.planId} was made: ${added.length} albums now match that did not, ${removed.length} no longer match (they may be deleted already)`
    : "no plan with that hash was made here, or the library changed since";
  const message = `the plan's hash is now ${plan.planHash}, not ${given}: ${why}. Nothing was enqueued; review the plan again (run without --confirm)`;
  if (flags.json) {
    printJson({
      enqueued: 0,
      planHash: plan.planHash,
      confirmed: given,
      count: plan.count,
      added: added.length,
      removed: removed.length,
      refused: message,
    });
  } else {
    warn(`smh-cleaner purge-albums: ${message}`);
    if (earlier) {
      for (const path of added.slice(0, 5)) warn(`  + ${path}`);
      for (const path of removed.slice(0, 5)) warn(`  - ${path}`);
    }
  }
  return ExitCode.refused;
}

async function enqueuePlan(
  flags: PurgeAlbumsFlags,
  plan: AlbumPlan,
  dir: string,
): Promise<ExitCode> {
  const requestedBy = flags.requestedBy ?? osUser();
  const journal = await readJournal(dir, plan.planId);
  const jobs: ValidJob[] = [];
  plan.albums.forEach((album, index) => {
    const jobId = planJobId(plan.planId, album.path);
    if (journal.has(jobId)) return;
    const job = createDeleteJob({
      jobId,
      libraryId: plan.libraryId,
      spaceId: plan.spaceId,
      path: album.path,
      permanent: plan.permanent,
      source: JobSource.bulk,
      planId: plan.planId,
      ...(requestedBy ? { requestedBy } : {}),
      ...(flags.reason ? { reason: flags.reason } : {}),
    });
    jobs.push({ line: index + 1, jobId, body: encodeMessageBody(job) });
  });
  const already = plan.count - jobs.length;
  if (jobs.length === 0) {
    if (flags.json) {
      printJson({
        planId: plan.planId,
        planHash: plan.planHash,
        enqueued: 0,
        alreadyEnqueued: already,
        failed: [],
      });
    } else {
      printLine(
        `all ${plan.count} jobs of plan ${plan.planId} were enqueued by an earlier run: nothing was sent`,
      );
    }
    return ExitCode.ok;
  }

  const context = await createQueueContext(flags);
  const interrupt = listenForInterrupt(() =>
    info(
      flags,
      "stopping: jobs not yet accepted by the queue are not sent (run --confirm again to send them)",
    ),
  );
  try {
    const queue = await context.queue("jobs");
    await readQueueAttributes(context.sqs, queue.url, ["QueueArn"]);
    const progress = startProgress(progressWanted(flags), "enqueue", jobs.length);
    const result = await publishJobs(context.sqs, queue.url, jobs, {
      signal: interrupt.signal,
      onSettled: (settled) => progress.increment(settled),
    });
    progress.stop();
    await appendJournal(dir, plan.planId, result.sent);
    for (const failure of result.failed) {
      warn(`${failure.jobId}: not sent: ${failure.code}: ${failure.message}`);
    }
    if (!flags.json) {
      printLine(
        `enqueued ${result.sent.length} of ${jobs.length} deletion jobs of plan ${plan.planId} (hash ${plan.planHash}) to ${queue.url}${already > 0 ? `; ${already} were enqueued by an earlier run` : ""}`,
      );
    }
    let waited: Awaited<ReturnType<typeof waitForQueue>> | undefined;
    if (flags.wait && result.sent.length > 0 && !interrupt.requested) {
      const dlq = await context.optionalQueue("jobs-dlq");
      waited = await waitForQueue(context.sqs, queue.url, flags, {
        sent: result.sent.length,
        unit: "jobs",
        label: "deleting",
        timeoutSeconds: flags.waitTimeout,
        deadLetterUrl: dlq?.url,
        signal: interrupt.signal,
      });
      if (!flags.json) {
        printLine(
          waited.drained
            ? `the jobs queue is empty after ${waited.seconds.toFixed(0)} s: every job has its result (export them with: smh-cleaner results --out <file>.ndjson)`
            : `stopped waiting after ${waited.seconds.toFixed(0)} s; jobs are still in the queue (see smh-cleaner status)`,
        );
        if (waited.deadLettered > 0) {
          warn(
            `${waited.deadLettered} jobs were dead-lettered (their failed results are on the results queue)`,
          );
        }
      }
    }
    if (flags.json) {
      printJson({
        planId: plan.planId,
        planHash: plan.planHash,
        enqueued: result.sent.length,
        alreadyEnqueued: already,
        failed: result.failed,
        queueUrl: queue.url,
        ...(waited ? { wait: waited } : {}),
      });
    }
    return exitCodeAfterSending(interrupt.requested, result.failed.length, waited);
  } finally {
    interrupt.dispose();
    context.close();
  }
}

function printPlan(
  flags: PurgeAlbumsFlags,
  plan: AlbumPlan,
  spec: AlbumFilterSpec,
  planFile: string | undefined,
): void {
  const where = `${plan.libraryId} / ${plan.spaceId} / ${plan.parent === "" ? "(space root)" : plan.parent}`;
  printLine(`plan ${plan.planId}   hash ${plan.planHash}`);
  printLine(`  where    ${where}`);
  printLine(`  filter   ${describeFilter(spec)}`);
  printLine(
    `  action   ${plan.permanent ? "PERMANENT deletion (cannot be undone)" : "move to the recycle bin (restorable until the bin's retention runs out)"}`,
  );
  printLine(
    `  listed   ${plan.listed}; selected ${plan.count + plan.refusedCount}: ${plan.count} to delete, ${plan.refusedCount} refused by the policy`,
  );
  printLine(
    `  sizes    ${
      plan.totalBytes === null
        ? "unknown (SMH's listing gives no album sizes; --sizes counts their files)"
        : `${formatBytes(plan.totalBytes)}${plan.sizes === "counted" ? ` in ${plan.albums.reduce((n, a) => n + (a.files ?? 0), 0)} files` : ""}`
    }`,
  );
  if (plan.albums.length > 0) {
    printLine("");
    const shown = plan.albums.slice(0, flags.show);
    printLine(
      table(
        ["album", "created", "size"],
        shown.map((album) => [
          album.path,
          album.creationTime ?? "",
          album.size === undefined ? "?" : formatBytes(Number(album.size)),
        ]),
      )
        .split("\n")
        .map((line) => `  ${line}`)
        .join("\n"),
    );
    if (plan.albums.length > shown.length) {
      printLine(
        `  … and ${plan.albums.length - shown.length} more (every album is in the plan file)`,
      );
    }
  }
  if (plan.refused.length > 0) {
    printLine("");
    printLine("  refused by the policy (never enqueued):");
    for (const refused of plan.refused.slice(0, flags.show)) {
      printLine(`    ${refused.path}: ${refused.reasons.map((r) => r.rule).join(", ")}`);
    }
    if (plan.refused.length > flags.show)
      printLine(`    … and ${plan.refused.length - flags.show} more`);
  }
  printLine("");
  if (planFile) printLine(`plan file: ${planFile}`);
  if (plan.count > 0 && planFile) {
    printLine(`to enqueue it: ${confirmCommand(flags, plan.planHash)}`);
  }
}

function confirmCommand(flags: PurgeAlbumsFlags, planHash: string): string {
  const args = ["smh-cleaner", "purge-albums", "--library", flags.library, "--space", flags.space];
  if (flags.parent !== undefined) args.push("--parent", flags.parent);
  if (flags.name !== undefined) args.push("--name", flags.name);
  if (flags.regex !== undefined) args.push("--regex", flags.regex);
  if (flags.ignoreCase) args.push("--ignore-case");
  if (flags.createdAfter !== undefined) {
    args.push("--created-after", new Date(flags.createdAfter).toISOString());
  }
  if (flags.createdBefore !== undefined) {
    args.push("--created-before", new Date(flags.createdBefore).toISOString());
  }
  if (flags.permanent) args.push("--permanent");
  if (flags.max !== DEFAULT_MAX_ALBUMS) args.push("--max", String(flags.max));
  args.push("--confirm", planHash);
  return args.map(shellQuote).join(" ");
}

function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@+-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
