/**
 * Builders for the recycle pipeline's unit tests: command records, a policy, a fake clock, a
 * stand-in for the four SMH recycle-bin calls that keeps a small recycle bin and tree, and a
 * capturing result publisher.
 */

import type { QueueRecord } from "../../../lib/batch/records.ts";
import type { ResultPublisher } from "../../../lib/batch/results.ts";
import { DELIVERY_ATTRIBUTE } from "../../../lib/messages/delivery.ts";
import type { RecycleActionResult } from "../../../lib/messages/recycle-action-result.ts";
import type { OutcomeResult } from "../../../lib/messages/result-message.ts";
import { type DeletionPolicy, parsePolicy } from "../../../lib/policy/config.ts";
import type { RecycleSmh } from "../../../lib/recycle/execute.ts";
import type { RecyclePipeline } from "../../../lib/recycle/process-batch.ts";
import type { RecycleSettings } from "../../../lib/recycle/settings.ts";
import type { SmhError } from "../../../lib/smh/errors/smh-error.ts";
import type {
  PurgeRecycledItemRequest,
  PurgeRecycledItemsRequest,
  PurgeRecycledItemsResult,
} from "../../../lib/smh/operations/purge.ts";
import type {
  RestoreItemOutcome,
  RestoreRecycledItemRequest,
  RestoreRecycledItemResult,
  RestoreRecycledItemsRequest,
  RestoreRecycledItemsResult,
} from "../../../lib/smh/operations/restore.ts";
import type { CallMeta, CallOptions } from "../../../lib/smh/types.ts";
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
 * `smh1` (spaces `-` and `space2`, purge allowed), `smh2` (space `-`, purge not allowed: restore
 * only).
 */
export function testPolicy(): DeletionPolicy {
  return parsePolicy({
    libraries: {
      smh1: { spaces: ["-", "space2"], allowedPrefixes: ["albums"], allowPurge: true },
      smh2: { spaces: ["-"], allowedPrefixes: ["albums"] },
    },
  });
}

let messageCounter = 0;

/** A recycle-actions-queue record carrying `body`. */
export function record(
  body: string | Record<string, unknown>,
  options: { messageId?: string; receiveCount?: number; attributes?: Record<string, string> } = {},
): QueueRecord {
  messageCounter++;
  return {
    messageId: options.messageId ?? `msg-${messageCounter}`,
    body: typeof body === "string" ? body : JSON.stringify(body),
    receiveCount: options.receiveCount ?? 1,
    sentAt: T0 - 60_000,
    attributes: Object.fromEntries(
      Object.entries(options.attributes ?? {}).map(([name, value]) => [
        name,
        { dataType: "String", value },
      ]),
    ),
  };
}

/** The delivery-state attribute of a command that failed `attempts` SMH attempts before. */
export function deliveredAttempts(attempts: number): Record<string, string> {
  const enqueued = new Date(T0 - 60_000).toISOString();
  return {
    [DELIVERY_ATTRIBUTE]: JSON.stringify({
      v: 1,
      attempts,
      firstEnqueuedAt: enqueued,
      budgetFrom: enqueued,
      parkings: attempts,
    }),
  };
}

/** A restore command body for `smh1`, space `-`. */
export function restoreBody(
  ids: readonly number[],
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return { v: 1, action: "restore", libraryId: "smh1", recycledItemIds: ids, ...overrides };
}

/** A purge command body for `smh1`, space `-`. */
export function purgeBody(
  ids: readonly number[],
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return { v: 1, action: "purge", libraryId: "smh1", recycledItemIds: ids, ...overrides };
}

/** An SMH error as the client builds it from an error answer (of `restoreRecycledItem` by default). */
export const smhError = smhErrorOf("restoreRecycledItem");

