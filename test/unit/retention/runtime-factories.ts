/**
 * Stubs for the retention run's I/O: a directory source serving listings page by page from any
 * marker (with a fake clock that advances as pages are read), and an outbox that records what the
 * run writes, in order, and can refuse writes.
 */

import type { QueueRecord } from "../../../lib/batch/records.ts";
import type { DeleteJob } from "../../../lib/messages/delete-job.ts";
import type {
  RetentionAlert,
  RetentionPlanSummary,
} from "../../../lib/messages/retention-result.ts";
import type { DeletionPolicy } from "../../../lib/policy/config.ts";
import type { RetentionContinuation } from "../../../lib/retention/checkpoint.ts";
import type {
  DirectorySource,
  ListingTarget,
  SourceOptions,
} from "../../../lib/retention/listing.ts";
import { parseRules } from "../../../lib/retention/load.ts";
import type { ListingEntry } from "../../../lib/retention/match.ts";
import type { RetentionObserver } from "../../../lib/retention/observer.ts";
import {
  type RetentionOutbox,
  RetentionPublishError,
  type RetentionQueue,
} from "../../../lib/retention/outbox.ts";
import type { ListingPage } from "../../../lib/retention/plan.ts";
import type { RetentionRules } from "../../../lib/retention/rules.ts";
import type { RetentionDeps } from "../../../lib/retention/run.ts";
import type { RetentionSettings } from "../../../lib/retention/settings.ts";
import { DEFAULT_TRIGGER_BOUNDS } from "../../../lib/retention/trigger.ts";
import { policy, ruleInput } from "./factories.ts";

/** A clock the test moves: epoch ms. */
export class FakeClock {
  now = 0;
  readonly read = () => this.now;
  advance(ms: number): void {
    this.now += ms;
  }
}

/** Where a listing lives: `library/space/parent` (parent `/` for the root). */
export function listingKey(
  target: Pick<ListingTarget, "libraryId" | "spaceId" | "parent">,
): string {
  return `${target.libraryId}/${target.spaceId}/${target.parent.length === 0 ? "/" : target.parent.join("/")}`;
}

/**
 * Serves each directory's entries in pages of `pageSize`; page `i`'s marker is `p<i>`, so a
 * listing from marker `p3` starts at page 3. Each page served advances `clock` by `msPerPage`.
 */
export class StubSource implements DirectorySource {
  readonly listings = new Map<string, ListingEntry[]>();
  readonly spacesOf = new Map<string, string[]>();
  /** Every listing started: where, and from which marker. */
  readonly starts: { key: string; marker: string | undefined }[] = [];
  /** Errors to throw instead of serving page `index` of a directory (once each). */
  readonly failures = new Map<string, Error>();
  spaceListings = 0;
  spacesFailure: Error | undefined;
  pagesServed = 0;
  listing = 0;
  maxListing = 0;
  clock: FakeClock | undefined;
  msPerPage = 0;
  /** Milliseconds a page takes in real time, so concurrent scans overlap. */
  realDelayMs = 0;

  add(target: Pick<ListingTarget, "libraryId" | "spaceId" | "parent">, entries: ListingEntry[]) {
    this.listings.set(listingKey(target), entries);
    return this;
  }

  failPage(
    target: Pick<ListingTarget, "libraryId" | "spaceId" | "parent">,
    index: number,
    error: Error,
  ) {
    this.failures.set(`${listingKey(target)}#${index}`, error);
    return this;
  }

  async *pages(
    target: ListingTarget,
    marker: string | undefined,
    options: SourceOptions,
  ): AsyncGenerator<ListingPage> {
    const key = listingKey(target);
    this.starts.push({ key, marker });
    const entries = this.listings.get(key);
    if (entries === undefined) throw new Error(`no listing for ${key}`);
    const size = options.pageSize;
    const pageCount = Math.max(1, Math.ceil(entries.length / size));
    let index = marker === undefined ? 0 : Number(marker.slice(1));
    this.listing++;
    this.maxListing = Math.max(this.maxListing, this.listing);
    try {
      for (; index < pageCount; index++) {
        if (this.realDelayMs > 0) await new Promise((r) => setTimeout(r, this.realDelayMs));
        this.clock?.advance(this.msPerPage);
        const failure = this.failures.get(`${key}#${index}`);
        if (failure !== undefined) {
          this.failures.delete(`${key}#${index}`);
          throw failure;
        }
        this.pagesServed++;
        yield {
          entries: entries.slice(index * size, (index + 1) * size),
          nextMarker: index + 1 < pageCount ? `p${index + 1}` : undefined,
        };
      }
    } finally {
      this.listing--;
    }
  }

