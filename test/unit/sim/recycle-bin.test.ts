import { describe, expect, it } from "vitest";
import {
  call,
  directoryPath,
  LIBRARY_ID,
  mintToken,
  SINGLE_ID,
  SINGLE_SECRET,
  SPACE_ID,
  signIn,
  useSimulators,
} from "./helpers.ts";

const start = useSimulators();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const BIN = `/api/v1/recycled/${LIBRARY_ID}/${SPACE_ID}`;

async function setup(options: Parameters<typeof start>[0] = {}) {
  // Long-lived: these tests move the clock by weeks, past the default one-day period.
  const { sim, token, q } = await signIn(await start(options), { period: 365 * 86_400 });
  const remove = async (path: string) => {
    const res = await call(sim, "DELETE", directoryPath(path), { query: q });
    expect(res.status).toBe(200);
    return res.body.recycledItemId as number;
  };
  return { sim, token, q, remove };
}

describe("restore", () => {
  it("restores a recursively deleted directory with its whole subtree, files included", async () => {
    const { sim, q, remove } = await setup();
    const before = sim.tree(LIBRARY_ID, SPACE_ID, "events", 5);
    const id = await remove("events");
    expect(sim.exists(LIBRARY_ID, SPACE_ID, "events/2024-01-party/a.jpg")).toBe(false);
    const res = await call(sim, "POST", `${BIN}/${id}`, { query: { ...q, restore: true } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ path: ["events"] });
    expect(sim.tree(LIBRARY_ID, SPACE_ID, "events", 5)).toEqual(before);
    expect(sim.recycleBin(LIBRARY_ID, SPACE_ID)).toEqual([]);
  });

  it("accepts restore=1 as well as a bare restore flag", async () => {
    const { sim, q, remove } = await setup();
    const id = await remove("users");
    expect((await call(sim, "POST", `${BIN}/${id}`, { query: { ...q, restore: 1 } })).status).toBe(
      200,
    );
  });

  it("answers 409 SameNameDirectoryOrFileExists with ask, and restores as 'name (1)' with rename", async () => {
    const { sim, q, remove } = await setup();
    const id = await remove("events/2024-02-launch");
    sim.createDirectory(LIBRARY_ID, SPACE_ID, "events/2024-02-launch");
    const ask = await call(sim, "POST", `${BIN}/${id}`, {
      query: { ...q, restore: true, conflict_resolution_strategy: "ask" },
    });
    expect([ask.status, ask.body.code]).toEqual([409, "SameNameDirectoryOrFileExists"]);
    const rename = await call(sim, "POST", `${BIN}/${id}`, {
      query: { ...q, restore: true, conflict_resolution_strategy: "rename" },
    });
    expect(rename.body).toEqual({ path: ["events", "2024-02-launch (1)"] });
  });

  it("renames a restored file before its extension", async () => {
    const { sim, q } = await setup();
    const res = await call(
      sim,
      "DELETE",
      `/api/v1/file/${LIBRARY_ID}/${SPACE_ID}/events/2024-01-party/a.jpg`,
      { query: q },
    );
    sim.addFile(LIBRARY_ID, SPACE_ID, "events/2024-01-party/a.jpg", { size: 1 });
    const restored = await call(sim, "POST", `${BIN}/${res.body.recycledItemId}`, {
      query: { ...q, restore: true, conflict_resolution_strategy: "rename" },
    });
    expect(restored.body.path).toEqual(["events", "2024-01-party", "a (1).jpg"]);
  });

  it("uses rename when no strategy is given, or ask when defaultRestoreConflictStrategy says so", async () => {
    const { sim, q, remove } = await setup();
    const first = await remove("users");
    sim.createDirectory(LIBRARY_ID, SPACE_ID, "users");
    expect(
      (await call(sim, "POST", `${BIN}/${first}`, { query: { ...q, restore: true } })).body.path,
    ).toEqual(["users (1)"]);
    const second = await remove("users");
    sim.createDirectory(LIBRARY_ID, SPACE_ID, "users");
    sim.setOptions({ defaultRestoreConflictStrategy: "ask" });
    expect(
      (await call(sim, "POST", `${BIN}/${second}`, { query: { ...q, restore: true } })).status,
    ).toBe(409);
  });

  it("needs the original parent (404 DirectoryNotFound) unless restore_path_strategy=fallbackToRoot", async () => {
    const { sim, q, remove } = await setup();
    const child = await remove("events/2024-01-party");
    await call(sim, "DELETE", directoryPath("events"), { query: { ...q, permanent: 1 } });
    const original = await call(sim, "POST", `${BIN}/${child}`, { query: { ...q, restore: true } });
    expect([original.status, original.body.code]).toEqual([404, "DirectoryNotFound"]);
    const fallback = await call(sim, "POST", `${BIN}/${child}`, {
      query: { ...q, restore: true, restore_path_strategy: "fallbackToRoot" },
    });
    expect(fallback.body).toEqual({ path: ["2024-01-party"] });
    expect(sim.exists(LIBRARY_ID, SPACE_ID, "2024-01-party/raw")).toBe(true);
  });

  it("refuses an unknown strategy with 400", async () => {
    const { sim, q, remove } = await setup();
    const id = await remove("users");
    const res = await call(sim, "POST", `${BIN}/${id}`, {
      query: { ...q, restore: true, conflict_resolution_strategy: "merge" },
    });
    expect([res.status, res.body.code]).toEqual([400, "InvalidConflictResolutionStrategy"]);
  });
});