/** One call the stub received. */
export type StubCall =
  | { kind: "restore"; request: RestoreRecycledItemRequest }
  | { kind: "restoreBatch"; request: RestoreRecycledItemsRequest }
  | { kind: "purge"; request: PurgeRecycledItemRequest }
  | { kind: "purgeBatch"; request: PurgeRecycledItemsRequest };

/**
 * A stand-in for SMH's recycle bin of one space: `bin` maps recycledItemId → original path,
 * `tree` holds the live paths. A restore moves an item back (renaming on conflict when asked, 409
 * with `ask`, 404 `DirectoryNotFound` when its parent is missing and `originalPath` is asked), a
 * purge drops it; an unknown ID is 404 `RecycledItemNotFound`. `fail*` hooks script errors.
 */
export class StubRecycleBin implements RecycleSmh {
  readonly calls: StubCall[] = [];
  readonly bin = new Map<number, string>();
  readonly tree = new Set<string>();
  readonly purged: number[] = [];
  /** Per-item error of a single call, before the bin is looked at. */
  failSingle: (id: number, kind: "restore" | "purge") => SmhError | undefined = () => undefined;
  /** Error of a whole batch request, after `applyBeforeBatchError` items were applied. */
  failBatch: (kind: "restore" | "purge") => SmhError | undefined = () => undefined;
  applyBeforeBatchError = 0;
  /** A per-item answer of a batch restore that replaces the bin's own. */
  batchItem: (id: number) => RestoreItemOutcome | undefined = () => undefined;
  /** Called as each call starts (e.g. to advance a clock, modelling a slow call). */
  onCall: (call: StubCall) => void = () => {};

  constructor(items: Record<number, string> = {}, live: readonly string[] = ["albums"]) {
    for (const [id, path] of Object.entries(items)) this.bin.set(Number(id), path);
    for (const path of live) this.tree.add(path);
  }

  #restore(id: number, conflict: string, restorePath: string): string {
    const original = this.bin.get(id);
    if (original === undefined) throw smhError(404, "RecycledItemNotFound");
    const parent = original.split("/").slice(0, -1).join("/");
    let target = original;
    if (parent !== "" && !this.tree.has(parent)) {
      if (restorePath !== "fallbackToRoot") throw smhError(404, "DirectoryNotFound");
      target = original.split("/").pop() as string;
    }
    if (this.tree.has(target)) {
      if (conflict !== "rename") throw smhError(409, "SameNameDirectoryOrFileExists");
      let n = 1;
      while (this.tree.has(`${target} (${n})`)) n++;
      target = `${target} (${n})`;
    }
    this.bin.delete(id);
    this.tree.add(target);
    return target;
  }

  #called(call: StubCall): void {
    this.calls.push(call);
    this.onCall(call);
  }

  #purge(id: number): void {
    if (!this.bin.has(id)) throw smhError(404, "RecycledItemNotFound", { operation: "purge" });
    this.bin.delete(id);
    this.purged.push(id);
  }

  async restoreRecycledItem(
    request: RestoreRecycledItemRequest,
    _options?: CallOptions,
  ): Promise<RestoreRecycledItemResult> {
    this.#called({ kind: "restore", request });
    await Promise.resolve();
    const error = this.failSingle(request.recycledItemId, "restore");
    if (error) throw error;
    const path = this.#restore(
      request.recycledItemId,
      request.conflictResolution ?? "ask",
      request.restorePath ?? "originalPath",
    );
    return { path, requestId: "req-restore", attempts: 1 };
  }

  async restoreRecycledItems(
    request: RestoreRecycledItemsRequest,
    _options?: CallOptions,
  ): Promise<RestoreRecycledItemsResult> {
    this.#called({ kind: "restoreBatch", request });
    await Promise.resolve();
    const error = this.failBatch("restore");
    const ids = error
      ? request.recycledItemIds.slice(0, this.applyBeforeBatchError)
      : request.recycledItemIds;
    const items = ids.map((id): RestoreItemOutcome => {
      const scripted = this.batchItem(id);
      if (scripted) return scripted;
      try {
        // SMH's batch restore renames on conflict.
        const path = this.#restore(id, "rename", request.restorePath ?? "originalPath");
        return { recycledItemId: id, outcome: "restored", path };
      } catch (caught) {
        return { recycledItemId: id, outcome: "failed", error: caught as SmhError };
      }
    });
    if (error) throw error;
    return { items, taskId: undefined, requestId: "req-restore-batch", attempts: 1 };
  }

  async purgeRecycledItem(
    request: PurgeRecycledItemRequest,
    _options?: CallOptions,
  ): Promise<CallMeta> {
    this.#called({ kind: "purge", request });
    await Promise.resolve();
    const error = this.failSingle(request.recycledItemId, "purge");
    if (error) throw error;
    this.#purge(request.recycledItemId);
    return { requestId: "req-purge", attempts: 1 };
  }

  async purgeRecycledItems(
    request: PurgeRecycledItemsRequest,
    _options?: CallOptions,
  ): Promise<PurgeRecycledItemsResult> {
    this.#called({ kind: "purgeBatch", request });
    await Promise.resolve();
    const error = this.failBatch("purge");
    const ids = error
      ? request.recycledItemIds.slice(0, this.applyBeforeBatchError)
      : request.recycledItemIds;
    // SMH ignores unknown IDs in a batch purge and answers 204.
    for (const id of ids) if (this.bin.has(id)) this.#purge(id);
    if (error) throw error;
    return { taskId: undefined, requestId: "req-purge-batch", attempts: 1 };
  }

  count(kind: StubCall["kind"]): number {
    return this.calls.filter((call) => call.kind === kind).length;
  }
}

