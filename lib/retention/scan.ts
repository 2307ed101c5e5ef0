/**
 * One scan: one rule in one space, carried on from its first page or from a continuation until
 *
 * - the listing ends: the plan is finished, its jobs enqueued (none for a dry run or a cap
 *   breach), its summary written, and for a cap breach an alert written and logged;
 * - the invocation runs short of time: the scan is checkpointed and its continuation sent, to go on
 *   in another invocation — nothing is enqueued before the whole listing is read (`checkpoint.ts`);
 * - the scan cannot go on (SMH keeps failing, the rule changed, the listing stalls): a
 *   `scan-failed` alert is written and logged. Nothing was enqueued.
 *
 * Writes go jobs first, then the summary: a summary states what is on the jobs queue. A write that
 * fails throws `RetentionPublishError` out of {@link carryOnScan} — the invocation is then run again,
 * which is harmless because job IDs and dedupKeys are deterministic.
 */

import type { PlanAlert, RetentionPlanSummary } from "../messages/retention-result.ts";
import { PlanDecision } from "../messages/retention-result.ts";
import { SmhError, SmhErrorKind } from "../smh/errors/smh-error.ts";
import type { RetentionContinuation } from "./checkpoint.ts";
import type { DirectorySource, ListingTarget } from "./listing.ts";
import type { RetentionObserver } from "./observer.ts";
import type { RetentionOutbox } from "./outbox.ts";
import type { PlanBuilder, RetentionPlan } from "./plan.ts";
import { capBreachAlert, type FailedScan, planSummary, scanFailedAlert } from "./summary.ts";

/** How long a scan may list in this invocation. */
export interface ScanBudget {
  /** No page is started after this (epoch ms); `Infinity`: never stop for time. */
  readonly stopListingAt: number;
  /** Every SMH call must be over by then (epoch ms); undefined: the client's budget per call. */
  readonly smhDeadline: number | undefined;
}

/** What a scan works with. */
export interface ScanContext {
  readonly source: DirectorySource;
  readonly outbox: RetentionOutbox;
  readonly pageSize: number;
  readonly observer: RetentionObserver;
  readonly clock: () => number;
  readonly budget: ScanBudget;
}

/** How one scan ended in this invocation. */
export type ScanOutcome =
  | {
      readonly kind: "finished";
      readonly plan: RetentionPlan;
      readonly summary: RetentionPlanSummary;
      /** The cap-breach alert, when a cap was broken. */
      readonly alert: PlanAlert | undefined;
    }
  | { readonly kind: "continued"; readonly continuation: RetentionContinuation }
  | { readonly kind: "failed"; readonly alert: PlanAlert; readonly error: unknown };

/**
 * Reads `target` into `builder` from its marker until one of the endings in the module comment.
 * `scan` names the run for a `scan-failed` alert.
 */
export async function carryOnScan(
  builder: PlanBuilder,
  target: ListingTarget,
  scan: Omit<FailedScan, "pageCount">,
  ctx: ScanContext,
): Promise<ScanOutcome> {
  const failed = (error: unknown) =>
    failScan({ ...scan, pageCount: builder.pageCount }, error, ctx);
  let ending: "complete" | "out-of-time";
  try {
    ending = await readListing(builder, target, ctx);
  } catch (error) {
    if (!(ranOutOfTime(error, ctx) && builder.pagesThisInvocation > 0)) return failed(error);
    ending = "out-of-time";
  }
  if (ending === "out-of-time") {
    let continuation: RetentionContinuation;
    try {
      // A scan that never read a page is deferred; one that read none since it resumed is
      // stalled, and checkpoint() refuses it rather than let it loop.
      continuation = builder.pageCount === 0 ? builder.defer() : builder.checkpoint();
    } catch (error) {
      return failed(error);
    }
    await ctx.outbox.continueLater(continuation);
    ctx.observer.scanContinued?.(continuation);
    return { kind: "continued", continuation };
  }
  let plan: RetentionPlan;
  try {
    plan = builder.finish();
  } catch (error) {
    return failed(error);
  }
  return finish(plan, ctx);
}

/** Adds pages until the last one, or until it is time to stop listing. */
async function readListing(
  builder: PlanBuilder,
  target: ListingTarget,
  ctx: ScanContext,
): Promise<"complete" | "out-of-time"> {
  if (ctx.clock() >= ctx.budget.stopListingAt) return "out-of-time";
  const pages = ctx.source.pages(target, builder.marker, {
    pageSize: ctx.pageSize,
    deadline: ctx.budget.smhDeadline,
  });
  for await (const page of pages) {
    builder.add(page);
    if (builder.complete) return "complete";
    // Leaving the loop closes the listing: no page is requested past the budget.
    if (ctx.clock() >= ctx.budget.stopListingAt) return "out-of-time";
  }
  // The listing ended while its last page named a next one: finish() refuses it, loudly.
  return "complete";
}

async function finish(plan: RetentionPlan, ctx: ScanContext): Promise<ScanOutcome> {
  await ctx.outbox.enqueue(plan.jobs);
  const now = new Date(ctx.clock());
  const summary = planSummary(plan, now);
  const alert = plan.decision === PlanDecision.capBreach ? capBreachAlert(plan, now) : undefined;
  await ctx.outbox.publishResults(alert === undefined ? [summary] : [summary, alert]);
  ctx.observer.planFinished?.(plan, summary);
  if (alert !== undefined) ctx.observer.alert?.(alert);
  return { kind: "finished", plan, summary, alert };
}

/** Writes a `scan-failed` alert for a scan that could not start or go on. */
export async function failScan(
  scan: FailedScan,
  error: unknown,
  ctx: Pick<ScanContext, "outbox" | "observer" | "clock">,
): Promise<ScanOutcome> {
  const alert = scanFailedAlert(scan, error, new Date(ctx.clock()));
  await ctx.outbox.publishResults([alert]);
  ctx.observer.alert?.(alert, error);
  return { kind: "failed", alert, error };
}

/**
 * True when a listing call failed because the invocation's time ran out, not because SMH refused:
 * a timeout or a retry cut short, past the time to stop listing. A later invocation reads the page
 * again.
 */
function ranOutOfTime(error: unknown, ctx: ScanContext): boolean {
  return (
    ctx.clock() >= ctx.budget.stopListingAt &&
    error instanceof SmhError &&
    error.kind === SmhErrorKind.retryable
  );
}