  async spaces(libraryId: string): Promise<string[]> {
    this.spaceListings++;
    if (this.spacesFailure) throw this.spacesFailure;
    return this.spacesOf.get(libraryId) ?? [];
  }
}

/** One write the run made, in order. */
export type Write =
  | { queue: "jobs"; jobs: DeleteJob[] }
  | { queue: "results"; results: (RetentionPlanSummary | RetentionAlert)[] }
  | { queue: "continuations"; continuation: RetentionContinuation };

/** Records every write; `refuse` makes a queue throw as a failed SendMessageBatch would. */
export class RecordingOutbox implements RetentionOutbox {
  readonly writes: Write[] = [];
  readonly refuse = new Set<RetentionQueue>();

  get jobs(): DeleteJob[] {
    return this.writes.flatMap((write) => (write.queue === "jobs" ? write.jobs : []));
  }
  get results(): (RetentionPlanSummary | RetentionAlert)[] {
    return this.writes.flatMap((write) => (write.queue === "results" ? write.results : []));
  }
  get summaries(): RetentionPlanSummary[] {
    return this.results.filter((r): r is RetentionPlanSummary => r.type === "retention-plan");
  }
  get alerts(): RetentionAlert[] {
    return this.results.filter((r): r is RetentionAlert => r.type === "retention-alert");
  }
  get continuations(): RetentionContinuation[] {
    return this.writes.flatMap((write) =>
      write.queue === "continuations" ? [write.continuation] : [],
    );
  }

  async enqueue(jobs: readonly DeleteJob[]): Promise<void> {
    if (jobs.length === 0) return;
    if (this.refuse.has("jobs")) throw new RetentionPublishError("jobs", jobs.length, "refused");
    this.writes.push({ queue: "jobs", jobs: [...jobs] });
  }
  async publishResults(results: readonly (RetentionPlanSummary | RetentionAlert)[]) {
    if (this.refuse.has("results")) {
      throw new RetentionPublishError("results", results.length, "refused");
    }
    this.writes.push({ queue: "results", results: [...results] });
  }
  async continueLater(continuation: RetentionContinuation) {
    if (this.refuse.has("continuations")) {
      throw new RetentionPublishError("continuations", 1, "refused");
    }
    // Through JSON, as the queue carries it.
    this.writes.push({
      queue: "continuations",
      continuation: JSON.parse(JSON.stringify(continuation)),
    });
  }
}

/** Settings for the tests: pages of 2, a 100 ms margin, a 50 ms reserve. */
export const SETTINGS: RetentionSettings = {
  concurrency: 4,
  pageSize: 2,
  maxReceiveCount: 5,
  deadlineMarginMs: 100,
  publishReserveMs: 50,
  triggerBounds: DEFAULT_TRIGGER_BOUNDS,
};

/** Rules built from {@link ruleInput} overrides, one per argument. */
export function rulesOf(...overrides: Record<string, unknown>[]): RetentionRules {
  return parseRules({ v: 1, rules: overrides.map((o) => ruleInput(o)) }, "test");
}

/** A run's dependencies over the stubs. */
export function depsOf(options: {
  rules: RetentionRules;
  source: StubSource;
  outbox: RecordingOutbox;
  clock: FakeClock;
  policy?: DeletionPolicy;
  settings?: Partial<RetentionSettings>;
  observer?: RetentionObserver;
}): RetentionDeps {
  return {
    rules: options.rules,
    policy: options.policy ?? policy(),
    source: options.source,
    outbox: options.outbox,
    settings: { ...SETTINGS, ...options.settings },
    clock: options.clock.read,
    ...(options.observer ? { observer: options.observer } : {}),
  };
}

/** A continuation as the queue delivers it. */
export function recordOf(continuation: RetentionContinuation, receiveCount = 1): QueueRecord {
  return {
    messageId: `m-${continuation.pageCount}-${receiveCount}`,
    body: JSON.stringify(continuation),
    receiveCount,
    sentAt: undefined,
  };
}
