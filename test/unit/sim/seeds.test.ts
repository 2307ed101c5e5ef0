import { describe, expect, it } from "vitest";
import { DEMO } from "../../../lib/sim/seeds/demo.ts";
import { parseSeed } from "../../../lib/sim/seeds/schema.ts";
import { startSimulator } from "../../../lib/sim/start.ts";
import { call, directoryPath, LIBRARY_ID, mintToken, SPACE_ID, useSimulators } from "./helpers.ts";

const start = useSimulators();

describe("demo seed", () => {
  it("builds the same tree every time: a few hundred directories, albums and a single-tenant library", async () => {
    const [a, b] = await Promise.all([start({ seed: "demo" }), start({ seed: "demo" })]);
    const truthA = a.groundTruth().libraries;
    const truthB = b.groundTruth().libraries;
    expect(truthA.map((l) => l.spaces.map((s) => s.directories))).toEqual(
      truthB.map((l) => l.spaces.map((s) => s.directories)),
    );
    const [multi, single] = a.libraries();
    expect(multi).toMatchObject({
      libraryId: DEMO.multiTenant.libraryId,
      multiSpace: true,
      recycleBin: true,
      retentionDays: 30,
    });
    expect(single).toMatchObject({
      libraryId: DEMO.singleTenant.libraryId,
      multiSpace: false,
      recycleBin: false,
    });
    const directories = multi?.spaces.reduce((sum, space) => sum + space.directories, 0) ?? 0;
    expect(directories).toBeGreaterThan(300);
    expect(multi?.spaces.find((s) => s.spaceId === DEMO.multiTenant.albumSpaceId)?.kind).toBe(
      "albums",
    );
    expect(single?.spaces.map((s) => s.spaceId)).toEqual(["-"]);
  });

  it("spreads creation times over about three years, with events named <yyyy>-<mm>-<name>", async () => {
    const sim = await start({ seed: "demo" });
    const events =
      sim.tree(DEMO.multiTenant.libraryId, DEMO.multiTenant.filesSpaceId, "events", 1)?.children ??
      [];
    expect(events.length).toBeGreaterThan(100);
    for (const event of events) expect(event.name).toMatch(/^\d{4}-\d{2}-[a-z-]+$/);
    const ages = events.map((event) => (sim.now() - Date.parse(event.creationTime)) / 86_400_000);
    expect(Math.max(...ages)).toBeGreaterThan(900);
    expect(Math.min(...ages)).toBeLessThan(40);
  });

  it("is reachable with the printed credentials", async () => {
    const sim = await start({ seed: "demo" });
    const { libraryId, librarySecret, filesSpaceId } = DEMO.multiTenant;
    const token = await mintToken(sim, { libraryId, secret: librarySecret });
    const res = await call(sim, "GET", directoryPath("", filesSpaceId, libraryId), {
      query: { access_token: token },
    });
    expect(res.body.contents.map((e: { name: string }) => e.name)).toEqual([
      "cases",
      "events",
      "users",
    ]);
  });
});

describe("seed objects and seeding helpers", () => {
  it("rejects an invalid seed with a readable reason", () => {
    expect(() => parseSeed({ libraries: [{ id: "bad id!", secret: "" }] })).toThrow(/invalid seed/);
    expect(() => parseSeed({ libraries: [], extra: 1 })).toThrow(/invalid seed/);
  });

  it("refuses to listen anywhere but 127.0.0.1", async () => {
    const options = { host: "0.0.0.0" } as unknown as Parameters<typeof startSimulator>[0];
    await expect(startSimulator(options)).rejects.toThrow(/127\.0\.0\.1/);
  });

  it("refuses a second space in a single-tenant library", async () => {
    await expect(
      start({
        seed: {
          libraries: [{ id: "solo", secret: "s", multiSpace: false, spaces: [{ id: "space1" }] }],
        },
      }),
    ).rejects.toThrow(/single-tenant/);
  });

  it("creates directories with given times and files, the explicit modification time winning", async () => {
    const sim = await start();
    sim.createDirectory(LIBRARY_ID, SPACE_ID, "seeded/dir", {
      creationTime: "2021-03-01T00:00:00.000Z",
      modificationTime: "2021-03-02T00:00:00.000Z",
      files: [{ name: "late.txt", creationTime: "2022-01-01T00:00:00.000Z" }],
    });
    sim.addFile(LIBRARY_ID, SPACE_ID, "seeded/other/new.bin", {
      size: 42,
      creationTime: new Date("2021-05-01T00:00:00Z"),
    });
    const seeded = sim.tree(LIBRARY_ID, SPACE_ID, "seeded", 2);
    const dir = seeded?.children?.find((c) => c.name === "dir");
    expect(dir).toMatchObject({
      creationTime: "2021-03-01T00:00:00.000Z",
      modificationTime: "2021-03-02T00:00:00.000Z",
    });
    expect(dir?.children).toMatchObject([{ name: "late.txt", type: "file" }]);
    expect(seeded?.children?.find((c) => c.name === "other")?.children).toMatchObject([
      { name: "new.bin", size: 42 },
    ]);
  });

  it("adds libraries and spaces at runtime", async () => {
    const sim = await start();
    sim.addLibrary({ id: "smhlater", secret: "later-secret", recycleBin: false });
    const spaceId = sim.addSpace("smhlater", { kind: "albums" });
    expect(spaceId).toMatch(/^space[0-9a-z]{13}$/);
    expect(sim.libraries().find((l) => l.libraryId === "smhlater")?.spaces).toMatchObject([
      { spaceId, kind: "albums" },
    ]);
  });
});

describe("spaces API", () => {
  it("creates a space with 201 {spaceId} and lists it; non-admins only see their own spaces", async () => {
    const sim = await start();
    const creator = await mintToken(sim, { grant: "create_space", userId: "frank" });
    const created = await call(sim, "POST", `/api/v1/space/${LIBRARY_ID}`, {
      query: { access_token: creator },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ spaceId: expect.stringMatching(/^space/) });
    const own = await call(sim, "GET", `/api/v1/space/${LIBRARY_ID}/list`, {
      query: { access_token: creator },
    });
    expect(own.body.list.map((s: { spaceId: string }) => s.spaceId)).toEqual([
      created.body.spaceId,
    ]);
    const admin = await mintToken(sim);
    const all = await call(sim, "GET", `/api/v1/space/${LIBRARY_ID}/list`, {
      query: { access_token: admin, limit: 2 },
    });
    expect(all.body.list).toHaveLength(2);
    const rest = await call(sim, "GET", `/api/v1/space/${LIBRARY_ID}/list`, {
      query: { access_token: admin, marker: all.body.nextMarker },
    });
    expect(rest.body.list).toHaveLength(2);
    expect(rest.body).not.toHaveProperty("nextMarker");
  });

  it("creates an album space from {isMultiAlbum: true}", async () => {
    const sim = await start();
    const admin = await mintToken(sim);
    const created = await call(sim, "POST", `/api/v1/space/${LIBRARY_ID}`, {
      query: { access_token: admin },
      body: { isMultiAlbum: true },
    });
    expect(sim.libraries()[0]?.spaces.find((s) => s.spaceId === created.body.spaceId)?.kind).toBe(
      "albums",
    );
  });

  it("refuses to delete a space that is not empty", async () => {
    const sim = await start();
    const admin = await mintToken(sim);
    const res = await call(sim, "DELETE", `/api/v1/space/${LIBRARY_ID}/${SPACE_ID}`, {
      query: { access_token: admin },
    });
    expect([res.status, res.body.code]).toEqual([409, "SpaceNotEmpty"]);
  });
});
