/**
 * `npm run bench -- --ledger`: the ledger at scale (issue 12). Generates a ledger of
 * `--ledger-results` results (default 1,000,000) in fauxqs's S3 in this process — objects of 10 to
 * 100 results, over 10 days, of every kind, from 100 plans, the way the handlers write them — and
 * then times, each in a fresh process of its own (bench/ledger-query.ts, so its peak RSS is its
 * own), what `smh-cleaner ledger --plan-id P --format ndjson` and `smh-cleaner restore --plan-id P
 * --dry-run` compute; then a scan of every deletion partition that matches nothing (memory must
 * not grow with what is read), and the plan query again with V8's heap capped at 64 MB (finishing
 * shows the live JavaScript heap stays below it). Generation time is reported but is not the
 * measurement.
 *
 * The shape of the generated ledger: day d (0–9) holds 10 plans' deletions (one plan ≈ 8,000
 * results: 0.8 of the ledger over 100 plans), each plan's recycle actions the next day (half its
 * items restored, a tenth purged, a few expired), and a retention plan summary per plan. Plan P is
 * a plan of day 7, so its answer needs days 6–9 of deletions and 7–9 of recycle actions.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import pMap from "p-map";
import { createS3Client } from "../lib/aws/s3-client.ts";
import type { LedgerKind } from "../lib/ledger/layout.ts";
import { encodeLedgerObject, putLedgerObject } from "../lib/ledger/object.ts";
import { startLocalSqs } from "../lib/local/sqs-server.ts";
import { deletionDedupKey, recycleActionDedupKey } from "../lib/messages/dedup.ts";
import { parseResultMessage, type ResultMessage } from "../lib/messages/result-message.ts";
import type { LedgerQueryMeasurement, LedgerQuerySpec } from "./ledger-query.ts";

const QUERY_PROCESS = fileURLToPath(new URL("./ledger-query.ts", import.meta.url));
const DAYS = 10;
const PLANS_PER_DAY = 10;
const DAY_MS = 86_400_000;
const BUCKET = "bench-ledger";
const LIBRARY = "smhbench00001";
const SPACE = "spacebench";

/** The figures of one run. */
export interface LedgerBenchReport {
  date: string;
  command: string;
  ledger: {
    results: number;
    objects: number;
    days: number;
    plans: number;
    byKind: Record<string, number>;
    compressedBytes: number;
    decompressedBytes: number;
    generationSeconds: number;
  };
  planId: string;
  /** A process that imports the reader and reads nothing: the floor under both peaks. */
  idle: LedgerQueryMeasurement;
  ledgerPlanId: LedgerQueryMeasurement;
  restoreDryRun: LedgerQueryMeasurement;
  /** A plan ID that is nowhere: every deletion partition read, nothing kept. */
  scanEverything: LedgerQueryMeasurement;
  /**
   * `ledgerPlanId` with V8's old space capped at {@link HEAP_LIMIT_MB}: without memory pressure V8
   * lets garbage pile up before collecting, so the uncapped peak says little about what is live;
   * finishing under the cap shows the live heap stays below it.
   */
  ledgerPlanIdHeapCapped: LedgerQueryMeasurement;
}

/** The heap cap of the bounded-memory runs. */
const HEAP_LIMIT_MB = 64;

/** A plan ID of the bulk form, made at `at`, so readers bound its days by it. */
function planIdAt(at: Date, index: number): string {
  const stamp = at.toISOString().slice(0, 19).replace(/[-:]/g, "");
  return `plan-${stamp}Z-${index.toString(16).padStart(8, "0")}`;
}

