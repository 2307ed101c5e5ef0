/**
 * Building a retention plan from a directory listing: what one rule would delete in one space on
 * one run, the caps applied, and the jobs to enqueue.
 *
 * The scanner feeds the parent's listing page by page to a {@link PlanBuilder}; `finish()` gives
 * the {@link RetentionPlan}. When the invocation runs short of time, `checkpoint()` gives a
 * continuation and {@link PlanBuilder.resume} picks it up in the next one (see `checkpoint.ts` for
 * why nothing is enqueued before the whole listing is read).
 *
 * Each entry goes through the rule in this order; the first check it fails is its skip reason:
 * type `dir` → direct child of the parent → not listed before → a name SMH can be sent unchanged
 * → the name filter → older than maxAge (`age.ts`) → allowed by the deletion policy. What passes is
 * selected. A selected directory listed again must be old enough in that listing too, or it is
 * unselected (it was recreated mid-scan). A plan's `jobs` are what to enqueue, and are empty unless its decision is `enqueue`:
 * a dry run and a cap breach both leave them empty, so a caller that sends `plan.jobs` can never
 * send a refused run.
 */
import { createDeleteJob, type DeleteJob } from "../messages/delete-job.ts";
import { idempotencyKey, JobSource, spaceId as spaceIdSchema } from "../messages/fields.ts";
import { PlanDecision, SkipReason } from "../messages/retention-result.ts";
import type { DeletionPolicy } from "../policy/config.ts";
import { evaluatePolicy } from "../policy/evaluate.ts";
import { evaluateAge } from "./age.ts";
import { type CapsEvaluation, evaluateCaps } from "./caps.ts";
import type { RetentionContinuation } from "./checkpoint.ts";
import { encodeContinuation } from "./checkpoint.ts";
import { decidePlan } from "./decision.ts";
import { ContinuationMismatchError, IncompleteScanError, ScanStalledError } from "./errors.ts";
import { planHash, retentionJobId, retentionPlanId, ruleFingerprint, runDateOf } from "./ids.ts";
import { classifyEntry, type ListingEntry, matchesName } from "./match.ts";
import { displayPath, type RetentionRule, ruleCoversSpace } from "./rules.ts";
import {
  copyCounts,
  emptyCounts,
  nameRefusal,
  type PolicyRefusal,
  type ScanCounts,
} from "./tally.ts";

/** One page of an SMH directory listing of the rule's parent. */
export interface ListingPage {
  readonly entries: readonly ListingEntry[];
  /**
   * SMH's `nextMarker`: the marker of the following page; empty, `null` or `undefined` when this
   * was the last page. Required, so that a caller cannot forget it and finish on a partial listing.
   */
  readonly nextMarker: string | number | null | undefined;
}

/** One run of one rule in one space. */
export interface PlanRun {
  readonly rule: RetentionRule;
  readonly spaceId: string;
  readonly policy: DeletionPolicy;
  /** The scheduled time of the run: ages are measured at it; its UTC date is the run date. */
  readonly scheduledAt: Date;
  /** Names this trigger's scan (e.g. the scheduler event's ID); 1–128 printable ASCII. */
  readonly runId: string;
  /** When the scan started. */
  readonly startedAt: Date;
  /** `true` makes the run a dry run. A rule's own `dryRun: true` cannot be turned off here. */
  readonly dryRun?: boolean;
  /** Set when an operator started the run (see `RetentionTrigger.manual`). */
  readonly manual?: { readonly receivedAt: Date };
}

/** The figures of a finished plan. */
export interface PlanCounts extends ScanCounts {
  /** Jobs the plan says to enqueue. */
  enqueued: number;
  /** Selected directories not enqueued because a cap was broken. */
  capped: number;
}

