import { describe, expect, it } from "vitest";
import type { SmhClient } from "../../lib/smh/client.ts";
import { SmhInvalidRequestError } from "../../lib/smh/errors/invalid-request-error.ts";
import { SmhNotFoundError } from "../../lib/smh/errors/not-found-error.ts";
import { SmhRetryableError } from "../../lib/smh/errors/retryable-error.ts";
import type { RecycledItem } from "../../lib/smh/operations/recycle-bin-listing.ts";
import { allPages, contractClient, rejectionOf } from "./helpers/client.ts";
import { useContractSimulator } from "./helpers/harness.ts";
import { callsOf, DAY_MS, grantSet, LIB, SPACE, unique } from "./helpers/simulator.ts";

const { sim, relay, newTokens } = await useContractSimulator({ relay: true });

/** Creates `path` (with one child) and moves it to the recycle bin; returns its recycled item id. */
async function recycle(client: SmhClient, path: string): Promise<number> {
  sim.createDirectory(LIB, SPACE, `${path}/child`);
  const result = await client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path });
  if (result.outcome !== "recycled") throw new Error(`expected ${path} to be recycled`);
  return result.recycledItemId;
}

async function binItems(client: SmhClient, orderByType?: "asc" | "desc"): Promise<RecycledItem[]> {
  const pages = await allPages(
    client.listRecycleBin({ libraryId: LIB, spaceId: SPACE, orderByType, pageSize: 2 }),
  );
  return pages.flatMap((page) => page.items);
}

describe("listRecycleBin", () => {
  it("lists the bin by removal time, newest first by default and oldest first on request", async () => {
    const { client } = contractClient(sim);
    const parent = unique("bin");
    const ids: number[] = [];
    for (const name of ["first", "second", "third"]) {
      ids.push(await recycle(client, `${parent}/${name}`));
      sim.advanceClock(60_000);
    }
    const mine = (items: RecycledItem[]) =>
      items.filter((item) => item.originalPath.startsWith(`${parent}/`));

    const newestFirst = mine(await binItems(client));
    const oldestFirst = mine(await binItems(client, "asc"));

    expect(newestFirst.map((item) => item.recycledItemId)).toEqual([...ids].reverse());
    expect(oldestFirst.map((item) => item.recycledItemId)).toEqual(ids);
    expect(newestFirst[0]).toMatchObject({
      originalPath: `${parent}/third`,
      originalSegments: [parent, "third"],
      name: "third",
      type: "dir",
      remainingTime: 29,
    });
    expect(newTokens().map(grantSet)).toEqual(["delete_directory", ""]);
  });

  it("asks SMH to order by removalTime, pages of at most 100", async () => {
    const { client } = contractClient(relay);
    const before = relay.requests.length;

    await allPages(client.listRecycleBin({ libraryId: LIB, spaceId: SPACE }));

    const [sent] = relay.requests.slice(before).filter((request) => request.method === "GET");
    expect(Object.fromEntries(sent?.query ?? [])).toMatchObject({
      order_by: "removalTime",
      order_by_type: "desc",
      limit: "100",
    });
  });
});

describe("findRecycledItem", () => {
  it("recovers the id of the latest deletion of a path, as the simulator's ground truth shows", async () => {
    const { client } = contractClient(sim);
    const path = unique("again");
    const older = await recycle(client, path);
    sim.advanceClock(1_000);
    const newer = await recycle(client, path);

    const { item } = await client.findRecycledItem({ libraryId: LIB, spaceId: SPACE, path });

    expect(item?.recycledItemId).toBe(newer);
    expect(sim.findRecycled(LIB, SPACE, path).map((found) => found.recycledItemId)).toEqual([
      older,
      newer,
    ]);
  });

  it("finds nothing for a path that was never deleted, or deleted before the window", async () => {
    const { client } = contractClient(sim);
    const path = unique("window");
    await recycle(client, path);
    const removedAt = Date.parse(sim.findRecycled(LIB, SPACE, path)[0]?.removalTime ?? "");

    const never = await client.findRecycledItem({
      libraryId: LIB,
      spaceId: SPACE,
      path: unique("never"),
    });
    const tooEarly = await client.findRecycledItem({
      libraryId: LIB,
      spaceId: SPACE,
      path,
      removedAfter: removedAt + 1,
    });
    const wrongType = await client.findRecycledItem({
      libraryId: LIB,
      spaceId: SPACE,
      path,
      type: "file",
    });

    expect([never.item, tooEarly.item, wrongType.item]).toEqual([undefined, undefined, undefined]);
  });
});

