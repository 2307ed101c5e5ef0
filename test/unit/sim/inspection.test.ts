import { describe, expect, it } from "vitest";
import { INSPECTION_ROUTES } from "../../../lib/sim/inspection/routes.ts";
import {
  call,
  directoryPath,
  LIBRARY_ID,
  LIBRARY_SECRET,
  mintToken,
  SINGLE_ID,
  SINGLE_SECRET,
  SPACE_ID,
  useSimulators,
} from "./helpers.ts";

const start = useSimulators();

describe("/_sim inspection", () => {
  it("never exposes a library secret or an access token, whatever the traffic was", async () => {
    const sim = await start({ faults: { asyncBatchThreshold: 0, asyncTaskDelayMs: 0 } });
    const tokens = [
      await mintToken(sim),
      await mintToken(sim, { libraryId: SINGLE_ID, secret: SINGLE_SECRET }),
    ];
    const [token] = tokens as [string, string];
    const q = { access_token: token };
    await call(sim, "POST", `/api/v1/token/${LIBRARY_ID}/${token}`);
    await call(sim, "DELETE", directoryPath("users"), { query: q });
    await call(sim, "POST", `/api/v1/batch/${LIBRARY_ID}/${SPACE_ID}`, {
      query: { ...q, delete: true },
      body: [{ path: "events" }],
    });
    await call(sim, "GET", directoryPath("x"), { headers: { authorization: `Bearer ${token}` } });
    await call(sim, "DELETE", `/api/v1/token/${LIBRARY_ID}`, {
      query: { library_secret: LIBRARY_SECRET, user_id: "nobody" },
    });
    await call(sim, "GET", "/api/v1/token", {
      query: { library_id: LIBRARY_ID, library_secret: "wrong-secret" },
    });
    tokens.push(await mintToken(sim, { userId: "later" }));
    await call(sim, "DELETE", `/api/v1/token/${LIBRARY_ID}/${tokens[2]}`);

    const paths = [
      "/_sim",
      "/_sim/libraries",
      "/_sim/calls",
      "/_sim/stats",
      `/_sim/tree/${LIBRARY_ID}/${SPACE_ID}?depth=10`,
      `/_sim/exists/${LIBRARY_ID}/${SPACE_ID}/users`,
      `/_sim/recycled/${LIBRARY_ID}/${SPACE_ID}`,
      `/_sim/locks/${LIBRARY_ID}/${SPACE_ID}`,
      `/_sim/tasks/${LIBRARY_ID}`,
      "/_sim/tokens",
      "/_sim/faults",
      `/_sim/faults/${LIBRARY_ID}`,
      "/_sim/options",
      "/_sim/clock",
      "/_sim/ground-truth",
    ];
    for (const path of paths) {
      const res = await call(sim, "GET", path);
      expect(res.status, path).toBe(200);
      for (const secret of [LIBRARY_SECRET, SINGLE_SECRET, ...tokens])
        expect(res.text, path).not.toContain(secret);
    }
    // The in-process inspection is held to the same rule (only credentials() hands out secrets).
    const inProcess = JSON.stringify([
      sim.libraries(),
      sim.calls(),
      sim.tokens(),
      sim.groundTruth(),
      sim.tasks(LIBRARY_ID),
    ]);
    for (const secret of [LIBRARY_SECRET, SINGLE_SECRET, ...tokens])
      expect(inProcess).not.toContain(secret);
  });

  it("lists its routes at GET /_sim and answers unknown ones with 404", async () => {
    const sim = await start();
    expect((await call(sim, "GET", "/_sim")).body.routes).toEqual([...INSPECTION_ROUTES]);
    const missing = await call(sim, "GET", "/_sim/nothing");
    expect([missing.status, missing.body.code]).toEqual([404, "RouteNotFound"]);
  });

  it("records calls with route templates, keeps at most callLogSize, and counts every call exactly", async () => {
    const sim = await start({ options: { callLogSize: 5 } });
    const token = await mintToken(sim);
    for (let i = 0; i < 9; i++)
      await call(sim, "GET", directoryPath("events"), { query: { access_token: token } });
    await call(sim, "GET", directoryPath("nope"), { query: { access_token: token } });
    const calls = (await call(sim, "GET", "/_sim/calls")).body;
    expect(calls).toHaveLength(5);
    expect(calls.at(-1)).toMatchObject({
      method: "GET",
      route: "directory.list",
      template: "GET /api/v1/directory/{LibraryId}/{SpaceId}/{DirPath}",
      libraryId: LIBRARY_ID,
      status: 404,
      fault: null,
    });
    const stats = (await call(sim, "GET", "/_sim/stats")).body;
    expect(stats.total).toBe(11);
    expect(stats.byRoute["directory.list"]).toEqual({ "200": 9, "404": 1 });
    expect(stats.byRoute["token.create"]).toEqual({ "200": 1 });
    expect((await call(sim, "POST", "/_sim/stats/reset")).status).toBe(204);
    expect(sim.stats()).toEqual({ total: 0, byRoute: {}, byFault: {} });
  });

  it("does not count /_sim requests as SMH calls", async () => {
    const sim = await start();
    await call(sim, "GET", "/_sim/libraries");
    expect(sim.stats().total).toBe(0);
  });

  it("dumps trees, existence and recycle bins", async () => {
    const sim = await start();
    const token = await mintToken(sim);
    await call(sim, "DELETE", directoryPath("users"), { query: { access_token: token } });
    const tree = (await call(sim, "GET", `/_sim/tree/${LIBRARY_ID}/${SPACE_ID}/events?depth=2`))
      .body;
    expect(tree.children.map((c: { name: string }) => c.name)).toEqual([
      "2024-01-party",
      "2024-02-launch",
    ]);
    expect(tree.children[0].children.map((c: { name: string }) => c.name)).toEqual([
      "a.jpg",
      "b.mp4",
      "raw",
    ]);
    expect(
      (await call(sim, "GET", `/_sim/exists/${LIBRARY_ID}/${SPACE_ID}/events/2024-01-party/a.jpg`))
        .body,
    ).toEqual({
      exists: true,
      type: "image",
    });
    expect((await call(sim, "GET", `/_sim/exists/${LIBRARY_ID}/${SPACE_ID}/users`)).body).toEqual({
      exists: false,
      type: null,
    });
    expect((await call(sim, "GET", `/_sim/recycled/${LIBRARY_ID}/${SPACE_ID}`)).body).toMatchObject(
      [{ originalPath: ["users"], type: "dir", entries: 2, remainingTime: 29 }],
    );
  });

  it("logs tokens by fingerprint with their grants, space, user, period and state", async () => {
    const sim = await start();
    await mintToken(sim, {
      grant: "delete_directory,restore_recycled",
      spaceId: SPACE_ID,
      userId: "erin",
      period: 600,
    });
    sim.invalidateTokens();
    expect((await call(sim, "GET", "/_sim/tokens")).body).toEqual([
      expect.objectContaining({
        fingerprint: expect.stringMatching(/^[0-9a-f]{12}$/),
        libraryId: LIBRARY_ID,
        spaceIds: [SPACE_ID],
        userId: "erin",
        grants: ["delete_directory", "restore_recycled"],
        periodSeconds: 600,
        status: "invalidated",
        invalidationReason: "invalidated",
      }),
    ]);
  });

  it("adds a file over HTTP (PUT /_sim/files), which a client can then delete into the recycle bin and restore", async () => {
    const sim = await start();
    const added = await call(sim, "PUT", `/_sim/files/${LIBRARY_ID}/${SPACE_ID}/new/report.pdf`, {
      body: { size: 2048, contentType: "application/pdf" },
    });
    expect([added.status, added.body]).toEqual([201, { path: ["new", "report.pdf"] }]);
    expect(sim.tree(LIBRARY_ID, SPACE_ID, "new")?.children).toMatchObject([
      { name: "report.pdf", type: "file", size: 2048 },
    ]);
    const taken = await call(sim, "PUT", `/_sim/files/${LIBRARY_ID}/${SPACE_ID}/new/report.pdf`);
    expect([taken.status, taken.body.code]).toEqual([409, "SameNameDirectoryOrFileExists"]);
    const unknown = await call(sim, "PUT", `/_sim/files/${LIBRARY_ID}/${SPACE_ID}/new/x.bin`, {
      body: { sha: "1" },
    });
    expect([unknown.status, unknown.body.code]).toEqual([400, "ParamInvalid"]);

    const token = await mintToken(sim);
    const file = `/api/v1/file/${LIBRARY_ID}/${SPACE_ID}/new/report.pdf`;
    const removed = await call(sim, "DELETE", file, { query: { access_token: token } });
    expect(removed.status).toBe(200);
    const restored = await call(
      sim,
      "POST",
      `/api/v1/recycled/${LIBRARY_ID}/${SPACE_ID}/${removed.body.recycledItemId}`,
      { query: { access_token: token, restore: true } },
    );
    expect([restored.status, restored.body]).toEqual([200, { path: ["new", "report.pdf"] }]);
  });

  it("advances the clock over HTTP", async () => {
    const sim = await start();
    const before = sim.now();
    const res = await call(sim, "POST", "/_sim/clock/advance", { body: { ms: 86_400_000 } });
    expect(res.body.offsetMs).toBe(86_400_000);
    expect(sim.now() - before).toBeGreaterThanOrEqual(86_400_000);
    expect((await call(sim, "POST", "/_sim/clock/advance", { body: { ms: -1 } })).status).toBe(400);
  });

  it("reads and changes behaviour options over HTTP", async () => {
    const sim = await start();
    const res = await call(sim, "PUT", "/_sim/options", {
      body: { missingPathCode: "PathNotFound" },
    });
    expect(res.body.missingPathCode).toBe("PathNotFound");
    expect(sim.options().missingPathCode).toBe("PathNotFound");
    expect(
      (await call(sim, "PUT", "/_sim/options", { body: { missingPathCode: "Gone" } })).status,
    ).toBe(400);
  });
});

