/**
 * A retention run, knowing nothing about Lambda: what the retention-scan handler, the local stack
 * and `smh-cleaner retention run` all call.
 *
 * - {@link runRetention}: a trigger (the schedule, or an operator) runs every enabled rule — or the
 *   rules it names — in each of its spaces: one scan per rule and space, several at once (bounded
 *   by `RETENTION_SCAN_CONCURRENCY`), each listing under the SMH client's per-library limiter.
 * - {@link processContinuations}: a batch of continuation messages, each carrying one scan on.
 *
 * Every scan ends in this invocation with its plan written, with a continuation sent, or with a
 * `scan-failed` alert written (see `scan.ts`): none stops without a trace. A queue that refuses a
 * write fails the invocation (a scheduled run throws; a continuation comes back), to be run again.
 */
import pLimit from "p-limit";
import type { QueueRecord } from "../batch/records.ts";
import { invocationBudget } from "../batch/settings.ts";
import { TriggerProblem } from "../messages/retention-result.ts";
import type { DeletionPolicy } from "../policy/config.ts";
import { parseContinuationBody, type RetentionContinuation } from "./checkpoint.ts";
import { ContinuationMismatchError } from "./errors.ts";
import type { DirectorySource, ListingTarget } from "./listing.ts";
import type { RetentionObserver } from "./observer.ts";
import { type RetentionOutbox, RetentionPublishError } from "./outbox.ts";
import { PlanBuilder } from "./plan.ts";
import type { RetentionRule, RetentionRules } from "./rules.ts";
import {
  carryOnScan,
  failScan,
  type ScanBudget,
  type ScanContext,
  type ScanOutcome,
} from "./scan.ts";
import type { RetentionSettings } from "./settings.ts";
import { spacesOf } from "./spaces.ts";
import type { FailedScan } from "./summary.ts";
import { type RetentionTrigger, TriggerError } from "./trigger.ts";

/** What a run works with; the handler builds it once per container (`environment.ts`). */
export interface RetentionDeps {
  readonly rules: RetentionRules;
  readonly policy: DeletionPolicy;
  readonly source: DirectorySource;
  readonly outbox: RetentionOutbox;
  readonly settings: RetentionSettings;
  readonly observer?: RetentionObserver;
  /** The wall clock (epoch ms). @default Date.now */
  readonly clock?: () => number;
}

/** What a triggered run did in this invocation, scan by scan (rule order, then space order). */
export interface RetentionRunReport {
  readonly runId: string;
  readonly scheduledAt: string;
  readonly dryRun: boolean;
  readonly scans: readonly ScanOutcome[];
}

/**
 * The listing budget of an invocation that must be over at `deadline` (epoch ms; `Infinity` for
 * none): listing stops `deadlineMarginMs` before it (at most a quarter of the time left), SMH calls
 * end `publishReserveMs` before it (at most a tenth), leaving time to write the plan or the
 * continuation.
 */
export function scanBudget(deadline: number, now: number, settings: RetentionSettings): ScanBudget {
  if (!Number.isFinite(deadline)) {
    return { stopListingAt: Number.POSITIVE_INFINITY, smhDeadline: undefined };
  }
  const { stopStartingAt, callDeadline } = invocationBudget(deadline, now, settings);
  return { stopListingAt: stopStartingAt, smhDeadline: callDeadline };
}

/**
 * Runs the rules for `trigger` until `deadline` (epoch ms; `Infinity`: no deadline, as in the CLI,
 * where no scan ever needs a continuation). Throws {@link TriggerError} when the trigger names a
 * rule that is not there or not enabled, and the first {@link RetentionPublishError} once every
 * scan has ended when a queue refused a write.
 */
