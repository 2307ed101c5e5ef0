/**
 * Builders for the pipeline's unit tests: job records, a policy, a fake clock, a scripted SMH
 * client (the three calls the pipeline makes) and a capturing result publisher.
 */

import type { CircuitBreakers } from "../../../lib/batch/circuit.ts";
import type { QueueRecord } from "../../../lib/batch/records.ts";
import { type AcceptedJob, admitJobs } from "../../../lib/delete/intake.ts";
import type { DeletePipeline } from "../../../lib/delete/process-batch.ts";
import { type DeleteSettings, readDeleteSettings } from "../../../lib/delete/settings.ts";
import { initialState, type JobState } from "../../../lib/delete/settlement.ts";
import type { DeletionResult } from "../../../lib/messages/deletion-result.ts";
import { type DeletionPolicy, parsePolicy } from "../../../lib/policy/config.ts";
import type { SmhClient } from "../../../lib/smh/client.ts";
import type { SmhError } from "../../../lib/smh/errors/smh-error.ts";
import { SmhTimeoutError } from "../../../lib/smh/errors/timeout-error.ts";
import type {
  BatchDeleteRequest,
  BatchDeleteResult,
} from "../../../lib/smh/operations/batch-delete.ts";
import type {
  DeleteDirectoryRequest,
  DeleteDirectoryResult,
} from "../../../lib/smh/operations/delete-directory.ts";
import type {
  ListRecycleBinRequest,
  RecycleBinPage,
  RecycledItem,
} from "../../../lib/smh/operations/recycle-bin-listing.ts";
import type { CallOptions } from "../../../lib/smh/types.ts";
import {
  CapturingParker,
  CapturingPublisher as CapturingResults,
  circuitsOf,
  FakeClock,
  smhErrorOf,
  T0,
} from "../batch/factories.ts";

export { FakeClock, T0 };

/**
 * Library `smh1` (spaces `-` and `space2`, deletion under `events`, `events/keep` and
 * `events/2024/legal/hold` protected, permanent deletion only under `events/tmp`, paths of 2 to 6
 * segments) and `smh2` (`scratch`, no permanent deletion).
 */
export function testPolicy(): DeletionPolicy {
  return parsePolicy({
    libraries: {
      smh1: {
        spaces: ["-", "space2"],
        allowedPrefixes: ["events"],
        protectedPaths: ["events/keep", "events/2024/legal/hold"],
        permanentPrefixes: ["events/tmp"],
        minDepth: 2,
        maxDepth: 6,
      },
      smh2: { spaces: ["-"], allowedPrefixes: ["scratch"] },
    },
  });
}

/** A job body as a producer writes it (`v`, `libraryId`, `path`, `source` set), JSON-encoded. */
export function jobBody(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    v: 1,
    libraryId: "smh1",
    path: "events/2024/party",
    source: "bulk",
    ...overrides,
  });
}

let messageCounter = 0;

/** A jobs-queue record; a fresh messageId unless given. Sent one minute before {@link T0}. */
export function record(
  body: string,
  options: {
    messageId?: string;
    receiveCount?: number;
    sentAt?: number | undefined;
    /** String message attributes (a delivery state, a redrive mark). */
    attributes?: Record<string, string>;
  } = {},
): QueueRecord {
  messageCounter++;
  return {
    messageId: options.messageId ?? `msg-${messageCounter}`,
    body,
    receiveCount: options.receiveCount ?? 1,
    sentAt: "sentAt" in options ? options.sentAt : T0 - 60_000,
    attributes: Object.fromEntries(
      Object.entries(options.attributes ?? {}).map(([name, value]) => [
        name,
        { dataType: "String", value },
      ]),
    ),
  };
}

/** A record of a valid job for `path` (jobId `job-<path>` unless overridden). */
export function jobRecord(
  path: string,
  overrides: Record<string, unknown> = {},
  options: Parameters<typeof record>[1] = {},
): QueueRecord {
  return record(
    jobBody({ jobId: `job-${path.replaceAll("/", "-")}`, path, ...overrides }),
    options,
  );
}

/** Accepted job states for these records (they must all be valid and allowed). */
export function statesOf(records: readonly QueueRecord[], clock = new FakeClock()): JobState[] {
  const { accepted, refused } = admitJobs(records, testPolicy(), () => new Date(clock.now()));
  if (refused.length > 0) {
    throw new Error(`test records refused: ${JSON.stringify(refused.map((r) => r.result))}`);
  }
  return accepted.map(initialState);
}

/** One accepted job, for recovery tests that set its settlement themselves. */
export function acceptedJob(path: string, overrides: Record<string, unknown> = {}): AcceptedJob {
  const [state] = statesOf([jobRecord(path, overrides)]);
  if (!state) throw new Error("no job");
  return state.accepted;
}

/** An SMH error as the client builds it from an error answer (of `deleteDirectory` by default). */
export const smhError = smhErrorOf("deleteDirectory");

/** The client's deadline error. */
export function timeoutError(mayHaveApplied = true): SmhError {
  return new SmhTimeoutError({
    operation: "deleteDirectory",
    libraryId: "smh1",
    attempts: 2,
    mayHaveApplied,
  });
}

/** A recycle-bin item as the client lists it. */
export function binItem(
  recycledItemId: number,
  originalPath: string,
  removedAt: number,
  type = "dir",
): RecycledItem {
  return {
    recycledItemId,
    originalPath,
    originalSegments: originalPath.split("/"),
    name: originalPath.split("/").pop(),
    type,
    removalTime: new Date(removedAt).toISOString(),
    remainingTime: 29,
  };
}

type DeleteAnswer = DeleteDirectoryResult | SmhError;
type BatchAnswer = BatchDeleteResult | SmhError;

