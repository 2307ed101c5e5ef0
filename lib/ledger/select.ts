/**
 * Selecting results: the selectors `smh-cleaner ledger`, `restore`, `purge` and `results` share,
 * what each one matches, and which ledger partitions (kinds) can hold a match at all.
 *
 * A selector a result does not carry never matches it: `--source bulk` selects deletions only
 * (only deletions carry a `source`), `--plan-id P` selects deletions and the retention plan
 * summary and alerts of P, `--outcome restored` selects recycle actions only. So the kinds worth
 * reading follow from the selectors, and a reader lists only those partitions.
 *
 * Values are compared exactly as written: `pathPrefix` is a prefix of the path as the result
 * reports it (as the job gave it), never normalised or decoded.
 */
import type { ResultMessage } from "../messages/result-message.ts";
import { LEDGER_KINDS, type LedgerKind } from "./layout.ts";

/** What to select. Every given selector must match; none given selects everything. */
export interface LedgerSelectors {
  readonly planId?: string | undefined;
  readonly source?: string | undefined;
  readonly jobId?: string | undefined;
  readonly libraryId?: string | undefined;
  readonly spaceId?: string | undefined;
  /** A prefix of `path`, compared exactly (no normalising, no decoding). */
  readonly pathPrefix?: string | undefined;
  /** Results that finished at or after this instant (`finishedAt`; an alert's `raisedAt`). */
  readonly since?: Date | undefined;
  /** Results that finished at or before this instant. */
  readonly until?: Date | undefined;
  /**
   * Any of these outcomes: a deletion's or recycle action's `outcome`, a plan summary's
   * `decision`, an alert's `alert` (the CSV export's `outcome` column).
   */
  readonly outcomes?: readonly string[] | undefined;
  /** Any of these result types (ledger kinds). */
  readonly kinds?: readonly LedgerKind[] | undefined;
}

/** The outcomes each kind can have: what `outcomes` narrows the kinds by. */
export const KIND_OUTCOMES: Readonly<Record<LedgerKind, readonly string[]>> = {
  deletion: ["recycled", "deleted", "recovered", "already_absent", "rejected", "failed"],
  "recycle-action": ["restored", "purged", "expired", "conflict", "failed", "rejected"],
  "retention-plan": ["enqueue", "dry-run", "cap-breach"],
  "retention-alert": ["cap-breach", "scan-failed", "trigger-refused"],
};

/** Which kinds carry each selectable field. */
const KINDS_WITH: Readonly<Record<"planId" | "source" | "jobId" | "pathPrefix", LedgerKind[]>> = {
  planId: ["deletion", "retention-plan", "retention-alert"],
  source: ["deletion"],
  jobId: ["deletion"],
  pathPrefix: ["deletion"],
};

/** The kinds that can hold a result the selectors match, in layout order. */
export function kindsFor(selectors: LedgerSelectors): LedgerKind[] {
  return LEDGER_KINDS.filter((kind) => {
    if (selectors.kinds !== undefined && !selectors.kinds.includes(kind)) return false;
    for (const field of Object.keys(KINDS_WITH) as (keyof typeof KINDS_WITH)[]) {
      if (selectors[field] !== undefined && !KINDS_WITH[field].includes(kind)) return false;
    }
    if (selectors.outcomes !== undefined) {
      return selectors.outcomes.some((outcome) => KIND_OUTCOMES[kind].includes(outcome));
    }
    return true;
  });
}

/** A result's outcome in the wide sense of {@link LedgerSelectors.outcomes}. */
export function outcomeOf(result: ResultMessage): string {
  if (result.type === "retention-plan") return result.decision;
  if (result.type === "retention-alert") return result.alert;
  return result.outcome;
}

/** When a result finished: `finishedAt`, or an alert's `raisedAt`. */
export function finishedAtOf(result: ResultMessage): string {
  return "finishedAt" in result ? result.finishedAt : result.raisedAt;
}

/** True when `result` matches every selector given. */
export function matchesSelectors(result: ResultMessage, selectors: LedgerSelectors): boolean {
  const fields = result as Partial<Record<string, unknown>>;
  const equal = (field: string, wanted: string | undefined) =>
    wanted === undefined || fields[field] === wanted;
  if (selectors.kinds !== undefined && !selectors.kinds.includes(result.type)) return false;
  if (!equal("planId", selectors.planId)) return false;
  if (!equal("source", selectors.source)) return false;
  if (
    selectors.jobId !== undefined &&
    (result.type !== "deletion" || result.jobId !== selectors.jobId)
  )
    return false;
  if (!equal("libraryId", selectors.libraryId)) return false;
  if (!equal("spaceId", selectors.spaceId)) return false;
  if (selectors.pathPrefix !== undefined) {
    if (result.type !== "deletion" || typeof result.path !== "string") return false;
    if (!result.path.startsWith(selectors.pathPrefix)) return false;
  }
  if (selectors.outcomes !== undefined && !selectors.outcomes.includes(outcomeOf(result))) {
    return false;
  }
  if (selectors.since !== undefined || selectors.until !== undefined) {
    const finished = Date.parse(finishedAtOf(result));
    if (selectors.since !== undefined && finished < selectors.since.getTime()) return false;
    if (selectors.until !== undefined && finished > selectors.until.getTime()) return false;
  }
  return true;
}

/** True when no selector is given (everything matches). */
export function selectsEverything(selectors: LedgerSelectors): boolean {
  return Object.values(selectors).every((value) => value === undefined);
}

/** How far a plan's clock (the CLI's machine) may be ahead of the clock of its results. */
const PLAN_CLOCK_SKEW_MS = 24 * 60 * 60 * 1000;

/**
 * The earliest a result the selectors match can have finished, when the selectors say so without
 * `since`: a bulk plan's ID carries the time it was made (`plan-20250501T101500Z-3f2a9c1d`, see
 * `lib/cli/plans/plan.ts:planIdOf`; its jobs' IDs start with it), and nothing of a plan finishes
 * before the plan was made. A day is taken off for clocks that disagree. Used only to prune
 * partitions, never to filter: a result outside the bound is simply not looked for.
 */
export function earliestFinish(selectors: LedgerSelectors): Date | undefined {
  const bounds: number[] = [];
  if (selectors.since !== undefined) bounds.push(selectors.since.getTime());
  for (const id of [selectors.planId, selectors.jobId]) {
    const made = id === undefined ? undefined : planTimeOf(id);
    if (made !== undefined) bounds.push(made.getTime() - PLAN_CLOCK_SKEW_MS);
  }
  return bounds.length === 0 ? undefined : new Date(Math.max(...bounds));
}

/** The time in a bulk plan ID (or a job ID derived from one), or undefined for any other ID. */
export function planTimeOf(id: string): Date | undefined {
  const match =
    /^plan-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-[0-9a-f]{8}(-[0-9a-f]{24})?$/.exec(id);
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[];
  const time = Date.UTC(
    year as number,
    (month as number) - 1,
    day as number,
    hour as number,
    minute as number,
    second as number,
  );
  const date = new Date(time);
  // 20251399T… is not a time: refuse what Date.UTC would roll over.
  return date.toISOString().slice(0, 19).replace(/[-:]/g, "") === id.slice(5, 20)
    ? date
    : undefined;
}