export async function runRetention(
  trigger: RetentionTrigger,
  deps: RetentionDeps,
  deadline = Number.POSITIVE_INFINITY,
): Promise<RetentionRunReport> {
  const clock = deps.clock ?? Date.now;
  const startedAt = new Date(clock());
  const ctx = contextOf(deps, scanBudget(deadline, startedAt.getTime(), deps.settings));
  const rules = selectRules(deps.rules, trigger.ruleIds);
  const limit = pLimit(deps.settings.concurrency);

  const perRule = await Promise.allSettled(
    rules.map((rule) =>
      limit(async (): Promise<ScanOutcome[] | { spaces: string[] }> => {
        try {
          return { spaces: await spacesOf(rule, deps.policy, deps.source, deadlineOf(ctx)) };
        } catch (error) {
          const scan = {
            rule,
            spaceId: "*",
            runId: trigger.runId,
            scheduledAt: trigger.scheduledAt,
          };
          return [await failScan(scan, error, ctx)];
        }
      }),
    ),
  );
  const scans = await Promise.allSettled(
    perRule.flatMap((settled, index) => {
      const rule = rules[index] as RetentionRule;
      if (settled.status === "rejected") return [Promise.reject(settled.reason)];
      if (Array.isArray(settled.value))
        return settled.value.map((outcome) => Promise.resolve(outcome));
      return settled.value.spaces.map((spaceId) =>
        limit(() => startScan(rule, spaceId, trigger, startedAt, deps, ctx)),
      );
    }),
  );
  const refused = scans.find((settled) => settled.status === "rejected");
  if (refused !== undefined) throw refused.reason;
  return {
    runId: trigger.runId,
    scheduledAt: trigger.scheduledAt.toISOString(),
    dryRun: trigger.dryRun,
    scans: scans.map((settled) => (settled as PromiseFulfilledResult<ScanOutcome>).value),
  };
}

/**
 * Carries one scan on from its continuation until `deadline`. Throws only when a queue refused a
 * write ({@link RetentionPublishError}).
 */
export async function continueRetention(
  continuation: RetentionContinuation,
  deps: RetentionDeps,
  deadline: number,
): Promise<ScanOutcome> {
  const clock = deps.clock ?? Date.now;
  const ctx = contextOf(deps, scanBudget(deadline, clock(), deps.settings));
  const rule = deps.rules.rules.find((candidate) => candidate.id === continuation.ruleId);
  const scan = failedScanOf(continuation, rule);
  if (rule === undefined || !rule.enabled) {
    const why = rule === undefined ? "is no longer in the rules" : "was disabled";
    return failScan(
      scan,
      new ContinuationMismatchError(
        `retention rule ${JSON.stringify(continuation.ruleId)} ${why} since its scan started`,
      ),
      ctx,
    );
  }
  let builder: PlanBuilder;
  try {
    builder = PlanBuilder.resume(continuation, { rule, policy: deps.policy });
  } catch (error) {
    return failScan(scan, error, ctx);
  }
  return carryOnScan(builder, targetOf(rule, continuation.spaceId), scan, ctx);
}

/** What {@link processContinuations} did with a batch. */
export interface ContinuationBatchOutcome {
  readonly scans: readonly ScanOutcome[];
  /** Messages to hand back to the queue (`batchItemFailures`). */
  readonly failedMessageIds: readonly string[];
}

/**
 * Carries on the scans of a batch of continuation messages, one after the other (each may take
 * the rest of the invocation). A message that cannot be read is dropped (it never will be); one
 * whose writes a queue refused comes back — on its last receive, after a `scan-failed` alert, so
 * that a scan moved to the dead-letter queue is never silent.
 */
export async function processContinuations(
  records: readonly QueueRecord[],
  deps: RetentionDeps,
  deadline: number,
): Promise<ContinuationBatchOutcome> {
  const clock = deps.clock ?? Date.now;
  const scans: ScanOutcome[] = [];
  const failedMessageIds: string[] = [];
  for (const record of records) {
    const parsed = parseContinuationBody(record.body);
    if (!parsed.ok) {
      deps.observer?.invalidContinuation?.({
        messageId: record.messageId,
        reasons: parsed.reasons.map((reason) => `${reason.path || "(body)"}: ${reason.message}`),
      });
      continue;
    }
    if (scanBudget(deadline, clock(), deps.settings).stopListingAt <= clock()) {
      // No time left to start it here: it comes back as it is.
      failedMessageIds.push(record.messageId);
      continue;
    }
    try {
      scans.push(await continueRetention(parsed.continuation, deps, deadline));
    } catch (error) {
      reportPublishFailure(deps.observer, error);
      failedMessageIds.push(record.messageId);
      if (record.receiveCount >= deps.settings.maxReceiveCount) {
        await lastWord(parsed.continuation, deps, error);
      }
    }
  }
  return { scans, failedMessageIds };
}

