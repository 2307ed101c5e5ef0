import { describe, expect, it } from "vitest";
import type { Simulator } from "../../../lib/sim/simulator.ts";
import { call, directoryPath, LIBRARY_ID, mintToken, SPACE_ID, useSimulators } from "./helpers.ts";

const start = useSimulators();
const DAY = 86_400_000;
const BASE = Date.parse("2020-01-01T00:00:00.000Z");

/** A space with `count` directories under `big/`, creation times spread (and colliding) across days. */
async function bigDirectory(count: number): Promise<{ sim: Simulator; token: string }> {
  const sim = await start();
  for (let i = 0; i < count; i++) {
    sim.createDirectory(LIBRARY_ID, SPACE_ID, `big/d${String(i).padStart(6, "0")}`, {
      creationTime: BASE + ((i * 7919) % 1000) * DAY,
    });
  }
  return { sim, token: await mintToken(sim) };
}

async function listAll(
  sim: Simulator,
  token: string,
  query: Record<string, string | number>,
): Promise<string[]> {
  const names: string[] = [];
  let marker: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const res = await call(sim, "GET", directoryPath("big"), {
      query: { access_token: token, limit: 100, marker, ...query },
    });
    expect(res.status).toBe(200);
    names.push(...res.body.contents.map((entry: { name: string }) => entry.name));
    marker = res.body.nextMarker;
    if (!marker) return names;
  }
  throw new Error("listing did not end");
}

describe("directory listing with markers", () => {
  it("pages through 10,000 directories, each exactly once, in creation-time order", async () => {
    const { sim, token } = await bigDirectory(10_000);
    const names = await listAll(sim, token, { order_by: "creationTime", filter: "onlyDir" });
    expect(names).toHaveLength(10_000);
    expect(new Set(names).size).toBe(10_000);
    const created = (name: string) => ((Number(name.slice(1)) * 7919) % 1000) * DAY;
    for (let i = 1; i < names.length; i++) {
      const [a, b] = [names[i - 1] as string, names[i] as string];
      expect(created(a) < created(b) || (created(a) === created(b) && a < b)).toBe(true);
    }
  });

  it("keeps markers stable while entries are added and removed between pages", async () => {
    const { sim, token } = await bigDirectory(10_000);
    const q = { access_token: token, order_by: "name", limit: 100 };
    const first = await call(sim, "GET", directoryPath("big"), { query: q });
    const seen: string[] = first.body.contents.map((e: { name: string }) => e.name);
    // Remove an entry already listed, the entry the marker points at, and one not yet listed;
    // add one before the marker (never seen) and one after it (must appear).
    for (const path of ["big/d000000", `big/${seen.at(-1)}`, "big/d000500"]) {
      expect(
        (await call(sim, "DELETE", directoryPath(path), { query: { access_token: token } })).status,
      ).toBe(200);
    }
    sim.createDirectory(LIBRARY_ID, SPACE_ID, "big/a-before");
    sim.createDirectory(LIBRARY_ID, SPACE_ID, "big/zz-after");
    let marker: string | undefined = first.body.nextMarker;
    while (marker) {
      const page = await call(sim, "GET", directoryPath("big"), { query: { ...q, marker } });
      seen.push(...page.body.contents.map((e: { name: string }) => e.name));
      marker = page.body.nextMarker;
    }
    expect(seen).toHaveLength(10_000 - 1 + 1);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).not.toContain("a-before");
    expect(seen).not.toContain("d000500");
    expect(seen.at(-1)).toBe("zz-after");
  });

  it("answers 404 MarkerNotFound for a garbage marker or a marker of another order", async () => {
    const { sim, token } = await bigDirectory(30);
    const byName = await call(sim, "GET", directoryPath("big"), {
      query: { access_token: token, limit: 10 },
    });
    const garbage = await call(sim, "GET", directoryPath("big"), {
      query: { access_token: token, marker: "not-a-marker" },
    });
    expect([garbage.status, garbage.body.code]).toEqual([404, "MarkerNotFound"]);
    const otherOrder = await call(sim, "GET", directoryPath("big"), {
      query: { access_token: token, marker: byName.body.nextMarker, order_by: "creationTime" },
    });
    expect([otherOrder.status, otherOrder.body.code]).toEqual([404, "MarkerNotFound"]);
  });

  it("leaves nextMarker out on the last page", async () => {
    const { sim, token } = await bigDirectory(5);
    const res = await call(sim, "GET", directoryPath("big"), {
      query: { access_token: token, limit: 5 },
    });
    expect(res.body.contents).toHaveLength(5);
    expect(res.body).not.toHaveProperty("nextMarker");
  });

  it("clamps limit to listLimitMax by default and refuses it with 400 when configured", async () => {
    const { sim, token } = await bigDirectory(150);
    const clamped = await call(sim, "GET", directoryPath("big"), {
      query: { access_token: token, limit: 1000 },
    });
    expect(clamped.body.contents).toHaveLength(100);
    sim.setOptions({ listLimitMax: 1000 });
    const larger = await call(sim, "GET", directoryPath("big"), {
      query: { access_token: token, limit: 1000 },
    });
    expect(larger.body.contents).toHaveLength(150);
    sim.setOptions({ listLimitMax: 100, listLimitOverflow: "reject" });
    const refused = await call(sim, "GET", directoryPath("big"), {
      query: { access_token: token, limit: 101 },
    });
    expect([refused.status, refused.body.code]).toEqual([400, "ParamInvalid"]);
  });
});

