import type { ConformanceReport } from "../../conformance/run.ts";
import { table } from "../output.ts";

/** Quotes a JSON document for a POSIX shell. */
function shellQuote(value: unknown): string {
  return `'${JSON.stringify(value).replaceAll("'", "'\\''")}'`;
}

/**
 * The conformance report as a user reads it: what was compared, one row per behaviour (what the
 * library did, what the simulator assumes, agree or differ), the counts, the cleanup, and the
 * simulator settings that would make the simulator behave like this library.
 */
export function renderConformance(report: ConformanceReport): string {
  const bin = report.recycleBin === null ? "" : `, recycle bin ${report.recycleBin ? "on" : "off"}`;
  const lines = [
    `Library ${report.libraryId}, space ${report.spaceId}${bin}`,
    `compared with ${report.assumptionsSource}`,
    `scratch directory ${report.scratch}`,
    "",
    table(
      ["Behaviour", "Library", "Simulator assumes", "Verdict"],
      report.checks.map((row) => [row.behaviour, row.library, row.simulator, row.verdict]),
    ),
    "",
  ];
  const { summary } = report;
  lines.push(
    `${summary.agree} agree, ${summary.differ} differ, ${summary["not checked"]} not checked, ${summary.failed} failed, ${summary["not run"]} not run`,
  );
  if (report.setupError) lines.push(`The checks could not start: ${report.setupError}`);
  if (report.interrupted) lines.push("Interrupted: the remaining checks were not run.");
  const { cleanup } = report;
  lines.push(
    cleanup.leftovers.length === 0
      ? `Cleanup: ${report.scratch} removed, ${cleanup.purged} recycle-bin item(s) purged, ${SCRATCH_PARENT_TEXT[cleanup.parent]}.`
      : `Cleanup incomplete, remove by hand: ${cleanup.leftovers.join("; ")}`,
  );
  const { options, faults, notes } = report.suggested;
  const hasOptions = Object.keys(options).length > 0;
  const hasFaults = Object.keys(faults).length > 0;
  if (hasOptions || hasFaults) {
    lines.push("", "To make the simulator behave like this library:");
    const flags = [
      hasOptions ? `--options ${shellQuote(options)}` : "",
      hasFaults ? `--faults ${shellQuote(faults)}` : "",
    ].filter((flag) => flag !== "");
    lines.push(`  smh-cleaner sim ${flags.join(" ")}`);
    for (const note of notes) lines.push(`  note: ${note}`);
  }
  return lines.join("\n");
}

const SCRATCH_PARENT_TEXT = {
  removed: "__smh_cleaner_conformance__ removed",
  kept: "__smh_cleaner_conformance__ kept (it was there before, or another run uses it)",
  failed: "__smh_cleaner_conformance__ could not be removed",
} as const;
