/**
 * The embedded demo: a mix of deletion jobs sent through the local stack — valid ones (single and
 * batch deletes), invalid ones, ones the policy forbids, one already gone, one whose earlier
 * deletion lost its result (recovered from the recycle bin), permanent ones — then a wait until
 * every job has its result, and a summary built from the results queue alone.
 *
 * The results are left on the results queue (made visible again), so `smh-cleaner results` can
 * still export them.
 */
import type { Message } from "@aws-sdk/client-sqs";
import {
  createDeleteJob,
  type DeleteJob,
  parseJobBody,
  parseResultMessage,
  type ResultMessage,
} from "../messages/index.ts";
import { changeVisibilityBatch, publish, receive } from "../queues/index.ts";
import { DEMO, type Simulator } from "../sim/index.ts";
import type { LocalStack } from "./stack.ts";

/** One job the demo sends, and what it shows. */
export interface DemoJob {
  readonly jobId: string;
  readonly label: string;
  readonly body: string;
}

/** One line of the summary. */
export interface DemoRow {
  readonly jobId: string;
  readonly label: string;
  readonly path: string | undefined;
  readonly outcome: string | undefined;
  readonly recycledItemId: number | undefined;
  readonly detail: string | undefined;
}

/** What `npm start -- --once --json` prints. */
export interface DemoSummary {
  readonly jobs: number;
  readonly results: number;
  readonly byOutcome: Record<string, number>;
  /** Jobs with no result. */
  readonly missing: number;
  /** Results beyond the first for a job (the same dedupKey twice). */
  readonly duplicates: number;
  /** Recycle-bin items created during the demo whose recycledItemId appears in no result. */
  readonly missingRecycledIds: number;
  readonly rows: DemoRow[];
}

const m = DEMO.multiTenant;
const single = DEMO.singleTenant;

function job(label: string, fields: Parameters<typeof createDeleteJob>[0]): DemoJob {
  const built: DeleteJob = createDeleteJob(fields);
  return { jobId: built.jobId, label, body: JSON.stringify(built) };
}

function raw(label: string, body: string): DemoJob {
  const parsed = parseJobBody(body);
  const jobId = parsed.ok ? parsed.job.jobId : parsed.identity.jobId;
  return { jobId, label, body };
}

function childrenOf(sim: Simulator, libraryId: string, spaceId: string, path: string): string[] {
  const tree = sim.tree(libraryId, spaceId, path, 1);
  return (tree?.children ?? [])
    .filter((child) => child.type === "dir")
    .map((child) => child.path.join("/"));
}

/**
 * The demo's jobs over the simulator's demo seed. Picks real paths from the simulator, so the
 * valid jobs delete directories that exist.
 */