describe("restoreRecycledItem", () => {
  it("brings a directory back with its subtree to where it was, with a restore_recycled token", async () => {
    const { client } = contractClient(sim);
    const path = `${unique("restore")}/party`;
    const id = await recycle(client, path);

    const result = await client.restoreRecycledItem({
      libraryId: LIB,
      spaceId: SPACE,
      recycledItemId: id,
    });

    expect(result).toMatchObject({ path, attempts: 1 });
    expect(sim.exists(LIB, SPACE, `${path}/child`)).toBe(true);
    expect(sim.groundTruth().restores.at(-1)).toMatchObject({
      recycledItemId: id,
      restoredPath: path.split("/"),
    });
    expect(newTokens().map(grantSet)).toEqual(["delete_directory", "restore_recycled"]);
  });

  it("always sends both strategies, so SMH's undocumented default never decides", async () => {
    const direct = contractClient(sim).client;
    const { client } = contractClient(relay);
    const path = unique("explicit");
    const id = await recycle(direct, path);

    await client.restoreRecycledItem({ libraryId: LIB, spaceId: SPACE, recycledItemId: id });

    const sent = relay.requests.filter((request) => request.query.has("restore")).at(-1);
    expect(sent?.query.get("conflict_resolution_strategy")).toBe("ask");
    expect(sent?.query.get("restore_path_strategy")).toBe("originalPath");
  });

  it("fails with 409 SameNameDirectoryOrFileExists on a name clash under 'ask', even where SMH would rename", async () => {
    sim.setOptions({ defaultRestoreConflictStrategy: "rename" });
    const { client } = contractClient(sim);
    const path = unique("clash");
    const id = await recycle(client, path);
    sim.createDirectory(LIB, SPACE, path);

    const error = await rejectionOf(
      client.restoreRecycledItem({
        libraryId: LIB,
        spaceId: SPACE,
        recycledItemId: id,
        conflictResolution: "ask",
      }),
    );

    expect(error).toBeInstanceOf(SmhInvalidRequestError);
    expect(error).toMatchObject({
      status: 409,
      code: "SameNameDirectoryOrFileExists",
      attempts: 1,
    });
    expect(sim.findRecycled(LIB, SPACE, path).map((item) => item.recycledItemId)).toEqual([id]);
    expect(callsOf(sim, "recycled.restore")).toBe(1);
  });

  it("renames on a clash with 'rename', even where SMH's default is 'ask'", async () => {
    sim.setOptions({ defaultRestoreConflictStrategy: "ask" });
    const { client } = contractClient(sim);
    const path = unique("renamed");
    const id = await recycle(client, path);
    sim.createDirectory(LIB, SPACE, path);

    const result = await client.restoreRecycledItem({
      libraryId: LIB,
      spaceId: SPACE,
      recycledItemId: id,
      conflictResolution: "rename",
    });

    expect(result.path).toBe(`${path} (1)`);
    expect(sim.exists(LIB, SPACE, `${path} (1)/child`)).toBe(true);
  });

  it("fails with DirectoryNotFound when the original parent is gone (originalPath)", async () => {
    const { client } = contractClient(sim);
    const parent = unique("orphan");
    const id = await recycle(client, `${parent}/kid`);
    await client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path: parent, permanent: true });

    const error = await rejectionOf(
      client.restoreRecycledItem({
        libraryId: LIB,
        spaceId: SPACE,
        recycledItemId: id,
        restorePath: "originalPath",
      }),
    );

    expect(error).toBeInstanceOf(SmhNotFoundError);
    expect(error).toMatchObject({ code: "DirectoryNotFound", mayHaveApplied: false });
    expect(sim.findRecycled(LIB, SPACE, `${parent}/kid`)).toHaveLength(1);
  });

  it("restores into the space root when the parent is gone (fallbackToRoot)", async () => {
    const { client } = contractClient(sim);
    const parent = unique("fallback");
    const name = unique("kid");
    const id = await recycle(client, `${parent}/${name}`);
    await client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path: parent, permanent: true });

    const result = await client.restoreRecycledItem({
      libraryId: LIB,
      spaceId: SPACE,
      recycledItemId: id,
      restorePath: "fallbackToRoot",
    });

    expect(result.path).toBe(name);
    expect(sim.exists(LIB, SPACE, `${name}/child`)).toBe(true);
  });
});