/** A finished retention plan for one rule, space and run. */
export interface RetentionPlan {
  readonly planId: string;
  /** Hash of the selected jobs (`ids.ts`); `undefined` when there were too many to keep. */
  readonly planHash: string | undefined;
  readonly ruleId: string;
  readonly ruleFingerprint: string;
  readonly libraryId: string;
  readonly spaceId: string;
  /** The parent as written in messages: `"/"` or `a/b`. */
  readonly parent: string;
  readonly runId: string;
  readonly runDate: string;
  readonly scheduledAt: string;
  readonly startedAt: string;
  /** When an operator started the run, when the request arrived (ISO-8601). */
  readonly manualReceivedAt: string | undefined;
  readonly permanent: boolean;
  readonly dryRun: boolean;
  readonly age: { readonly field: RetentionRule["age"]["field"]; readonly maxAge: string };
  readonly pageCount: number;
  readonly invocations: number;
  readonly counts: PlanCounts;
  readonly caps: CapsEvaluation;
  /** The first refusals by path (all of them are counted in `counts.skipped`). */
  readonly refusals: readonly PolicyRefusal[];
  /** Every selected directory's job, sorted by path, whatever the decision; empty when dropped. */
  readonly selected: readonly DeleteJob[];
  /** More directories were selected than `maxDeletesPerRun`, so their jobs were not kept. */
  readonly selectionDropped: boolean;
  readonly decision: PlanDecision;
  /** The jobs to enqueue: `selected` when the decision is `enqueue`, otherwise none. */
  readonly jobs: readonly DeleteJob[];
}

const runIdSchema = idempotencyKey("run ID");

/**
 * Accumulates one rule's scan of one space, page by page, into a plan. Never enqueues anything
 * itself, and never throws for what SMH lists: every entry ends up counted somewhere.
 *
 * @example
 * const builder = new PlanBuilder({ rule, spaceId: "-", policy, scheduledAt, runId, startedAt: new Date() });
 * for await (const page of listPages(parent)) builder.add(page);
 * const plan = builder.finish();
 * await publishJobs(plan.jobs); // empty for a dry run or a cap breach
 */
export class PlanBuilder {
  readonly #run: PlanRun;
  readonly #asOfMs: number;
  readonly #runDate: string;
  readonly #planId: string;
  readonly #fingerprint: string;
  #counts: ScanCounts = emptyCounts();
  #refusals: PolicyRefusal[] = [];
  /** Selected names, at most maxDeletesPerRun of them (see `checkpoint.ts`). */
  readonly #selected = new Set<string>();
  #selectionDropped = false;
  /** Every child name listed in this invocation, to count a repeated entry once. */
  readonly #seen = new Set<string>();
  #marker: string | undefined;
  #complete = false;
  #pageCount = 0;
  #pagesThisInvocation = 0;
  #invocations = 1;

