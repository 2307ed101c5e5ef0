/**
 * The human-readable form of a report: one Markdown table (so a run can be pasted into the
 * README as it is), a line per figure, with the target and whether it was met.
 */
import { SETTLE_ALLOWANCE_SECONDS } from "./fleet-figures.ts";
import type { Figures, TargetResult } from "./report.ts";

type Row = [scenario: string, figure: string, measured: string, target: string];

/** Renders the figures and targets as a Markdown table. */
export function renderTable(figures: Figures, targets: readonly TargetResult[]): string {
  const target = (id: string, text: string): string => {
    const result = targets.find((t) => t.id === id);
    if (!result || result.measured === undefined) return text;
    if (result.met === null) return `${text} ❔ (lower bound)`;
    return `${text} ${result.met ? "✅" : "❌"}`;
  };
  const rows: Row[] = [];
  const s = figures.single;
  if (s) {
    const name = `1 single (R = ${s.boundPerSecond}/s)`;
    rows.push(
      [
        name,
        "deletions/s, first enqueue → last result",
        `${n(s.deletionsPerSecond, 1)} (${n(s.ratioToBound, 3)} × R)`,
        target("single.rate", "≥ 0.9 × R"),
      ],
      [
        name,
        "deletions/s, steady (SMH side, 10–90 %)",
        `${n(s.steadyDeletionsPerSecond, 1)} (${n(s.steadyRatioToBound, 3)} × R)`,
        "",
      ],
      [
        name,
        "SMH requests per deletion (tokens included)",
        n(s.smhRequestsPerDeletion, 4),
        target("single.smhRequests", "≤ 1.02"),
      ],
      [name, "429s received", String(s.throttled429), ""],
      [
        name,
        "results-queue calls per job",
        n(s.resultsQueueCallsPerJob, 3),
        target("single.resultCalls", "≤ 0.11"),
      ],
      [
        name,
        "enqueue → result p50 / p99",
        `${seconds(s.latencyP50Ms)} / ${seconds(s.latencyP99Ms)}`,
        "",
      ],
    );
  }
  const b = figures.batch;
  if (b) {
    const name = `2 batch (median of ${b.runs})`;
    rows.push(
      [
        name,
        "deletions/s, first enqueue → last result",
        `${n(b.deletionsPerSecond, 0)} (runs ${n(b.deletionsPerSecondRange[0], 0)}–${n(b.deletionsPerSecondRange[1], 0)})`,
        "",
      ],
      [name, "… over single mode", `${n(b.ratioToSingle, 2)} ×`, target("batch.rate", "≥ 10 ×")],
      [
        name,
        "deletions/s, steady; over single's steady",
        `${n(b.steadyDeletionsPerSecond, 0)}; ${n(b.steadyRatioToSingle, 2)} ×`,
        "",
      ],
      [
        name,
        "SMH requests per deletion (tokens included)",
        n(b.smhRequestsPerDeletion, 4),
        target("batch.smhRequests", "≤ 0.02"),
      ],
      [
        name,
        "enqueue → result p50 / p99",
        `${seconds(b.latencyP50Ms)} / ${seconds(b.latencyP99Ms)}`,
        "",
      ],
    );
  }
  const h = figures.hidden;
  if (h) {
    const name = `3 hidden limit (R = ${h.enforcedPerSecond}/s, client starts at ${h.clientStartPerSecond}/s)`;
    rows.push(
      [
        name,
        "deletions/s over R, first enqueue → last result",
        `${n(h.ratioToLimit, 3)} (${n(h.deletionsPerSecond, 1)}/s)`,
        target("hidden.rate", "≥ 0.8"),
      ],
      [name, "deletions/s over R, steady", n(h.steadyRatioToLimit, 3), ""],
      [
        name,
        "share of SMH requests throttled",
        `${percent(h.throttledShare)} (${h.throttled429} × 429)`,
        target("hidden.throttled", "≤ 5 %"),
      ],
    );
  }
  const fl = figures.fleet;
  if (fl) {
    const { fleet: all, alone, regrow } = fl;
    const name = `7 fleet: ${all.containers} containers, a limiter each (R = ${fl.limitPerSecond}/s, each starts at ${fl.clientStartPerSecond}/s; ${fl.board ? "fleet board" : "429s alone"})`;
    const settled = (phase: typeof all) =>
      phase.settledAfterSeconds === undefined ? "never" : `${phase.settledAfterSeconds} s`;
    const window = `${SETTLE_ALLOWANCE_SECONDS}–${all.seconds} s`;
    rows.push(
      [
        name,
        `all busy: deletions/s once settled (${window}), over R`,
        `${n(all.settledOverLimit, 3)} (${n((all.settledOverLimit ?? 0) * fl.limitPerSecond, 1)}/s)`,
        target("fleet.rate", "≥ 0.9"),
      ],
      [
        name,
        "all busy: settled after (every 5-s window: ≥ 0.9 × R, shares ± 25 %)",
        settled(all),
        target("fleet.settled", "≤ 10 s"),
      ],
      [
        name,
        "all busy: a container's share once settled, farthest from the mean",
        percent(all.settledSpread),
        target("fleet.fairness", "≤ ± 25 %"),
      ],
      [
        name,
        "all busy: share of SMH requests throttled",
        `${percent(all.throttledShare)} (${all.throttled429} × 429)`,
        target("fleet.throttled", "≤ 2 %"),
      ],
      [
        name,
        `one busy: its deletions/s once settled (${SETTLE_ALLOWANCE_SECONDS}–${alone.seconds} s), over R; settled after`,
        `${n(alone.settledOverLimit, 3)}; ${settled(alone)}`,
        target("fleet.alone", "≥ 0.9"),
      ],
      [
        name,
        `grown back (${regrow.containers - 1} fresh): throttled share; most 429s in a second`,
        `${percent(regrow.throttledShare)} (${regrow.throttled429} × 429; a storm: > ${fl.stormBound429}); ${regrow.peakThrottledPerSecond}`,
        target("fleet.regrow", "≤ 2 %"),
      ],
      [
        name,
        "grown back: deletions/s once settled over R; farthest share; settled after",
        `${n(regrow.settledOverLimit, 3)}; ${percent(regrow.settledSpread)}; ${settled(regrow)}`,
        "",
      ],
      [
        name,
        "fleet board (DynamoDB) calls per SMH request",
        fl.board ? n(all.boardCallsPerSmhRequest, 4) : "– (no board)",
        "",
      ],
      [
        name,
        "one limiter shared by 5 pollers (scenario 3): deletions/s over R; throttled",
        fl.sharedLimiter
          ? `${n(fl.sharedLimiter.ratioToLimit, 3)}; ${percent(fl.sharedLimiter.throttledShare)}`
          : "– (not run)",
        "",
      ],
    );
  }
  const base = figures.baseline;
  if (base) {
    const name = "4 standard approach (bench/baseline)";
    // Stopped at its cap with jobs unfinished, its rate can only fall: our ratios are lower bounds.
    const atLeast = base.completedShare < 1 ? "≥ " : "";
    rows.push(
      [
        name,
        `deletions/s (capped at ${base.timeLimitSeconds} s)`,
        `${n(base.deletionsPerSecond, 1)} (${percent(base.completedShare)} of jobs done)`,
        "",
      ],
      [name, "deletions/s, steady", n(base.steadyDeletionsPerSecond, 1), ""],
      [
        name,
        "ours (product defaults: batch) over its deletions/s",
        `${atLeast}${n(base.productDefaultOverBaseline, 1)} ×`,
        target("baseline.rate", "≥ 3 ×"),
      ],
      [
        name,
        "ours (single mode) over its deletions/s",
        `${atLeast}${n(base.singleOverBaseline, 2)} × (steady ${n(base.steadySingleOverBaseline, 2)} ×)`,
        target("baseline.rateSingle", "≥ 3 ×"),
      ],
      [
        name,
        "429s: its / ours single / ours batch",
        `${base.throttled429} / ${base.single429 ?? "–"} / ${base.batch429 ?? "–"}`,
        target("baseline.429", "fewer"),
      ],
      [
        name,
        "its SMH requests per deletion; results calls per job",
        `${n(base.smhRequestsPerDeletion, 3)}; ${n(base.resultsQueueCallsPerJob, 2)}`,
        "",
      ],
    );
  }
  const sc = figures.scale;
  if (sc) {
    const name = `5 scale (${sc.jobs.toLocaleString("en-US")} jobs)`;
    rows.push(
      [
        name,
        "deletions/s; over 5,000 jobs' (steady)",
        `${n(sc.deletionsPerSecond, 1)}; ${n(sc.ratioToSingle, 3)} × (${n(sc.steadyRatioToSingle, 3)} ×)`,
        target("scale.rate", "≥ 0.9 ×"),
      ],
      [
        name,
        "peak RSS of the local runner process",
        `${n(sc.peakRssMiB, 0)} MiB (5,000 jobs: ${n(sc.singlePeakRssMiB, 0)} MiB)`,
        "",
      ],
    );
  }
  const c = figures.coldStart;
  if (c) {
    for (const handler of c.handlers) {
      const name = `6 cold start ${handler.functionName}`;
      rows.push(
        [
          name,
          "bundle .mjs (zip, estimated)",
          `${n(handler.bundleBytes / 1e6, 3)} MB (${n(handler.zipBytesEstimate / 1e6, 3)} MB)`,
          target(`cold.${handler.functionName}.bundle`, "≤ 1 MB"),
        ],
        [
          name,
          `initialisation over bare node (${n(c.bareNodeMsMedian, 0)} ms)`,
          handler.error === undefined
            ? `${n(handler.initMsOverBareNode, 0)} ms (import alone ${n(handler.importMsInProcessMedian, 0)} ms)`
            : `failed to initialise: ${handler.error.split("\n")[0]?.slice(0, 80)}`,
          target(`cold.${handler.functionName}.init`, "≤ 150 ms"),
        ],
      );
    }
  }
  const header: Row = ["Scenario", "Figure", "Measured", "Target"];
  const widths = header.map((_, i) =>
    Math.max(...[header, ...rows].map((row) => width(row[i] ?? ""))),
  );
  const line = (row: Row) =>
    `| ${row.map((cell, i) => cell + " ".repeat((widths[i] ?? 0) - width(cell))).join(" | ")} |`;
  return [
    line(header),
    `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`,
    ...rows.map(line),
  ].join("\n");
}

function n(value: number | undefined, digits: number): string {
  return value === undefined || !Number.isFinite(value) ? "–" : value.toFixed(digits);
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? "–" : `${(ms / 1000).toFixed(2)} s`;
}

function percent(share: number | undefined): string {
  return share === undefined ? "–" : `${(share * 100).toFixed(1)} %`;
}

/** Display width: the emoji marks take two columns. */
function width(text: string): number {
  return [...text].reduce((sum, ch) => sum + (/\p{Extended_Pictographic}/u.test(ch) ? 2 : 1), 0);
}