describe("listing order, filter and page mode", () => {
  async function mixed() {
    const sim = await start();
    sim.createDirectory(LIBRARY_ID, SPACE_ID, "mix/b-dir", { creationTime: BASE + 3 * DAY });
    sim.createDirectory(LIBRARY_ID, SPACE_ID, "mix/d-dir", { creationTime: BASE + 1 * DAY });
    sim.addFile(LIBRARY_ID, SPACE_ID, "mix/a-file.txt", { size: 10, creationTime: BASE + 2 * DAY });
    sim.addFile(LIBRARY_ID, SPACE_ID, "mix/c-file.txt", { size: 5, creationTime: BASE + 4 * DAY });
    const token = await mintToken(sim);
    const names = async (query: Record<string, string | number>) => {
      const res = await call(sim, "GET", directoryPath("mix"), {
        query: { access_token: token, ...query },
      });
      return res.body.contents.map((e: { name: string }) => e.name);
    };
    return { sim, token, names };
  }

  it("lists directories first by name, then files, by default", async () => {
    const { names } = await mixed();
    expect(await names({})).toEqual(["b-dir", "d-dir", "a-file.txt", "c-file.txt"]);
  });

  it("filters with onlyDir / onlyFile and sorts together with sort_type=union", async () => {
    const { names } = await mixed();
    expect(await names({ filter: "onlyDir" })).toEqual(["b-dir", "d-dir"]);
    expect(await names({ filter: "onlyFile" })).toEqual(["a-file.txt", "c-file.txt"]);
    expect(await names({ sort_type: "union" })).toEqual([
      "a-file.txt",
      "b-dir",
      "c-file.txt",
      "d-dir",
    ]);
    expect(
      await names({ sort_type: "union", order_by: "creationTime", order_by_type: "desc" }),
    ).toEqual(["c-file.txt", "b-dir", "a-file.txt", "d-dir"]);
  });

  it("pages a union listing with markers across directories and files", async () => {
    const { sim, token } = await mixed();
    const seen: string[] = [];
    let marker: string | undefined;
    do {
      const res = await call(sim, "GET", directoryPath("mix"), {
        query: { access_token: token, sort_type: "union", order_by: "size", limit: 1, marker },
      });
      seen.push(...res.body.contents.map((e: { name: string }) => e.name));
      marker = res.body.nextMarker;
    } while (marker);
    expect(seen).toEqual(["b-dir", "d-dir", "c-file.txt", "a-file.txt"]);
  });

  it("answers page mode with fileCount, subDirCount and totalNum", async () => {
    const { sim, token } = await mixed();
    const res = await call(sim, "GET", directoryPath("mix"), {
      query: { access_token: token, page: 2, page_size: 3 },
    });
    expect(res.body).toMatchObject({ path: ["mix"], fileCount: 2, subDirCount: 2, totalNum: 4 });
    expect(res.body.contents.map((e: { name: string }) => e.name)).toEqual(["c-file.txt"]);
  });

  it("refuses mixing marker and page paging, and page × page_size above 10,000", async () => {
    const { sim, token } = await mixed();
    const mixedModes = await call(sim, "GET", directoryPath("mix"), {
      query: { access_token: token, page: 1, limit: 10 },
    });
    expect([mixedModes.status, mixedModes.body.code]).toEqual([400, "ParamInvalid"]);
    const deep = await call(sim, "GET", directoryPath("mix"), {
      query: { access_token: token, page: 101, page_size: 100 },
    });
    expect(deep.status).toBe(400);
  });

  it("refuses unknown order_by values and answers 404 for a missing directory", async () => {
    const { sim, token } = await mixed();
    const order = await call(sim, "GET", directoryPath("mix"), {
      query: { access_token: token, order_by: "colour" },
    });
    expect(order.status).toBe(400);
    const missing = await call(sim, "GET", directoryPath("nope"), {
      query: { access_token: token },
    });
    expect([missing.status, missing.body.code]).toEqual([404, "DirectoryNotFound"]);
  });

  it("describes entries with SMH's fields: path arrays, ISO times, string sizes", async () => {
    const { sim, token } = await mixed();
    const res = await call(sim, "GET", directoryPath("mix"), {
      query: { access_token: token, with_inode: 1 },
    });
    expect(res.body.contents[0]).toMatchObject({
      name: "b-dir",
      path: ["mix", "b-dir"],
      type: "dir",
      creationTime: new Date(BASE + 3 * DAY).toISOString(),
      inode: expect.any(String),
    });
    expect(res.body.contents[2]).toMatchObject({ name: "a-file.txt", type: "file", size: "10" });
  });
});