/** A publisher that keeps what it is given; `refuse` decides which results are not written. */
export class CapturingPublisher extends CapturingResults<OutcomeResult> {
  /** Published recycle-action results, by item. */
  byItem(): Map<number | undefined, RecycleActionResult[]> {
    const map = new Map<number | undefined, RecycleActionResult[]>();
    for (const result of this.published) {
      if (result.type !== "recycle-action") continue;
      const list = map.get(result.recycledItemId) ?? [];
      list.push(result);
      map.set(result.recycledItemId, list);
    }
    return map;
  }

  outcomes(): Record<string, string> {
    const outcomes: Record<string, string> = {};
    for (const result of this.published) {
      if (result.type === "recycle-action") {
        outcomes[String(result.recycledItemId ?? "command")] = result.outcome;
      }
    }
    return outcomes;
  }
}

export const TEST_SETTINGS: RecycleSettings = {
  maxReceiveCount: 5,
  concurrency: 4,
  deadlineMarginMs: 15_000,
  publishReserveMs: 5_000,
  circuitFailureThreshold: 3,
  circuitCooldownMs: 30_000,
  maxSmhAttempts: 5,
  maxJobAgeSeconds: 172_800,
  parkBaseDelaySeconds: 30,
  parkMaxDelaySeconds: 900,
};

/** A pipeline over `smh` and `publisher`, with the test policy and a fake clock. */
export function pipelineOf(
  smh: RecycleSmh,
  publisher: ResultPublisher,
  options: {
    clock?: FakeClock;
    settings?: Partial<RecycleSettings>;
    parker?: CapturingParker;
  } = {},
): RecyclePipeline & { parker: CapturingParker } {
  const clock = options.clock ?? new FakeClock();
  const settings = { ...TEST_SETTINGS, ...options.settings };
  return {
    smh,
    publisher,
    parker: options.parker ?? new CapturingParker(),
    policy: testPolicy(),
    settings,
    circuits: circuitsOf(settings, clock),
    now: clock.now,
  };
}

/** A deadline two minutes after the clock's now. */
export function deadlineOf(clock: FakeClock = new FakeClock()): number {
  return clock.now() + 120_000;
}
