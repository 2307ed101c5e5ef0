/**
 * Continuations: how a scan too long for one invocation goes on in the next, without ever
 * deleting more than the caps allow and without ever stopping silently part way.
 *
 * ## The design: decide once, on the whole listing, before anything is enqueued
 *
 * The caps compare what a run would delete with the parent's child directories, and a breach must
 * enqueue **nothing**. Both figures are only known when the listing has been read to its end, so
 * nothing is enqueued until then: a scan that needs several invocations carries its state forward
 * in a continuation message, and only the invocation that reads the last page finishes the plan,
 * evaluates the caps on exact totals, and enqueues all of the plan's jobs or none of them.
 *
 * The state it carries is bounded: the marker, the exact counts, the names of the directories
 * selected so far, and a few named policy refusals. The selected names are bounded by the rule's
 * `maxDeletesPerRun` (at most 1,000): once one more directory is selected than the cap allows, the
 * run is certain to be refused, so the builder drops the names and only keeps counting (the alert
 * still gets exact figures). A run can therefore never be allowed on figures it did not see, and
 * never delete a directory that was not in its final, capped selection.
 *
 * Alternatives rejected:
 * - *enqueue page by page against a known total*: a breach found on page 900 would come after
 *   899 pages of jobs were already on the queue;
 * - *count first, then a second enqueuing pass*: twice the listing calls, and the second pass can
 *   see a directory that changed since the first.
 *
 * ## Never silently stopping
 *
 * - A plan cannot be finished while the last page still had a `nextMarker`
 *   (`IncompleteScanError`): the scanner either reads on or checkpoints.
 * - A continuation carries the marker to read from, and is refused when it made no progress (a
 *   page answered with the marker it was fetched with, or no page since the last checkpoint:
 *   `ScanStalledError`), so a stuck listing fails loudly instead of looping.
 * - A continuation is resumed only under the same rule definition (`ruleFingerprint`), library and
 *   space (`ContinuationMismatchError`): counts of two different rules are never mixed. The deletion
 *   policy is re-checked on the carried names when the plan finishes, so a policy tightened
 *   mid-scan still holds.
 * - A scan that had no time to read its first page (a scheduled invocation with more scans than
 *   time) is *deferred*: its continuation has no marker and no page, and the next invocation starts
 *   it from the first page. Only a scan that read nothing yet may be deferred.
 * - One that would not fit in a queue message (1,000 very long names) is refused with
 *   `ContinuationTooLargeError` before it is sent; nothing has been enqueued, and the error says to
 *   lower the cap. Counts and names fit easily otherwise (1,000 names of 40 bytes ≈ 45 KB).
 *
 * Within one invocation a name listed twice is counted once. Across invocations only the selected
 * names are remembered, so a listing that repeated a non-selected entry across a continuation
 * would count it twice as a child; SMH's marker paging does not repeat entries.
 */
import * as z from "zod";
import { parseBody } from "../messages/body.ts";
import { encodeMessageBody } from "../messages/encode.ts";
import { boundedText, idempotencyKey, libraryId, spaceId, timestamp } from "../messages/fields.ts";
import type { FieldReason } from "../messages/reasons.ts";
import { MAX_REFUSALS_NAMED, SKIP_REASONS, type SkipReason } from "../messages/retention-result.ts";
import { DEFAULT_MAX_BATCH_BYTES } from "../queues/limits.ts";
import { ContinuationTooLargeError } from "./errors.ts";
import { MAX_DELETES_PER_RUN } from "./rules.ts";

/** The largest continuation body, in UTF-8 bytes: what every SQS queue accepts. */
export const MAX_CONTINUATION_BYTES = DEFAULT_MAX_BATCH_BYTES;

const count = z.int().min(0);
const hex64 = z.string().regex(/^[0-9a-f]{64}$/, { error: "must be 64 lowercase hex characters" });

const counts = z.strictObject({
  listed: count,
  children: count,
  matched: count,
  eligible: count,
  selected: count,
  skipped: z.strictObject(
    Object.fromEntries(SKIP_REASONS.map((reason) => [reason, count])) as Record<
      SkipReason,
      typeof count
    >,
  ),
});

const refusal = z.strictObject({
  path: boundedText(8192, "Path the deletion policy refused."),
  violations: z
    .array(
      z.strictObject({ rule: boundedText(128, "Policy rule."), message: z.string().max(1000) }),
    )
    .min(1),
});

