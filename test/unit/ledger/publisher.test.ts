// The ledger-writing publisher: ledger first, queue only for what the ledger holds, failures
// reported so the records come back. S3 is stubbed here (a unit test); the e2e tests use fauxqs.
import { gunzipSync } from "node:zlib";
import type { PutObjectCommand } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { parseLedgerKey } from "../../../lib/ledger/layout.ts";
import {
  LEDGER_WRITE_FAILED,
  type LedgerWriteFailure,
  ledgerResultPublisher,
  type PublishedResultSet,
  type ResultSink,
} from "../../../lib/ledger/publisher.ts";
import { deletionResult } from "../../../lib/messages/deletion-result.ts";
import { recycleActionResult } from "../../../lib/messages/recycle-action-result.ts";
import type { ResultMessage } from "../../../lib/messages/result-message.ts";
import { job, restoreCommand, run } from "../messages/factories.ts";

const NOW = new Date("2025-06-01T12:00:00.000Z");

function deletion(path: string): ResultMessage {
  return deletionResult(job({ path }), { outcome: "recycled", recycledItemId: 7 }, run);
}

function restored(itemId: number): ResultMessage {
  return recycleActionResult(
    restoreCommand(),
    itemId,
    { outcome: "restored", restoredPath: `back/${itemId}` },
    run,
  );
}

/** An S3 stub: keeps what it is sent, refuses kinds listed in `failKinds`. */
function stubS3(log: string[], failKinds: string[] = []) {
  const objects = new Map<string, ResultMessage[]>();
  return {
    objects,
    async send(command: PutObjectCommand) {
      const key = command.input.Key ?? "";
      const kind = parseLedgerKey(key)?.kind ?? "?";
      log.push(`s3:${kind}`);
      if (failKinds.includes(kind)) {
        throw Object.assign(new Error("Please reduce your request rate."), { name: "SlowDown" });
      }
      const lines = gunzipSync(command.input.Body as Buffer)
        .toString("utf8")
        .trim()
        .split("\n");
      objects.set(
        key,
        lines.map((line) => JSON.parse(line) as ResultMessage),
      );
      return {};
    },
  };
}

/** A queue stub: refuses results whose jobId (or commandId) is in `refuse`. */
function stubQueue(log: string[], refuse: (result: ResultMessage) => boolean = () => false) {
  const published: ResultMessage[] = [];
  const sink: ResultSink & { published: ResultMessage[] } = {
    published,
    async publish(results): Promise<PublishedResultSet> {
      log.push(`queue:${results.length}`);
      const written = new Set<number>();
      const failures: { index: number; code: string; message: string }[] = [];
      results.forEach((result, index) => {
        if (refuse(result)) failures.push({ index, code: "InternalError", message: "refused" });
        else {
          written.add(index);
          published.push(result);
        }
      });
      return { written, failures };
    },
  };
  return sink;
}

describe("ledgerResultPublisher", () => {
  it("writes one object per kind, then publishes, and reports by the caller's indices", async () => {
    const log: string[] = [];
    const s3 = stubS3(log);
    const queue = stubQueue(log);
    const publisher = ledgerResultPublisher(queue, { s3, bucket: "ledger" }, { now: () => NOW });
    const results = [deletion("a"), restored(11), deletion("b")];

    const outcome = await publisher.publish(results);

    expect(outcome).toEqual({ written: new Set([0, 1, 2]), failures: [] });
    expect(log.slice(0, 2).sort()).toEqual(["s3:deletion", "s3:recycle-action"]);
    expect(log[2]).toBe("queue:3");
    const keys = [...s3.objects.keys()].sort();
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(
      /^results\/kind=deletion\/day=2025-06-01\/1748779200000-.+\.ndjson\.gz$/,
    );
    expect(s3.objects.get(keys[0] as string)).toEqual([results[0], results[2]]);
    expect(s3.objects.get(keys[1] as string)).toEqual([results[1]]);
    expect(queue.published).toEqual(results);
  });

  it("publishes nothing of a kind whose object could not be written, and says why", async () => {
    const log: string[] = [];
    const failures: LedgerWriteFailure[] = [];
    const queue = stubQueue(log);
    const publisher = ledgerResultPublisher(
      queue,
      { s3: stubS3(log, ["recycle-action"]), bucket: "ledger" },
      { now: () => NOW, onWriteFailed: (failure) => failures.push(failure) },
    );
    const results = [restored(11), deletion("a"), restored(12)];

    const outcome = await publisher.publish(results);

    expect(outcome.written).toEqual(new Set([1]));
    expect(outcome.failures.map(({ index, code }) => [index, code])).toEqual([
      [0, LEDGER_WRITE_FAILED],
      [2, LEDGER_WRITE_FAILED],
    ]);
    expect(outcome.failures[0]?.message).toContain("SlowDown");
    expect(queue.published).toEqual([results[1]]);
    expect(failures).toEqual([
      {
        kind: "recycle-action",
        count: 2,
        bucket: "ledger",
        error: "SlowDown",
        message: "Please reduce your request rate.",
      },
    ]);
  });

  it("does not call the queue when no ledger object could be written", async () => {
    const log: string[] = [];
    const queue = stubQueue(log);
    const publisher = ledgerResultPublisher(queue, {
      s3: stubS3(log, ["deletion"]),
      bucket: "ledger",
    });
    const outcome = await publisher.publish([deletion("a"), deletion("b")]);
    expect(outcome.written.size).toBe(0);
    expect(outcome.failures).toHaveLength(2);
    expect(log).toEqual(["s3:deletion"]);
  });

  it("maps the queue's failures back to the caller's indices", async () => {
    const log: string[] = [];
    const results = [restored(11), deletion("a"), deletion("b")];
    const queue = stubQueue(log, (result) => result === results[2]);
    const publisher = ledgerResultPublisher(queue, {
      s3: stubS3(log, ["recycle-action"]),
      bucket: "ledger",
    });
    const outcome = await publisher.publish(results);
    expect(outcome.written).toEqual(new Set([1]));
    expect(outcome.failures.map(({ index, code }) => [index, code])).toEqual([
      [0, LEDGER_WRITE_FAILED],
      [2, "InternalError"],
    ]);
  });

  it("writes under the configured prefix", async () => {
    const log: string[] = [];
    const s3 = stubS3(log);
    const publisher = ledgerResultPublisher(stubQueue(log), {
      s3,
      bucket: "ledger",
      prefix: "team-a/results/",
    });
    await publisher.publish([deletion("a")]);
    expect([...s3.objects.keys()][0]).toMatch(/^team-a\/results\/kind=deletion\//);
  });
});
