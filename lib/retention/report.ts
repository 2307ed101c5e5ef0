/**
 * A retention run in a few figures per scan, as the handler returns it (the invocation's
 * response), the CLI prints it and the demo shows it. The full story — every figure, the first
 * selected paths, the caps — is the plan summary on the results queue.
 */

import type { RetentionPlanSummary } from "../messages/retention-result.ts";
import { retentionPlanId } from "./ids.ts";
import type { RetentionRunReport } from "./run.ts";
import type { ScanOutcome } from "./scan.ts";

/** One scan in a {@link RunDescription}. */
export interface ScanDescription {
  readonly ruleId: string;
  readonly libraryId: string;
  readonly spaceId: string;
  readonly parent: string;
  /** `finished`: its plan was written; `continued`: it goes on in another invocation; `failed`. */
  readonly outcome: ScanOutcome["kind"];
  readonly planId: string;
  /** The plan's decision, once finished. */
  readonly decision?: RetentionPlanSummary["decision"];
  readonly counts?: RetentionPlanSummary["counts"];
  readonly planHash?: string;
  /** The first selected paths, sorted (every one is in the plan). */
  readonly sample?: readonly string[];
  /** Pages read so far, over every invocation. */
  readonly pageCount: number;
  /** The alert's message (a cap breach or a failed scan). */
  readonly alert?: string;
}

/** What a run did in this invocation. */
export interface RunDescription {
  readonly runId: string;
  readonly scheduledAt: string;
  readonly dryRun: boolean;
  readonly scans: readonly ScanDescription[];
}

/** What an invocation refused as a trigger returns: no scan was run. */
export interface RefusedRunDescription {
  readonly refused: true;
  readonly problem: string;
  readonly message: string;
}

/** The answer of an invocation that was refused (see `start.ts`). */
export function describeRefusal(alert: {
  problem: string;
  message: string;
}): RefusedRunDescription {
  return { refused: true, problem: alert.problem, message: alert.message };
}

/** The few figures of each scan of `report`. */
export function describeRun(report: RetentionRunReport): RunDescription {
  return {
    runId: report.runId,
    scheduledAt: report.scheduledAt,
    dryRun: report.dryRun,
    scans: report.scans.map(describeScan),
  };
}

/** The few figures of one scan. */
export function describeScan(scan: ScanOutcome): ScanDescription {
  switch (scan.kind) {
    case "finished": {
      const { summary } = scan;
      return {
        ...scanTarget(summary),
        outcome: "finished",
        planId: summary.planId,
        decision: summary.decision,
        counts: summary.counts,
        ...(summary.planHash === undefined ? {} : { planHash: summary.planHash }),
        sample: summary.sample,
        pageCount: summary.pageCount,
        ...(scan.alert === undefined ? {} : { alert: scan.alert.message }),
      };
    }
    case "continued": {
      const { continuation } = scan;
      return {
        ...scanTarget(continuation),
        outcome: "continued",
        planId: retentionPlanId(continuation),
        pageCount: continuation.pageCount,
      };
    }
    case "failed":
      return {
        ...scanTarget(scan.alert),
        outcome: "failed",
        planId: scan.alert.planId,
        pageCount: scan.alert.alert === "scan-failed" ? (scan.alert.pageCount ?? 0) : 0,
        alert: scan.alert.message,
      };
  }
}

type ScanTarget = Pick<ScanDescription, "ruleId" | "libraryId" | "spaceId" | "parent">;

/** Where a scan ran (rule, library, space, parent): the first fields of its description. */
function scanTarget(scan: ScanTarget): ScanTarget {
  return {
    ruleId: scan.ruleId,
    libraryId: scan.libraryId,
    spaceId: scan.spaceId,
    parent: scan.parent,
  };
}