describe("purgeRecycledItem", () => {
  it("deletes an item from the bin for good (204) with a delete_recycled token", async () => {
    const { client } = contractClient(sim);
    const path = unique("purge");
    const id = await recycle(client, path);

    const result = await client.purgeRecycledItem({
      libraryId: LIB,
      spaceId: SPACE,
      recycledItemId: id,
    });

    expect(result.attempts).toBe(1);
    expect(sim.findRecycled(LIB, SPACE, path)).toEqual([]);
    expect(sim.groundTruth().purges.at(-1)).toMatchObject({ recycledItemId: id, reason: "purge" });
    expect(newTokens().map(grantSet)).toEqual(["delete_directory", "delete_recycled"]);
  });

  it("reports an item already purged as RecycledItemNotFound (not found)", async () => {
    const { client } = contractClient(sim);
    const id = await recycle(client, unique("twice"));
    await client.purgeRecycledItem({ libraryId: LIB, spaceId: SPACE, recycledItemId: id });

    const error = await rejectionOf(
      client.purgeRecycledItem({ libraryId: LIB, spaceId: SPACE, recycledItemId: id }),
    );

    expect(error).toBeInstanceOf(SmhNotFoundError);
    expect(error).toMatchObject({ status: 404, code: "RecycledItemNotFound" });
  });
});

describe("restoreRecycledItems", () => {
  it("restores every item (200) and reports each under its id", async () => {
    const { client } = contractClient(sim);
    const parent = unique("batch-restore");
    const a = await recycle(client, `${parent}/a`);
    const b = await recycle(client, `${parent}/b`);

    const result = await client.restoreRecycledItems({
      libraryId: LIB,
      spaceId: SPACE,
      recycledItemIds: [b, a],
    });

    expect(result.items).toEqual([
      { recycledItemId: b, outcome: "restored", path: `${parent}/b` },
      { recycledItemId: a, outcome: "restored", path: `${parent}/a` },
    ]);
    expect(result).toMatchObject({ taskId: undefined, attempts: 1 });
  });

  it("maps per-item failures (207) back to their ids as typed errors", async () => {
    const { client } = contractClient(sim);
    const parent = unique("partial");
    const ok = await recycle(client, `${parent}/ok`);
    const orphan = await recycle(client, `${parent}/gone/orphan`);
    await client.deleteDirectory({
      libraryId: LIB,
      spaceId: SPACE,
      path: `${parent}/gone`,
      permanent: true,
    });
    const unknown = 987_654;

    const { items } = await client.restoreRecycledItems({
      libraryId: LIB,
      spaceId: SPACE,
      recycledItemIds: [ok, orphan, unknown],
    });

    expect(items[0]).toEqual({ recycledItemId: ok, outcome: "restored", path: `${parent}/ok` });
    for (const [item, id, code] of [
      [items[1], orphan, "DirectoryNotFound"],
      [items[2], unknown, "RecycledItemNotFound"],
    ] as const) {
      expect(item).toMatchObject({ recycledItemId: id, outcome: "failed" });
      expect(item?.outcome === "failed" && item.error).toBeInstanceOf(SmhNotFoundError);
      expect(item?.outcome === "failed" && item.error).toMatchObject({ status: 404, code });
    }
  });

  it("renames on a name clash, as the batch page documents, even where a single restore would ask", async () => {
    sim.setOptions({ defaultRestoreConflictStrategy: "ask" });
    const { client } = contractClient(sim);
    const path = unique("batch-clash");
    const id = await recycle(client, path);
    sim.createDirectory(LIB, SPACE, path);

    const { items } = await client.restoreRecycledItems({
      libraryId: LIB,
      spaceId: SPACE,
      recycledItemIds: [id],
    });

    expect(items).toEqual([{ recycledItemId: id, outcome: "restored", path: `${path} (1)` }]);
  });

  it("follows a large batch restore (202) to its task", async () => {
    sim.setFaults(LIB, { asyncBatchThreshold: 2, asyncTaskDelayMs: 20 });
    const { client } = contractClient(sim);
    const parent = unique("async-restore");
    const ids = [
      await recycle(client, `${parent}/a`),
      await recycle(client, `${parent}/b`),
      await recycle(client, `${parent}/c`),
    ];

    const result = await client.restoreRecycledItems({
      libraryId: LIB,
      spaceId: SPACE,
      recycledItemIds: ids,
    });

    expect(result.taskId).toBe(sim.tasks(LIB).at(-1)?.id);
    expect(result.items.map((item) => item.outcome)).toEqual(["restored", "restored", "restored"]);
    expect(["a", "b", "c"].every((name) => sim.exists(LIB, SPACE, `${parent}/${name}`))).toBe(true);
  });
});