/** One call the stub received. */
export type StubCall =
  | { kind: "delete"; request: DeleteDirectoryRequest; options: CallOptions | undefined }
  | { kind: "batch"; request: BatchDeleteRequest; options: CallOptions | undefined }
  | { kind: "list"; request: ListRecycleBinRequest; options: CallOptions | undefined };

/**
 * A scripted stand-in for the three SMH calls the pipeline makes. By default a delete recycles
 * the directory with increasing recycledItemIds and a batch recycles every item; tests replace
 * `onDelete` / `onBatch` and fill `bin` (newest first, `pageSize` items per page).
 */
export class StubSmh
  implements Pick<SmhClient, "deleteDirectory" | "batchDelete" | "listRecycleBin">
{
  readonly calls: StubCall[] = [];
  nextId = 1000;
  /** Items in the recycle bin, newest first. */
  bin: RecycledItem[] = [];
  pageSize = 100;
  /** Thrown by the listing (after `listFailsAfterPages` pages) when set. */
  listError: SmhError | undefined;
  listFailsAfterPages = 0;
  /** Called before each listed page is handed out (e.g. to advance a clock). */
  onPage: (index: number) => void = () => {};
  /** SMH calls (deletes and batches) in flight now, and the most seen at once. */
  inFlight = 0;
  maxInFlight = 0;
  /** How long (real ms) each delete or batch call takes; 0 answers on the next tick. */
  callMs = 0;

  onDelete: (request: DeleteDirectoryRequest) => DeleteAnswer | Promise<DeleteAnswer> = () => ({
    outcome: "recycled",
    recycledItemId: this.nextId++,
    requestId: "req-single",
    attempts: 1,
  });

  onBatch: (request: BatchDeleteRequest) => BatchAnswer | Promise<BatchAnswer> = (request) => ({
    items: request.items.map((item) => ({
      path: item.path,
      permanent: item.permanent ?? false,
      outcome: "recycled" as const,
      recycledItemId: this.nextId++,
    })),
    taskId: undefined,
    requestId: "req-batch",
    attempts: 1,
  });

  deleteDirectory = async (
    request: DeleteDirectoryRequest,
    options?: CallOptions,
  ): Promise<DeleteDirectoryResult> => {
    this.calls.push({ kind: "delete", request, options });
    return this.#answer(() => this.onDelete(request));
  };

  batchDelete = async (
    request: BatchDeleteRequest,
    options?: CallOptions,
  ): Promise<BatchDeleteResult> => {
    this.calls.push({ kind: "batch", request, options });
    return this.#answer(() => this.onBatch(request));
  };

  listRecycleBin = (
    request: ListRecycleBinRequest,
    options?: CallOptions,
  ): AsyncGenerator<RecycleBinPage, void, undefined> => {
    this.calls.push({ kind: "list", request, options });
    const stub = this;
    return (async function* () {
      const pages = Math.max(1, Math.ceil(stub.bin.length / stub.pageSize));
      for (let index = 0; index < pages; index++) {
        if (stub.listError && index >= stub.listFailsAfterPages) throw stub.listError;
        stub.onPage(index);
        const items = stub.bin.slice(index * stub.pageSize, (index + 1) * stub.pageSize);
        yield {
          items,
          nextMarker: index + 1 < pages ? `marker-${index + 1}` : undefined,
          requestId: `req-list-${index}`,
          attempts: 1,
        };
      }
      if (stub.listError && stub.listFailsAfterPages >= pages) throw stub.listError;
    })();
  };

  /** The calls of one kind. */
  callsOf<K extends StubCall["kind"]>(kind: K): Extract<StubCall, { kind: K }>[] {
    return this.calls.filter((call): call is Extract<StubCall, { kind: K }> => call.kind === kind);
  }

  async #answer<T>(produce: () => T | SmhError | Promise<T | SmhError>): Promise<T> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, this.callMs));
      const answer = await produce();
      if (answer instanceof Error) throw answer;
      return answer;
    } finally {
      this.inFlight--;
    }
  }
}

/** A publisher that keeps what it was given and can refuse some results (by predicate). */
export class CapturingPublisher extends CapturingResults<DeletionResult> {
  /** The published result of a job, by jobId (fails the test when there is not exactly one). */
  resultOf(jobId: string): DeletionResult {
    const matching = this.published.filter((result) => result.jobId === jobId);
    if (matching.length !== 1) {
      throw new Error(`expected one result for ${jobId}, got ${matching.length}`);
    }
    return matching[0] as DeletionResult;
  }
}

/** Settings for unit tests: defaults, except what the test overrides. */
export function testSettings(overrides: Partial<DeleteSettings> = {}): DeleteSettings {
  return { ...readDeleteSettings({}), ...overrides };
}

/** A whole pipeline over the stubs. */
export function testPipeline(
  parts: {
    smh?: StubSmh;
    publisher?: CapturingPublisher;
    clock?: FakeClock;
    settings?: Partial<DeleteSettings>;
    circuits?: CircuitBreakers;
    parker?: CapturingParker;
  } = {},
): DeletePipeline & {
  smh: StubSmh;
  publisher: CapturingPublisher;
  parker: CapturingParker;
  clock: FakeClock;
} {
  const clock = parts.clock ?? new FakeClock();
  const settings = testSettings(parts.settings);
  return {
    smh: parts.smh ?? new StubSmh(),
    publisher: parts.publisher ?? new CapturingPublisher(),
    parker: parts.parker ?? new CapturingParker(),
    policy: testPolicy(),
    settings,
    circuits: parts.circuits ?? circuitsOf(settings, clock),
    now: clock.now,
    clock,
  };
}