/** The continuation message schema (`type: "retention-continuation"`, v1). Strict. */
export const RetentionContinuationSchema = z
  .strictObject({
    v: z.literal(1),
    type: z.literal("retention-continuation"),
    ruleId: boundedText(64, "Rule being run."),
    ruleFingerprint: hex64.meta({ description: "Fingerprint of the rule when the scan started." }),
    libraryId,
    spaceId,
    parent: boundedText(8192, "The rule's parent as messages write it: '/' or a/b.").meta({
      description:
        "The rule's parent ('/' or a/b), so an alert can name it even when the rule is gone.",
    }),
    runId: idempotencyKey("The trigger's run ID."),
    runDate: z.iso.date().meta({ description: "UTC date of the scheduled run." }),
    scheduledAt: timestamp.meta({
      description: "Scheduled time of the run: ages are measured at it.",
    }),
    startedAt: timestamp.meta({ description: "When the first invocation started scanning." }),
    dryRun: z.boolean().meta({ description: "The run was forced to be a dry run." }),
    manualReceivedAt: timestamp.optional().meta({
      description:
        "When an operator started the run, when the request arrived (absent for the schedule).",
    }),
    marker: z.string().min(1).max(8192).optional().meta({
      description:
        "SMH listing marker to read from; absent for a scan deferred before its first page.",
    }),
    pageCount: z.int().min(0),
    invocations: z.int().min(1),
    counts,
    selected: z
      .array(z.string().min(1).max(1024))
      .max(MAX_DELETES_PER_RUN)
      .meta({ description: "Names of the directories selected so far." }),
    selectionDropped: z
      .boolean()
      .meta({ description: "More were selected than maxDeletesPerRun: names no longer kept." }),
    refusals: z.array(refusal).max(MAX_REFUSALS_NAMED),
  })
  .superRefine((state, ctx) => {
    const problem = (path: PropertyKey[], message: string) =>
      ctx.addIssue({ code: "custom", path, message });
    if ((state.marker === undefined) !== (state.pageCount === 0)) {
      problem(["marker"], "must be given exactly when pages were read (pageCount > 0)");
    }
    if (state.pageCount === 0 && state.counts.listed > 0) {
      problem(["counts"], "a scan that read no page has listed nothing");
    }
    if (!state.scheduledAt.startsWith(state.runDate)) {
      problem(["runDate"], "is not the UTC date of scheduledAt");
    }
    const { listed, children, matched, eligible, selected, skipped } = state.counts;
    const totalSkipped = SKIP_REASONS.reduce((sum, reason) => sum + skipped[reason], 0);
    if (
      listed !== totalSkipped + selected ||
      children !== matched + skipped.excluded + skipped["unsafe-name"] ||
      matched !==
        eligible + skipped["too-young"] + skipped["future-time"] + skipped["missing-time"] ||
      eligible !== selected + skipped["policy-refused"]
    ) {
      problem(["counts"], "the counts do not add up");
    }
    if (!state.selectionDropped && state.selected.length !== selected) {
      problem(
        ["selected"],
        `lists ${state.selected.length} names but counts.selected is ${selected}`,
      );
    }
    if (state.selectionDropped && state.selected.length > 0) {
      problem(["selected"], "must be empty once the selection was dropped");
    }
    if (new Set(state.selected).size !== state.selected.length) {
      problem(["selected"], "lists a name twice");
    }
  });

/** A continuation: the state of a scan that goes on in another invocation. */
export type RetentionContinuation = z.output<typeof RetentionContinuationSchema>;

/**
 * Serialises a continuation for the queue. Throws {@link ContinuationTooLargeError} when it is over
 * {@link MAX_CONTINUATION_BYTES}: nothing may be sent then (see the module comment).
 */
export function encodeContinuation(continuation: RetentionContinuation): string {
  const body = encodeMessageBody(RetentionContinuationSchema.parse(continuation));
  const bytes = Buffer.byteLength(body, "utf8");
  if (bytes > MAX_CONTINUATION_BYTES) {
    throw new ContinuationTooLargeError(bytes, MAX_CONTINUATION_BYTES, continuation.ruleId);
  }
  return body;
}

/** The outcome of {@link parseContinuationBody}. */
export type ContinuationParse =
  | { ok: true; continuation: RetentionContinuation }
  | { ok: false; reasons: FieldReason[] };

/** Parses a continuation message body. Never throws; a refusal lists every problem. */
export function parseContinuationBody(body: string): ContinuationParse {
  const parsed = parseBody(body, RetentionContinuationSchema, MAX_CONTINUATION_BYTES);
  return parsed.ok
    ? { ok: true, continuation: parsed.value }
    : { ok: false, reasons: parsed.reasons };
}