/** Generates and writes the ledger, then runs the three measurements. */
export async function runLedgerBench(
  totalResults: number,
  command: string,
  progress: (text: string) => void,
): Promise<LedgerBenchReport> {
  const server = await startLocalSqs();
  const s3 = createS3Client({ endpoint: server.endpoint, region: "us-east-1", env: {} });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const today = Date.UTC(
      new Date().getUTCFullYear(),
      new Date().getUTCMonth(),
      new Date().getUTCDate(),
    );
    const dayStart = (day: number) => today - (DAYS - 1 - day) * DAY_MS;
    const plans = DAYS * PLANS_PER_DAY;
    // Per plan: n deletions, n/2 restores, n/10 purges, n/50 expiries, one plan summary.
    const perPlan = Math.max(10, Math.floor(totalResults / plans / (1 + 0.5 + 0.1 + 0.02)));
    const target = { day: 7, index: 3 };
    const targetPlan = planIdAt(new Date(dayStart(target.day) + 3 * 3_600_000), 73);

    const started = performance.now();
    const figures = {
      results: 0,
      objects: 0,
      compressedBytes: 0,
      decompressedBytes: 0,
      byKind: {} as Record<string, number>,
    };
    const template = templates();
    let nextId = 1;
    const batches = (async function* () {
      for (let day = 0; day < DAYS; day++) {
        for (let index = 0; index < PLANS_PER_DAY; index++) {
          const madeAt = new Date(dayStart(day) + (index + 1) * 3_600_000);
          const planId =
            day === target.day && index === target.index
              ? targetPlan
              : planIdAt(madeAt, day * PLANS_PER_DAY + index);
          const firstId = nextId;
          nextId += perPlan;
          const deletions: ResultMessage[] = [];
          for (let i = 0; i < perPlan; i++) {
            const finishedAt = new Date(madeAt.getTime() + 60_000 + i * 10);
            deletions.push(
              template.deletion(planId, `albums/${planId}/${i}`, firstId + i, finishedAt),
            );
          }
          yield* chunked("deletion", deletions, madeAt.getTime() + 120_000);
          yield* chunked(
            "retention-plan",
            [template.planSummary(planId, new Date(madeAt.getTime() + 60_000))],
            madeAt.getTime() + 120_000,
          );
          // Recycle actions the next day (the last day's: the same day, later).
          const actedAt = Math.min(madeAt.getTime() + DAY_MS, today + DAY_MS - 60_000);
          const actions: ResultMessage[] = [];
          const act = (from: number, count: number, outcome: "restored" | "purged" | "expired") => {
            for (let i = from; i < from + count && i < perPlan; i++) {
              actions.push(template.action(outcome, firstId + i, new Date(actedAt + i * 10)));
            }
          };
          act(0, Math.floor(perPlan / 2), "restored");
          act(Math.floor(perPlan / 2), Math.floor(perPlan / 10), "purged");
          act(
            Math.floor(perPlan / 2) + Math.floor(perPlan / 10),
            Math.floor(perPlan / 50),
            "expired",
          );
          yield* chunked("recycle-action", actions, actedAt + 120_000);
        }
      }
    })();

    let written = 0;
    await pMap(
      batches,
      async ({ kind, results, writtenAt }) => {
        const body = await encodeLedgerObject(results);
        figures.compressedBytes += body.length;
        figures.decompressedBytes += results.reduce(
          (sum, result) => sum + Buffer.byteLength(JSON.stringify(result)) + 1,
          0,
        );
        await putLedgerObject({ s3, bucket: BUCKET }, kind, results, new Date(writtenAt));
        figures.results += results.length;
        figures.objects += 1;
        figures.byKind[kind] = (figures.byKind[kind] ?? 0) + results.length;
        written += results.length;
        if (written >= 100_000) {
          written -= 100_000;
          progress(`ledger: ${figures.results} results in ${figures.objects} objects`);
        }
      },
      { concurrency: 8 },
    );
    const generationSeconds = (performance.now() - started) / 1000;
    progress(
      `ledger: ${figures.results} results in ${figures.objects} objects (${(figures.decompressedBytes / 1e6).toFixed(0)} MB as NDJSON, ${(figures.compressedBytes / 1e6).toFixed(0)} MB gzip) in ${generationSeconds.toFixed(0)} s`,
    );

    const spec = (query: LedgerQuerySpec["query"], heapLimitMb?: number): LedgerQuerySpec => ({
      query,
      ...(heapLimitMb === undefined ? {} : { heapLimitMb }),
      endpoint: server.endpoint,
      bucket: BUCKET,
      planId: targetPlan,
    });
    const idle = await measure(spec("idle"));
    progress(`idle process: peak RSS ${mb(idle.peakRssBytes)}`);
    const ledgerPlanId = await measure(spec("ledger"));
    progress(
      `ledger --plan-id: ${ledgerPlanId.results} results in ${ledgerPlanId.seconds.toFixed(1)} s, read ${ledgerPlanId.objectsRead} of ${ledgerPlanId.objectsListed} objects, peak RSS ${mb(ledgerPlanId.peakRssBytes)}, peak heap used ${mb(ledgerPlanId.peakHeapUsedBytes)}`,
    );
    const restoreDryRun = await measure(spec("restore"));
    progress(
      `restore --plan-id --dry-run: ${restoreDryRun.results} to restore in ${restoreDryRun.seconds.toFixed(1)} s, read ${restoreDryRun.objectsRead} of ${restoreDryRun.objectsListed} objects, peak RSS ${mb(restoreDryRun.peakRssBytes)}, peak heap used ${mb(restoreDryRun.peakHeapUsedBytes)}`,
    );
    const everything = await measure({ ...spec("ledger"), planId: "plan-that-is-nowhere" });
    progress(
      `a plan that is nowhere (every deletion partition read): ${everything.results} results in ${everything.seconds.toFixed(1)} s, read ${everything.objectsRead} objects, ${everything.linesRead} lines, peak RSS ${mb(everything.peakRssBytes)}`,
    );
    const capped = await measure(spec("ledger", HEAP_LIMIT_MB));
    progress(
      `ledger --plan-id with V8's heap capped at ${HEAP_LIMIT_MB} MB: ${capped.results} results in ${capped.seconds.toFixed(1)} s, peak RSS ${mb(capped.peakRssBytes)}, peak heap used ${mb(capped.peakHeapUsedBytes)}`,
    );
    return {
      date: new Date().toISOString(),
      command,
      ledger: {
        results: figures.results,
        objects: figures.objects,
        days: DAYS,
        plans,
        byKind: figures.byKind,
        compressedBytes: figures.compressedBytes,
        decompressedBytes: figures.decompressedBytes,
        generationSeconds,
      },
      planId: targetPlan,
      idle,
      ledgerPlanId,
      restoreDryRun,
      scanEverything: everything,
      ledgerPlanIdHeapCapped: capped,
    };
  } finally {
    s3.destroy();
    await server.stop();
  }
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(0)} MB`;
}

/** Cuts `results` into objects of 10 to 100 results (deterministic sizes), all of one kind. */
function* chunked(
  kind: LedgerKind,
  results: readonly ResultMessage[],
  writtenAt: number,
): Generator<{ kind: LedgerKind; results: ResultMessage[]; writtenAt: number }> {
  let start = 0;
  let step = 0;
  while (start < results.length) {
    const size = 10 + ((step * 37) % 91);
    yield { kind, results: results.slice(start, start + size), writtenAt: writtenAt + step };
    start += size;
    step += 1;
  }
}

/**
 * Result builders that copy one validated result and change only its identity, so a million of
 * them take seconds, not a minute of schema checks. The first of each is parsed, to be sure the
 * copies are results a reader accepts.
 */
function templates() {
  const deletion = (planId: string, path: string, id: number, finishedAt: Date): ResultMessage => {
    const jobId = `${planId}-${id.toString(16).padStart(24, "0")}`;
    return {
      v: 1,
      type: "deletion",
      outcome: "recycled",
      jobId,
      libraryId: LIBRARY,
      spaceId: SPACE,
      path,
      permanent: false,
      recycledItemId: id,
      attempts: 1,
      requestId: randomUUID(),
      startedAt: new Date(finishedAt.getTime() - 120).toISOString(),
      finishedAt: finishedAt.toISOString(),
      source: "bulk",
      requestedBy: "bench",
      planId,
      dedupKey: deletionDedupKey({
        jobId,
        libraryId: LIBRARY,
        spaceId: SPACE,
        path,
        permanent: false,
        outcome: "recycled",
      }),
    } as ResultMessage;
  };
  const action = (
    outcome: "restored" | "purged" | "expired",
    id: number,
    finishedAt: Date,
  ): ResultMessage => {
    const commandId = `cmd-${Math.floor(id / 1000)}`;
    const act = outcome === "purged" ? "purge" : "restore";
    return {
      v: 1,
      type: "recycle-action",
      outcome,
      commandId,
      libraryId: LIBRARY,
      spaceId: SPACE,
      recycledItemId: id,
      action: act,
      ...(outcome === "restored" ? { restoredPath: `albums/restored/${id}` } : {}),
      attempts: 1,
      startedAt: new Date(finishedAt.getTime() - 80).toISOString(),
      finishedAt: finishedAt.toISOString(),
      requestedBy: "bench",
      dedupKey: recycleActionDedupKey({
        commandId,
        libraryId: LIBRARY,
        spaceId: SPACE,
        recycledItemId: id,
        action: act,
        outcome,
      }),
    } as ResultMessage;
  };
  const planSummary = (planId: string, finishedAt: Date): ResultMessage => {
    const at = finishedAt.toISOString();
    const zero = {
      "not-a-directory": 0,
      "not-direct-child": 0,
      duplicate: 0,
      "unsafe-name": 0,
      excluded: 0,
      "too-young": 0,
      "future-time": 0,
      "missing-time": 0,
      "policy-refused": 0,
    };
    return {
      v: 1,
      type: "retention-plan",
      planId,
      ruleId: "bench",
      libraryId: LIBRARY,
      spaceId: SPACE,
      parent: "albums",
      runId: `run-${planId}`,
      runDate: at.slice(0, 10),
      scheduledAt: at,
      decision: "enqueue",
      dryRun: false,
      permanent: false,
      age: { field: "creationTime", maxAge: "P1Y" },
      counts: {
        listed: 1,
        children: 1,
        matched: 1,
        eligible: 1,
        selected: 1,
        skipped: zero,
        enqueued: 1,
        capped: 0,
      },
      caps: {
        maxDeletesPerRun: 10000,
        maxFractionPerRun: 1,
        fraction: 1,
        allowedByFraction: 1,
        breaches: [],
      },
      refusals: [],
      sample: [],
      pageCount: 1,
      invocations: 1,
      startedAt: at,
      finishedAt: at,
      dedupKey: deletionDedupKey({ jobId: planId, outcome: "plan" }),
    } as unknown as ResultMessage;
  };
  const now = new Date();
  for (const sample of [
    deletion("plan-20250101T000000Z-00000000", "a", 1, now),
    action("restored", 1, now),
    action("purged", 1, now),
    planSummary("plan-x", now),
  ]) {
    const parsed = parseResultMessage(JSON.stringify(sample));
    if (!parsed.ok) {
      throw new Error(
        `the generator's ${sample.type} is not a result: ${JSON.stringify(parsed.reasons)}`,
      );
    }
  }
  return { deletion, action, planSummary };
}

/** Runs one query in a fresh process (its own peak RSS) and reads its measurement from fd 3. */
function measure(spec: LedgerQuerySpec): Promise<LedgerQueryMeasurement> {
  return new Promise((resolve, reject) => {
    const heap = spec.heapLimitMb === undefined ? [] : [`--max-old-space-size=${spec.heapLimitMb}`];
    const child = spawn(process.execPath, [...heap, QUERY_PROCESS, JSON.stringify(spec)], {
      stdio: ["ignore", "ignore", "inherit", "pipe"],
    });
    let out = "";
    const channel = child.stdio[3];
    channel?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      try {
        if (code !== 0) throw new Error(`exited with ${code}`);
        resolve(JSON.parse(out) as LedgerQueryMeasurement);
      } catch (error) {
        reject(new Error(`ledger query ${spec.query}: ${String(error)}`));
      }
    });
  });
}