describe("ground truth", () => {
  it("exports live directories, recycled items and the log of applied deletions, restores and purges", async () => {
    const sim = await start();
    const token = await mintToken(sim);
    const q = { access_token: token };
    const recycled = (
      await call(sim, "DELETE", directoryPath("events/2024-02-launch"), { query: q })
    ).body.recycledItemId;
    await call(sim, "DELETE", directoryPath("users"), { query: { ...q, permanent: 1 } });
    const other = (
      await call(sim, "DELETE", directoryPath("events/2024-01-party/raw"), { query: q })
    ).body.recycledItemId;
    await call(sim, "POST", `/api/v1/recycled/${LIBRARY_ID}/${SPACE_ID}/${other}`, {
      query: { ...q, restore: true },
    });
    const truth = (await call(sim, "GET", "/_sim/ground-truth")).body;
    const space = truth.libraries[0].spaces.find(
      (s: { spaceId: string }) => s.spaceId === SPACE_ID,
    );
    expect(space.directories).toEqual([
      "events",
      "events/2024-01-party",
      "events/2024-01-party/raw",
    ]);
    expect(space.files).toEqual(["events/2024-01-party/a.jpg", "events/2024-01-party/b.mp4"]);
    expect(space.recycled).toEqual([
      {
        recycledItemId: recycled,
        originalPath: ["events", "2024-02-launch"],
        removalTime: expect.any(String),
        type: "dir",
      },
    ]);
    expect(
      truth.deletions.map(
        (d: { path: string[]; recycledItemId: number | null; permanent: boolean; via: string }) => [
          d.path.join("/"),
          d.recycledItemId,
          d.permanent,
          d.via,
        ],
      ),
    ).toEqual([
      ["events/2024-02-launch", recycled, false, "directory"],
      ["users", null, true, "directory"],
      ["events/2024-01-party/raw", other, false, "directory"],
    ]);
    expect(truth.restores).toMatchObject([
      { recycledItemId: other, restoredPath: ["events", "2024-01-party", "raw"] },
    ]);
  });
});