export function demoJobs(sim: Simulator): DemoJob[] {
  const events = childrenOf(sim, m.libraryId, m.filesSpaceId, "events");
  const albums = childrenOf(sim, m.libraryId, m.albumSpaceId, "");
  const years = childrenOf(sim, m.libraryId, m.archiveSpaceId, "archive");
  const months = years.flatMap((year) => childrenOf(sim, m.libraryId, m.archiveSpaceId, year));
  const cases = childrenOf(sim, m.libraryId, m.filesSpaceId, "cases");
  const pick = (list: string[], index: number, what: string): string => {
    const path = list[index];
    if (path === undefined) throw new Error(`the demo seed has no ${what} #${index}`);
    return path;
  };
  const base = { v: 1 as const, libraryId: m.libraryId, source: "demo", requestedBy: "demo" };
  return [
    job("event directory → recycle bin", {
      ...base,
      spaceId: m.filesSpaceId,
      path: pick(events, 0, "event"),
    }),
    job("user's photos → recycle bin", {
      ...base,
      spaceId: m.filesSpaceId,
      path: "users/u1008/photos",
    }),
    ...[0, 1, 2, 3, 4, 5].map((index) =>
      job(`album purge (batch delete) #${index + 1}`, {
        ...base,
        spaceId: m.albumSpaceId,
        path: pick(albums, index, "album"),
        source: "bulk",
      }),
    ),
    job("archive month, permanent", {
      ...base,
      spaceId: m.archiveSpaceId,
      path: pick(months, 0, "archive month"),
      permanent: true,
    }),
    job("single-tenant library, no recycle bin", {
      ...base,
      libraryId: single.libraryId,
      spaceId: "-",
      path: "scratch/3",
    }),
    job("already deleted earlier, result lost → recovered", {
      ...base,
      spaceId: m.filesSpaceId,
      path: pick(events, 1, "event"),
      source: "event",
    }),
    job("never existed → already absent", {
      ...base,
      spaceId: m.filesSpaceId,
      path: "events/1999-01-never-existed",
      source: "event",
    }),
    job("forbidden: protected user", {
      ...base,
      spaceId: m.filesSpaceId,
      path: "users/u1001/photos",
    }),
    job("forbidden: case with evidence under legal hold", {
      ...base,
      spaceId: m.filesSpaceId,
      path: pick(cases, 0, "case"),
    }),
    job("forbidden: permanent outside archive", {
      ...base,
      spaceId: m.filesSpaceId,
      path: pick(events, 2, "event"),
      permanent: true,
    }),
    job("forbidden: library not in the policy", {
      ...base,
      libraryId: "smhunknown0001",
      spaceId: "-",
      path: "anything/here",
    }),
    raw("invalid: not JSON", '{"v":1,"libraryId":"smhdemo000001","path":'),
    raw(
      "invalid: path climbs with ..",
      JSON.stringify({ ...base, spaceId: m.filesSpaceId, path: "events/../users" }),
    ),
    raw(
      "invalid: permanent as a string, unknown key",
      JSON.stringify({
        ...base,
        spaceId: m.filesSpaceId,
        path: "events/x",
        permanent: "false",
        dryRun: true,
      }),
    ),
  ];
}

/**
 * Deletes, through the simulator's own HTTP API, the directory of the "recovered" job before the
 * jobs are sent: as if an earlier delivery had deleted it and died before writing its result.
 */
export async function prepareLostResult(sim: Simulator, jobs: readonly DemoJob[]): Promise<void> {
  const lost = jobs.find((candidate) => candidate.label.includes("recovered"));
  if (!lost) return;
  const parsed = parseJobBody(lost.body);
  if (!parsed.ok) return;
  const { libraryId, spaceId, path } = parsed.job;
  const credentials = sim.credentials().find((library) => library.libraryId === libraryId);
  if (!credentials) throw new Error(`the simulator has no library ${libraryId}`);
  const token = sim.issueToken(libraryId, { grants: ["delete_directory"], spaceIds: [spaceId] });
  const url = new URL(
    `/api/v1/directory/${libraryId}/${spaceId}/${path.split("/").map(encodeURIComponent).join("/")}`,
    sim.url,
  );
  url.searchParams.set("access_token", token);
  const response = await fetch(url, { method: "DELETE" });
  await response.arrayBuffer();
  if (response.status !== 200) {
    throw new Error(`preparing the demo: deleting ${path} answered HTTP ${response.status}`);
  }
}

/**
 * Sends `jobs` to the stack's jobs queue and waits until each has a result on the results queue
 * (or `timeoutMs` passes), then makes the results visible again for `smh-cleaner results`.
 */
