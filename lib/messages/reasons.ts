/**
 * Why a message was refused, in the shape `rejected` results carry.
 *
 * A refused message reports every problem, not only the first, but a hostile body can hold
 * thousands of problems (one per unknown key): the list and each message are bounded so the
 * `rejected` result always fits on the results queue.
 */

import type { core } from "zod";
import * as z from "zod";

/** The most reasons a `rejected` result lists; past it, a last reason counts the rest. */
export const MAX_REASONS = 50;
/** The longest reason message kept; longer ones are cut and end with `…`. */
export const MAX_REASON_MESSAGE_LENGTH = 1000;
/** The longest field path kept in a reason. */
export const MAX_REASON_PATH_LENGTH = 256;

/**
 * A field of the message failed validation. `path` is dotted (`recycledItemIds.3`); `""` is the
 * whole body. `code`, when present, names the problem in a stable word alerting may match on
 * (`duplicate-key`; for a directory path its `PathProblem`: `edge-whitespace`, …).
 */
export interface FieldReason {
  path: string;
  code?: string;
  message: string;
}

/** A policy rule refused the job. `rule` is the rule's name (`protected-path`). */
export interface RuleReason {
  rule: string;
  message: string;
}

/** One reason a job or command was rejected. */
export type RejectionReason = FieldReason | RuleReason;

/** The schema of one reason inside a result message. */
export const rejectionReason = z.union([
  z.strictObject({
    path: z.string().max(MAX_REASON_PATH_LENGTH).meta({ description: "Dotted field path." }),
    code: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,63}$/)
      .optional()
      .meta({
        description:
          "Stable name of the problem, when it has one: duplicate-key (a key given twice in the body); for a path, empty, root, dot-segment, control-character, malformed-unicode, segment-too-long, edge-whitespace, invisible-character, backslash, encoded-dot-segment, encoded-separator or encoded-control-character.",
      }),
    message: z.string().min(1).max(MAX_REASON_MESSAGE_LENGTH),
  }),
  z.strictObject({
    rule: z.string().min(1).max(128).meta({ description: "Name of the policy rule." }),
    message: z.string().min(1).max(MAX_REASON_MESSAGE_LENGTH),
  }),
]);

/** The reasons of a `rejected` result: at least one, at most {@link MAX_REASONS}. */
export const rejectionReasons = z.array(rejectionReason).min(1).max(MAX_REASONS);

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function dotted(path: readonly PropertyKey[]): string {
  return path.map((key) => (typeof key === "symbol" ? key.toString() : String(key))).join(".");
}

/**
 * Turns zod issues into reasons: one per issue, and one per unknown key, so a caller sees every
 * misspelt field by name. Used for configuration too (the deletion policy).
 */
export function reasonsFromIssues(issues: readonly core.$ZodIssue[]): FieldReason[] {
  const reasons: FieldReason[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        reasons.push({
          path: dotted([...issue.path, key]),
          message: "unknown field: refused so that a misspelt option is never silently ignored",
        });
      }
    } else if (issue.code === "invalid_key") {
      // "Invalid key in record" says nothing; the key schema's own issue says what is wrong.
      const detail = issue.issues[0]?.message ?? issue.message;
      reasons.push({ path: dotted(issue.path), message: `invalid key: ${detail}` });
    } else {
      const code = issue.code === "custom" ? issue.params?.code : undefined;
      reasons.push({
        path: dotted(issue.path),
        ...(typeof code === "string" ? { code } : {}),
        message: issue.message,
      });
    }
  }
  return reasons;
}

/**
 * Bounds a list of reasons for a result: cuts long paths and messages, and past
 * {@link MAX_REASONS} replaces the rest with one reason that counts them.
 */
export function boundReasons<R extends RejectionReason>(reasons: readonly R[]): RejectionReason[] {
  const bounded: RejectionReason[] = reasons.map((reason) =>
    "rule" in reason
      ? { rule: cut(reason.rule, 128), message: cut(reason.message, MAX_REASON_MESSAGE_LENGTH) }
      : {
          path: cut(reason.path, MAX_REASON_PATH_LENGTH),
          ...(reason.code === undefined ? {} : { code: reason.code }),
          message: cut(reason.message, MAX_REASON_MESSAGE_LENGTH),
        },
  );
  if (bounded.length <= MAX_REASONS) return bounded;
  const kept = bounded.slice(0, MAX_REASONS - 1);
  kept.push({ path: "", message: `…and ${bounded.length - kept.length} more problems` });
  return kept;
}