  /**
   * Starts a scan. Throws `RangeError` for a run that must not be scanned: a disabled rule, a space
   * the rule does not cover or that is not a space ID, an invalid date or run ID.
   */
  constructor(run: PlanRun) {
    const { rule, spaceId } = run;
    if (!rule.enabled)
      throw new RangeError(`retention rule ${JSON.stringify(rule.id)} is disabled`);
    if (!spaceIdSchema.safeParse(spaceId).success || !ruleCoversSpace(rule, spaceId)) {
      throw new RangeError(
        `retention rule ${JSON.stringify(rule.id)} does not apply to space ${JSON.stringify(spaceId)}`,
      );
    }
    if (Number.isNaN(run.scheduledAt.getTime()) || Number.isNaN(run.startedAt.getTime())) {
      throw new RangeError("scheduledAt and startedAt must be valid dates");
    }
    if (!runIdSchema.safeParse(run.runId).success) {
      throw new RangeError("runId must be 1 to 128 printable ASCII characters without spaces");
    }
    this.#run = run;
    this.#asOfMs = run.scheduledAt.getTime();
    this.#runDate = runDateOf(run.scheduledAt);
    this.#fingerprint = ruleFingerprint(rule);
    this.#planId = retentionPlanId({
      ruleId: rule.id,
      libraryId: rule.libraryId,
      spaceId,
      runDate: this.#runDate,
    });
  }

  /**
   * Picks up a scan from its continuation, under `rule` and `policy` as they are now. Throws
   * {@link ContinuationMismatchError} when the continuation belongs to another rule, library or
   * space, or the rule changed since the scan started; and as the constructor does.
   */
  static resume(
    continuation: RetentionContinuation,
    context: { rule: RetentionRule; policy: DeletionPolicy },
  ): PlanBuilder {
    const { rule } = context;
    if (continuation.ruleId !== rule.id || continuation.libraryId !== rule.libraryId) {
      throw new ContinuationMismatchError(
        `the continuation is for rule ${JSON.stringify(continuation.ruleId)} in library ${continuation.libraryId}, not rule ${JSON.stringify(rule.id)} in ${rule.libraryId}`,
      );
    }
    if (continuation.ruleFingerprint !== ruleFingerprint(rule)) {
      throw new ContinuationMismatchError(
        `retention rule ${JSON.stringify(rule.id)} changed since its scan started: start the run again`,
      );
    }
    const builder = new PlanBuilder({
      rule,
      spaceId: continuation.spaceId,
      policy: context.policy,
      scheduledAt: new Date(continuation.scheduledAt),
      runId: continuation.runId,
      startedAt: new Date(continuation.startedAt),
      dryRun: continuation.dryRun,
      ...(continuation.manualReceivedAt === undefined
        ? {}
        : { manual: { receivedAt: new Date(continuation.manualReceivedAt) } }),
    });
    if (builder.#runDate !== continuation.runDate) {
      throw new ContinuationMismatchError(
        "the continuation's runDate is not its scheduledAt's date",
      );
    }
    builder.#counts = copyCounts(continuation.counts);
    builder.#refusals = continuation.refusals.map((refusal) => ({
      path: refusal.path,
      violations: refusal.violations.map((violation) => ({ ...violation })),
    })) as PolicyRefusal[];
    for (const name of continuation.selected) builder.#selected.add(name);
    builder.#selectionDropped = continuation.selectionDropped;
    builder.#marker = continuation.marker;
    builder.#pageCount = continuation.pageCount;
    builder.#invocations = continuation.invocations + 1;
    return builder;
  }

  /** The marker to list the next page from; `undefined` before the first page and at the end. */
  get marker(): string | undefined {
    return this.#marker;
  }

  /** True once a page without a `nextMarker` was added: `finish()` may be called. */
  get complete(): boolean {
    return this.#complete;
  }

  /** Pages added so far, over every invocation of the scan. */
  get pageCount(): number {
    return this.#pageCount;
  }

  /** Pages added since the scan started or resumed in this invocation. */
  get pagesThisInvocation(): number {
    return this.#pagesThisInvocation;
  }

  /** The figures so far (a copy). */
  get counts(): ScanCounts {
    return copyCounts(this.#counts);
  }

  /**
   * Adds one page of the parent's listing. Throws {@link ScanStalledError} when the page's
   * `nextMarker` is the marker it was fetched with, and `RangeError` after the last page.
   */
  add(page: ListingPage): void {
    if (this.#complete) throw new RangeError("the listing already ended: finish() the plan");
    const next = markerOf(page.nextMarker);
    if (next !== undefined && next === this.#marker) {
      throw new ScanStalledError(
        `SMH answered the page at marker ${JSON.stringify(next)} with the same marker: the scan would loop`,
      );
    }
    for (const entry of page.entries) this.#consider(entry);
    this.#pageCount++;
    this.#pagesThisInvocation++;
    this.#marker = next;
    this.#complete = next === undefined;
  }

  #consider(entry: ListingEntry): void {
    this.#counts.listed++;
    const verdict = this.#judge(entry);
    if ("skipped" in verdict) {
      this.#counts.skipped[verdict.skipped]++;
      return;
    }
    this.#counts.selected++;
    if (this.#selectionDropped) return;
    if (this.#selected.size < this.#run.rule.caps.maxDeletesPerRun) {
      this.#selected.add(verdict.selected);
    } else {
      // One more than the cap allows: the run will be refused, its names are no longer needed.
      this.#selected.clear();
      this.#selectionDropped = true;
    }
  }

  /** Why `entry` is skipped, or its name when it is selected; counts the stages it passes. */
  #judge(entry: ListingEntry): { skipped: SkipReason } | { selected: string } {
    const { rule, spaceId, policy } = this.#run;
    const child = classifyEntry(rule.parent, entry);
    if (child.kind === "not-a-directory") return { skipped: SkipReason.notADirectory };
    if (child.kind === "not-direct-child") return { skipped: SkipReason.notDirectChild };
    if (this.#seen.has(child.name) || this.#selected.has(child.name)) {
      this.#recheckAge(child.name, entry);
      return { skipped: SkipReason.duplicate };
    }
    this.#seen.add(child.name);
    this.#counts.children++;
    if (child.kind === "unsafe-name") return { skipped: SkipReason.unsafeName };
    if (!matchesName(rule.match, child.name)) return { skipped: SkipReason.excluded };
    this.#counts.matched++;
    const age = evaluateAge(entry[rule.age.field], rule.age.maxAge.ms, this.#asOfMs);
    if (!age.eligible) return { skipped: age.reason };
    this.#counts.eligible++;
    const subject = {
      libraryId: rule.libraryId,
      spaceId,
      path: child.path,
      permanent: rule.permanent,
    };
    const verdict = evaluatePolicy(policy, subject);
    if (verdict.allowed) return { selected: child.name };
    nameRefusal(this.#refusals, { path: child.path, violations: verdict.violations });
    return { skipped: SkipReason.policyRefused };
  }

  /**
   * A selected directory listed again is kept only if this listing too says it is old enough: two
   * different times under one name mean it was deleted and recreated while the scan ran, and the
   * job would delete the new one. (Once the names are dropped the run is refused anyway.)
   */
  #recheckAge(name: string, entry: ListingEntry): void {
    if (!this.#selected.has(name)) return;
    const { age } = this.#run.rule;
    const verdict = evaluateAge(entry[age.field], age.maxAge.ms, this.#asOfMs);
    if (verdict.eligible) return;
    this.#selected.delete(name);
    this.#counts.selected--;
    this.#counts.eligible--;
    this.#counts.skipped[verdict.reason]++;
  }

  /**
   * The state to carry to the next invocation. Throws {@link ScanStalledError} when no page was
   * added since the scan started or resumed, `RangeError` when the listing is complete (finish
   * instead), and `ContinuationTooLargeError` when it would not fit in a queue message.
   */
  checkpoint(): RetentionContinuation {
    if (this.#complete) throw new RangeError("the listing is complete: finish() the plan instead");
    if (this.#pagesThisInvocation === 0 || this.#marker === undefined) {
      throw new ScanStalledError("no page was listed since the scan started or resumed");
    }
    const continuation: RetentionContinuation = {
      ...this.#continuationHead(),
      marker: this.#marker,
      pageCount: this.#pageCount,
      invocations: this.#invocations,
      counts: copyCounts(this.#counts),
      selected: [...this.#selected].sort(),
      selectionDropped: this.#selectionDropped,
      refusals: this.#refusals.map((refusal) => ({
        ...refusal,
        violations: [...refusal.violations],
      })),
    };
    encodeContinuation(continuation); // validates, and throws when it would not fit
    return continuation;
  }

  /**
   * The continuation of a scan that has not read its first page: the next invocation starts it
   * from the beginning. Throws `RangeError` once a page was read (checkpoint instead).
   */
  defer(): RetentionContinuation {
    if (this.#pageCount > 0) {
      throw new RangeError("the scan already read pages: checkpoint() it instead");
    }
    const continuation: RetentionContinuation = {
      ...this.#continuationHead(),
      pageCount: 0,
      invocations: this.#invocations,
      counts: copyCounts(this.#counts),
      selected: [],
      selectionDropped: false,
      refusals: [],
    };
    encodeContinuation(continuation);
    return continuation;
  }

  /** Which scan this is, and of which run: what its plan and its continuations both name. */
  #scanIdentity() {
    const { rule, spaceId } = this.#run;
    return {
      ruleId: rule.id,
      ruleFingerprint: this.#fingerprint,
      libraryId: rule.libraryId,
      spaceId,
      parent: displayPath(rule.parent),
      runId: this.#run.runId,
      runDate: this.#runDate,
    };
  }

  /** What every continuation of this scan says first. */
  #continuationHead() {
    return {
      v: 1,
      type: "retention-continuation",
      ...this.#scanIdentity(),
      scheduledAt: this.#run.scheduledAt.toISOString(),
      startedAt: this.#run.startedAt.toISOString(),
      dryRun: this.#run.dryRun === true,
      ...(this.#run.manual === undefined
        ? {}
        : { manualReceivedAt: this.#run.manual.receivedAt.toISOString() }),
    } as const;
  }

  /**
   * Finishes the plan: re-checks the policy on the selection (it may have changed since a previous
   * invocation), builds the jobs, evaluates the caps and decides. Throws
   * {@link IncompleteScanError} when the last page added still had a `nextMarker`.
   */
  finish(): RetentionPlan {
    const { rule, spaceId, policy } = this.#run;
    if (!this.#complete) {
      throw new IncompleteScanError(
        `the listing of ${JSON.stringify(displayPath(rule.parent))} is not complete (next marker ${JSON.stringify(this.#marker ?? null)}): read on or checkpoint`,
      );
    }
    const counts = copyCounts(this.#counts);
    const refusals = this.#refusals.map((refusal) => ({ ...refusal }));
    const scheduledAt = this.#run.scheduledAt.toISOString();
    const reason = `retention rule ${JSON.stringify(rule.id)}: ${rule.age.field} more than ${rule.age.maxAge.text} before ${scheduledAt}`;
    const selected: DeleteJob[] = [];
    for (const name of [...this.#selected].sort()) {
      const path = [...rule.parent, name].join("/");
      const verdict = evaluatePolicy(policy, {
        libraryId: rule.libraryId,
        spaceId,
        path,
        permanent: rule.permanent,
      });
      if (!verdict.allowed) {
        counts.selected--;
        counts.skipped[SkipReason.policyRefused]++;
        nameRefusal(refusals, { path, violations: verdict.violations });
        continue;
      }
      selected.push(
        createDeleteJob({
          jobId: retentionJobId({
            ruleId: rule.id,
            libraryId: rule.libraryId,
            spaceId,
            path,
            permanent: rule.permanent,
            runDate: this.#runDate,
          }),
          libraryId: rule.libraryId,
          spaceId,
          path,
          permanent: rule.permanent,
          source: JobSource.retention,
          ruleId: rule.id,
          planId: this.#planId,
          reason,
        }),
      );
    }
    if (!this.#selectionDropped && selected.length !== counts.selected) {
      throw new Error(
        `internal: ${selected.length} jobs for ${counts.selected} selected directories`,
      );
    }
    const caps = evaluateCaps(rule.caps, counts.selected, counts.children);
    const dryRun = rule.dryRun || this.#run.dryRun === true;
    const decision = decidePlan({ dryRun, capBroken: caps.breaches.length > 0 });
    const jobs = decision === PlanDecision.enqueue ? selected : [];
    return {
      planId: this.#planId,
      planHash: this.#selectionDropped ? undefined : planHash(this.#planId, selected),
      ...this.#scanIdentity(),
      scheduledAt,
      startedAt: this.#run.startedAt.toISOString(),
      manualReceivedAt: this.#run.manual?.receivedAt.toISOString(),
      permanent: rule.permanent,
      dryRun,
      age: { field: rule.age.field, maxAge: rule.age.maxAge.text },
      pageCount: this.#pageCount,
      invocations: this.#invocations,
      counts: {
        ...counts,
        enqueued: jobs.length,
        capped: decision === PlanDecision.capBreach ? counts.selected : 0,
      },
      caps,
      refusals,
      selected,
      selectionDropped: this.#selectionDropped,
      decision,
      jobs,
    };
  }
}

/**
 * Builds a plan from a whole listing in one go: every page of `pages`, then `finish()`. Throws
 * {@link IncompleteScanError} when the pages end while the last one still had a `nextMarker`.
 *
 * @example const plan = await planFromListing(run, smh.listDirectoryPages(libraryId, spaceId, parent));
 */
export async function planFromListing(
  run: PlanRun,
  pages: AsyncIterable<ListingPage> | Iterable<ListingPage>,
): Promise<RetentionPlan> {
  const builder = new PlanBuilder(run);
  for await (const page of pages) builder.add(page);
  return builder.finish();
}

/** SMH's nextMarker as a string, or `undefined` when it says there is no next page. */
function markerOf(marker: string | number | null | undefined): string | undefined {
  if (marker === null || marker === undefined) return undefined;
  const text = String(marker);
  return text === "" ? undefined : text;
}