describe("purge and empty", () => {
  it("purges one item with 204, after which it is 404 RecycledItemNotFound", async () => {
    const { sim, q, remove } = await setup();
    const id = await remove("users");
    expect((await call(sim, "DELETE", `${BIN}/${id}`, { query: q })).status).toBe(204);
    const again = await call(sim, "DELETE", `${BIN}/${id}`, { query: q });
    expect([again.status, again.body.code]).toEqual([404, "RecycledItemNotFound"]);
    const restore = await call(sim, "POST", `${BIN}/${id}`, { query: { ...q, restore: true } });
    expect(restore.body.code).toBe("RecycledItemNotFound");
  });

  it("purges a batch with 204, ignoring unknown ids by default", async () => {
    const { sim, q, remove } = await setup();
    const ids = [await remove("users"), await remove("events")];
    const res = await call(sim, "POST", BIN, {
      query: { ...q, delete: true },
      body: [...ids, 999],
    });
    expect(res.status).toBe(204);
    expect(sim.recycleBin(LIBRARY_ID, SPACE_ID)).toEqual([]);
  });

  it("fails a batch purge naming unknown ids with 500 and purges nothing under purgeBatchUnknownIds=fail", async () => {
    const { sim, q, remove } = await setup({ options: { purgeBatchUnknownIds: "fail" } });
    const id = await remove("users");
    const res = await call(sim, "POST", BIN, { query: { ...q, delete: 1 }, body: [id, 999] });
    expect([res.status, res.body.code]).toEqual([500, "InternalServerError"]);
    expect(sim.recycleBin(LIBRARY_ID, SPACE_ID)).toHaveLength(1);
  });

  it("empties the recycle bin with 204", async () => {
    const { sim, q, remove } = await setup();
    await remove("users");
    await remove("events");
    expect((await call(sim, "DELETE", BIN, { query: q })).status).toBe(204);
    expect((await call(sim, "GET", BIN, { query: q })).body).toEqual({ totalNum: 0, contents: [] });
    expect(sim.groundTruth().purges.map((p) => p.reason)).toEqual(["empty", "empty"]);
  });
});