describe("purgeRecycledItems", () => {
  it("purges every item in one request (204)", async () => {
    const { client } = contractClient(sim);
    const parent = unique("batch-purge");
    const ids = [await recycle(client, `${parent}/a`), await recycle(client, `${parent}/b`)];

    const result = await client.purgeRecycledItems({
      libraryId: LIB,
      spaceId: SPACE,
      recycledItemIds: ids,
    });

    expect(result).toMatchObject({ taskId: undefined, attempts: 1 });
    const purged = sim.groundTruth().purges.map((purge) => purge.recycledItemId);
    expect(purged).toEqual(expect.arrayContaining(ids));
  });

  it("succeeds (204) when SMH ignores ids it no longer holds", async () => {
    sim.setOptions({ purgeBatchUnknownIds: "ignore" });
    const { client } = contractClient(sim);
    const id = await recycle(client, unique("with-unknown"));

    await client.purgeRecycledItems({
      libraryId: LIB,
      spaceId: SPACE,
      recycledItemIds: [id, 424_243],
    });

    expect(sim.recycleBin(LIB, SPACE).some((item) => item.recycledItemId === id)).toBe(false);
  });

  it("reports SMH's 500 as retryable, not retried, with mayHaveApplied", async () => {
    sim.setOptions({ purgeBatchUnknownIds: "fail" });
    const { client } = contractClient(sim);
    const id = await recycle(client, unique("kept"));

    const error = await rejectionOf(
      client.purgeRecycledItems({ libraryId: LIB, spaceId: SPACE, recycledItemIds: [id, 424_242] }),
    );

    expect(error).toBeInstanceOf(SmhRetryableError);
    expect(error).toMatchObject({
      status: 500,
      code: "InternalServerError",
      attempts: 1,
      mayHaveApplied: true,
    });
    expect(callsOf(sim, "recycled.purgeBatch")).toBe(1);
    // This 500 purged nothing: the item is still there to purge later.
    expect(sim.recycleBin(LIB, SPACE).some((item) => item.recycledItemId === id)).toBe(true);
  });
});

// Runs last: it moves this simulator's clock a month ahead.
describe("items past the retention period", () => {
  it("answers RecycledItemNotFound for restore and purge once retentionDays have passed", async () => {
    const { client } = contractClient(sim);
    const path = unique("expired");
    const id = await recycle(client, path);

    sim.advanceClock(31 * DAY_MS);
    const restoreError = await rejectionOf(
      client.restoreRecycledItem({ libraryId: LIB, spaceId: SPACE, recycledItemId: id }),
    );
    const purgeError = await rejectionOf(
      client.purgeRecycledItem({ libraryId: LIB, spaceId: SPACE, recycledItemId: id }),
    );

    for (const error of [restoreError, purgeError]) {
      expect(error).toBeInstanceOf(SmhNotFoundError);
      expect(error).toMatchObject({ code: "RecycledItemNotFound", kind: "notFound" });
    }
    expect(sim.groundTruth().purges.find((purge) => purge.recycledItemId === id)).toMatchObject({
      reason: "expired",
    });
  });
});