/** The enabled rules a trigger runs. */
function selectRules(rules: RetentionRules, ruleIds: readonly string[] | undefined) {
  const enabled = rules.rules.filter((rule) => rule.enabled);
  if (ruleIds === undefined) return enabled;
  const problems = ruleIds.flatMap((id) => {
    const rule = rules.rules.find((candidate) => candidate.id === id);
    if (rule === undefined) return [`no rule ${JSON.stringify(id)}`];
    return rule.enabled ? [] : [`rule ${JSON.stringify(id)} is disabled`];
  });
  if (problems.length > 0) {
    throw new TriggerError(TriggerProblem.unknownRule, `cannot run: ${problems.join("; ")}`, {
      origin: "manual",
    });
  }
  return enabled.filter((rule) => ruleIds.includes(rule.id));
}

async function startScan(
  rule: RetentionRule,
  spaceId: string,
  trigger: RetentionTrigger,
  startedAt: Date,
  deps: RetentionDeps,
  ctx: ScanContext,
): Promise<ScanOutcome> {
  const scan = { rule, spaceId, runId: trigger.runId, scheduledAt: trigger.scheduledAt };
  let builder: PlanBuilder;
  try {
    builder = new PlanBuilder({
      rule,
      spaceId,
      policy: deps.policy,
      scheduledAt: trigger.scheduledAt,
      runId: trigger.runId,
      startedAt,
      dryRun: trigger.dryRun,
      ...(trigger.manual ? { manual: trigger.manual } : {}),
    });
  } catch (error) {
    return failScan(scan, error, ctx);
  }
  return carryOnScan(builder, targetOf(rule, spaceId), scan, ctx);
}

function contextOf(deps: RetentionDeps, budget: ScanBudget): ScanContext {
  return {
    source: deps.source,
    outbox: deps.outbox,
    pageSize: deps.settings.pageSize,
    observer: deps.observer ?? {},
    clock: deps.clock ?? Date.now,
    budget,
  };
}

function deadlineOf(ctx: ScanContext): { deadline?: number } {
  return ctx.budget.smhDeadline === undefined ? {} : { deadline: ctx.budget.smhDeadline };
}

function targetOf(rule: RetentionRule, spaceId: string): ListingTarget {
  return { libraryId: rule.libraryId, spaceId, parent: rule.parent };
}

/** The run a continuation belongs to, for an alert — even when its rule is gone. */
function failedScanOf(
  continuation: RetentionContinuation,
  rule: RetentionRule | undefined,
): Omit<FailedScan, "pageCount"> & { pageCount: number } {
  return {
    rule: rule ?? {
      id: continuation.ruleId,
      libraryId: continuation.libraryId,
      parent: continuation.parent === "/" ? [] : continuation.parent.split("/"),
    },
    spaceId: continuation.spaceId,
    runId: continuation.runId,
    scheduledAt: new Date(continuation.scheduledAt),
    pageCount: continuation.pageCount,
  };
}

function reportPublishFailure(observer: RetentionObserver | undefined, error: unknown): void {
  if (error instanceof RetentionPublishError) {
    observer?.publishFailed?.({ queue: error.queue, unsent: error.unsent, message: error.message });
  } else {
    observer?.publishFailed?.({
      queue: "unknown",
      unsent: 0,
      message: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
  }
}

/** The alert of a continuation about to be dead-lettered; best effort, the queue may be down. */
async function lastWord(
  continuation: RetentionContinuation,
  deps: RetentionDeps,
  error: unknown,
): Promise<void> {
  const clock = deps.clock ?? Date.now;
  const rule = deps.rules.rules.find((candidate) => candidate.id === continuation.ruleId);
  const ctx = contextOf(deps, scanBudget(Number.POSITIVE_INFINITY, clock(), deps.settings));
  const why = new Error(
    `its continuation could not be carried on after ${deps.settings.maxReceiveCount} receives and goes to the dead-letter queue (${error instanceof Error ? error.message : String(error)})`,
  );
  await failScan(failedScanOf(continuation, rule), why, ctx).catch((again: unknown) =>
    reportPublishFailure(deps.observer, again),
  );
}