export async function runDemo(
  stack: LocalStack,
  jobs: readonly DemoJob[],
  options: { timeoutMs?: number; startedAt?: number } = {},
): Promise<DemoSummary> {
  const jobsUrl = queueUrl(stack, "jobs");
  const resultsUrl = queueUrl(stack, "results");
  const startedAt = options.startedAt ?? Date.now();
  const sent = await publish(
    stack.sqs,
    jobsUrl,
    jobs.map((demoJob, index) => ({ id: String(index), body: demoJob.body })),
  );
  if (sent.failed.length > 0) {
    throw new Error(`${sent.failed.length} demo jobs could not be enqueued`);
  }

  const expected = new Set(jobs.map(({ jobId }) => jobId));
  const received = new Map<string, Message>();
  const byJob = new Map<string, ResultMessage[]>();
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while ([...expected].some((jobId) => !byJob.has(jobId)) && Date.now() < deadline) {
    const messages = await receive(stack.sqs, resultsUrl, {
      maxMessages: 10,
      waitTimeSeconds: 1,
      visibilityTimeoutSeconds: 120,
    });
    for (const message of messages) {
      if (!message.MessageId || received.has(message.MessageId)) continue;
      received.set(message.MessageId, message);
      const parsed = parseResultMessage(message.Body ?? "");
      if (!parsed.ok || parsed.result.type !== "deletion") continue;
      const list = byJob.get(parsed.result.jobId) ?? [];
      list.push(parsed.result);
      byJob.set(parsed.result.jobId, list);
    }
  }
  // Leave the results on the queue for `smh-cleaner results`.
  await changeVisibilityBatch(
    stack.sqs,
    resultsUrl,
    [...received.values()].flatMap((message) =>
      message.MessageId && message.ReceiptHandle
        ? [
            {
              id: message.MessageId,
              receiptHandle: message.ReceiptHandle,
              visibilityTimeoutSeconds: 0,
            },
          ]
        : [],
    ),
  );
  return summarize(jobs, byJob, stack.sim, startedAt);
}

function summarize(
  jobs: readonly DemoJob[],
  byJob: ReadonlyMap<string, ResultMessage[]>,
  sim: Simulator | undefined,
  startedAt: number,
): DemoSummary {
  const byOutcome: Record<string, number> = {};
  let duplicates = 0;
  let results = 0;
  const rows = jobs.map((demoJob): DemoRow => {
    const list = byJob.get(demoJob.jobId) ?? [];
    const keys = new Set(list.map((result) => result.dedupKey));
    duplicates += list.length - keys.size;
    results += keys.size;
    const result = list.find((candidate) => "recycledItemId" in candidate) ?? list[0];
    if (result) byOutcome[result.outcome] = (byOutcome[result.outcome] ?? 0) + 1;
    const parsed = parseJobBody(demoJob.body);
    return {
      jobId: demoJob.jobId,
      label: demoJob.label,
      path: parsed.ok ? parsed.job.path : undefined,
      outcome: result?.outcome,
      recycledItemId:
        result && "recycledItemId" in result ? (result.recycledItemId as number) : undefined,
      detail: result ? detailOf(result) : undefined,
    };
  });
  const reported = new Set(rows.flatMap(({ recycledItemId }) => recycledItemId ?? []));
  const missingRecycledIds = sim
    ? sim
        .credentials()
        .flatMap(({ libraryId, spaceIds }) =>
          spaceIds.flatMap((spaceId) => sim.recycleBin(libraryId, spaceId)),
        )
        .filter((item) => Date.parse(item.removalTime) >= startedAt - 1000)
        .filter((item) => !reported.has(item.recycledItemId)).length
    : 0;
  return {
    jobs: jobs.length,
    results,
    byOutcome,
    missing: rows.filter(({ outcome }) => outcome === undefined).length,
    duplicates,
    missingRecycledIds,
    rows,
  };
}

function detailOf(result: ResultMessage): string | undefined {
  if (result.outcome === "rejected" && "reasons" in result) {
    return result.reasons
      .map((reason) =>
        "rule" in reason ? reason.rule : `${reason.path || "body"}: ${reason.message}`,
      )
      .join("; ");
  }
  if (result.outcome === "failed" && "error" in result) return result.error.message;
  return undefined;
}

function queueUrl(stack: LocalStack, key: string): string {
  const queue = stack.queues.get(key);
  if (!queue) throw new Error(`the local stack has no ${key} queue`);
  return queue.url;
}