describe("recycle bin listing, info and retention", () => {
  it("lists items in deletion order with SMH's fields", async () => {
    const { sim, q, remove } = await setup();
    const first = await remove("users");
    const second = await remove("events/2024-02-launch");
    sim.advanceClock(HOUR); // 29 days and 23 hours left: partial days are not counted
    const res = await call(sim, "GET", BIN, { query: q });
    expect(res.body.totalNum).toBe(2);
    expect(
      res.body.contents.map((item: { recycledItemId: number }) => item.recycledItemId),
    ).toEqual([first, second]);
    expect(res.body.contents[1]).toMatchObject({
      originalPath: ["events", "2024-02-launch"],
      spaceId: SPACE_ID,
      name: "2024-02-launch",
      type: "dir",
      removalTime: expect.stringMatching(/Z$/),
      remainingTime: 29,
    });
  });

  it("sorts by removalTime or remainingTime and pages with markers", async () => {
    const { sim, q, remove } = await setup();
    const ids: number[] = [];
    for (const path of ["users", "events/2024-01-party", "events/2024-02-launch"]) {
      ids.push(await remove(path));
      sim.advanceClock(1_000);
    }
    const names = async (query: Record<string, string | number | undefined>) => {
      const out: number[] = [];
      let marker: string | undefined;
      do {
        const res = await call(sim, "GET", BIN, { query: { ...q, limit: 1, marker, ...query } });
        out.push(
          ...res.body.contents.map((item: { recycledItemId: number }) => item.recycledItemId),
        );
        marker = res.body.nextMarker;
      } while (marker);
      return out;
    };
    expect(await names({ order_by: "removalTime", order_by_type: "desc" })).toEqual(
      [...ids].reverse(),
    );
    expect(await names({ order_by: "remainingTime" })).toEqual(ids);
  });

  it("describes one item with ?info", async () => {
    const { sim, q, remove } = await setup();
    const id = await remove("events");
    const res = await call(sim, "GET", `${BIN}/${id}`, { query: { ...q, info: true } });
    expect(res.body).toMatchObject({
      recycledItemId: id,
      type: "dir",
      originalPath: ["events"],
      subDirCount: 2,
    });
  });

  it("expires items after retentionDays of simulated time", async () => {
    const { sim, q, remove } = await setup();
    const id = await remove("users");
    sim.advanceClock(10 * DAY + HOUR);
    expect((await call(sim, "GET", BIN, { query: q })).body.contents[0].remainingTime).toBe(19);
    sim.advanceClock(20 * DAY - HOUR);
    const res = await call(sim, "POST", `${BIN}/${id}`, { query: { ...q, restore: true } });
    expect([res.status, res.body.code]).toEqual([404, "RecycledItemNotFound"]);
    expect(sim.groundTruth().purges).toMatchObject([{ recycledItemId: id, reason: "expired" }]);
  });

  it("applies a longer retention to items already in the bin", async () => {
    const { sim, q, remove } = await setup();
    const id = await remove("users");
    const res = await call(sim, "POST", BIN, {
      query: { ...q, lifecycle: 1 },
      body: { retentionDays: 60 },
    });
    expect(res.status).toBe(204);
    sim.advanceClock(45 * DAY + HOUR);
    expect(
      (await call(sim, "GET", `${BIN}/${id}`, { query: { ...q, info: 1 } })).body.remainingTime,
    ).toBe(14);
  });

  it("finds recycled items again by their original path", async () => {
    const { sim, remove } = await setup();
    const id = await remove("events/2024-02-launch");
    expect(
      sim.findRecycled(LIBRARY_ID, SPACE_ID, "events/2024-02-launch").map((i) => i.recycledItemId),
    ).toEqual([id]);
    expect(sim.findRecycled(LIBRARY_ID, SPACE_ID, "events")).toEqual([]);
  });

  it("answers 400 RecycleBinNotEnabled on a library without a recycle bin", async () => {
    const { sim } = await setup();
    const token = await mintToken(sim, { libraryId: SINGLE_ID, secret: SINGLE_SECRET });
    const res = await call(sim, "GET", `/api/v1/recycled/${SINGLE_ID}/-`, {
      query: { access_token: token },
    });
    expect([res.status, res.body.code]).toEqual([400, "RecycleBinNotEnabled"]);
  });
});
