import { request } from "node:http";
import { describe, expect, it } from "vitest";
import type { Simulator } from "../../../lib/sim/index.ts";
import {
  ALBUM_SPACE_ID,
  call,
  directoryPath,
  LIBRARY_ID,
  mintToken,
  SINGLE_ID,
  SINGLE_SECRET,
  SPACE_ID,
  signIn,
  useSimulators,
  withQuery,
} from "./helpers.ts";

const start = useSimulators();

const setup = async () => signIn(await start());

describe("create directory (PUT)", () => {
  it("creates a directory and its missing parents with 201 and an empty body by default", async () => {
    const { sim, q } = await setup();
    const res = await call(sim, "PUT", directoryPath("new/deep/dir"), { query: q });
    expect(res.status).toBe(201);
    expect(res.text).toBe("");
    expect(sim.exists(LIBRARY_ID, SPACE_ID, "new/deep/dir")).toBe(true);
  });

  it("answers 409 SameNameDirectoryOrFileExists on a clash with ask, and renames with rename", async () => {
    const { sim, q } = await setup();
    const ask = await call(sim, "PUT", directoryPath("events"), { query: q });
    expect([ask.status, ask.body.code]).toEqual([409, "SameNameDirectoryOrFileExists"]);
    const renamed = await call(sim, "PUT", directoryPath("events"), {
      query: { ...q, conflict_resolution_strategy: "rename" },
    });
    expect(renamed.status).toBe(201);
    expect(renamed.body.path).toEqual(["events (1)"]);
  });

  it("refuses a file in the way of a parent even with rename", async () => {
    const { sim, q } = await setup();
    const res = await call(sim, "PUT", directoryPath("events/2024-01-party/a.jpg/sub"), {
      query: { ...q, conflict_resolution_strategy: "rename" },
    });
    expect([res.status, res.body.code]).toEqual([409, "SameNameDirectoryOrFileExists"]);
  });

  it("allows only one level of albums in an album space", async () => {
    const { sim, q } = await setup();
    expect(
      (await call(sim, "PUT", directoryPath("Autumn", ALBUM_SPACE_ID), { query: q })).status,
    ).toBe(201);
    const nested = await call(sim, "PUT", directoryPath("Autumn/day1", ALBUM_SPACE_ID), {
      query: q,
    });
    expect([nested.status, nested.body.code]).toEqual([400, "DirectoryLevelExceed"]);
  });

  it("needs create_directory", async () => {
    const { sim } = await setup();
    const reader = await mintToken(sim, { grant: "", spaceId: SPACE_ID });
    const res = await call(sim, "PUT", directoryPath("x"), { query: { access_token: reader } });
    expect([res.status, res.body.code]).toEqual([403, "NoPermission"]);
  });
});

describe("HEAD and info", () => {
  it("answers HEAD with 200 for a directory and 404 otherwise, without a body", async () => {
    const { sim, q } = await setup();
    const found = await call(sim, "HEAD", directoryPath("events"), { query: q });
    const missing = await call(sim, "HEAD", directoryPath("nope"), { query: q });
    expect([found.status, found.text, missing.status, missing.text]).toEqual([200, "", 404, ""]);
  });

  it("describes a directory or file with ?info=1 or a bare ?info", async () => {
    const { sim, q } = await setup();
    const dir = await call(sim, "GET", directoryPath("events/2024-01-party"), {
      query: { ...q, info: 1 },
    });
    expect(dir.body).toMatchObject({
      name: "2024-01-party",
      type: "dir",
      fileCount: 2,
      subDirCount: 1,
    });
    const file = await call(sim, "GET", directoryPath("events/2024-01-party/a.jpg"), {
      query: { ...q, info: true },
    });
    expect(file.body).toMatchObject({
      name: "a.jpg",
      type: "image",
      size: "1024",
      contentType: "image/jpeg",
    });
  });
});

describe("delete directory", () => {
  it("moves a directory to the recycle bin with 200 {recycledItemId}", async () => {
    const { sim, q } = await setup();
    const res = await call(sim, "DELETE", directoryPath("events/2024-02-launch"), { query: q });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ recycledItemId: expect.any(Number) });
    expect(sim.exists(LIBRARY_ID, SPACE_ID, "events/2024-02-launch")).toBe(false);
    expect(sim.recycleBin(LIBRARY_ID, SPACE_ID).map((item) => item.recycledItemId)).toEqual([
      res.body.recycledItemId,
    ]);
  });

  it("deletes a non-empty directory recursively as ONE recycled item holding its subtree", async () => {
    const { sim, q } = await setup();
    const res = await call(sim, "DELETE", directoryPath("events"), { query: q });
    expect(res.status).toBe(200);
    const [item, ...rest] = sim.recycleBin(LIBRARY_ID, SPACE_ID);
    expect(rest).toEqual([]);
    expect(item).toMatchObject({ originalPath: ["events"], type: "dir", entries: 5 });
  });

  it("hands out unique, increasing recycled item ids", async () => {
    const { sim, q } = await setup();
    const ids: number[] = [];
    for (const path of ["events/2024-01-party", "events/2024-02-launch", "users"]) {
      ids.push((await call(sim, "DELETE", directoryPath(path), { query: q })).body.recycledItemId);
    }
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(3);
  });

  it("answers 204 without a recycled item for permanent=1", async () => {
    const { sim, q } = await setup();
    const res = await call(sim, "DELETE", directoryPath("users"), {
      query: { ...q, permanent: 1 },
    });
    expect([res.status, res.text]).toEqual([204, ""]);
    expect(sim.exists(LIBRARY_ID, SPACE_ID, "users/u1/photos")).toBe(false);
    expect(sim.recycleBin(LIBRARY_ID, SPACE_ID)).toEqual([]);
  });

  it("answers 204 when the library has no recycle bin", async () => {
    const { sim } = await setup();
    const token = await mintToken(sim, { libraryId: SINGLE_ID, secret: SINGLE_SECRET });
    const res = await call(sim, "DELETE", directoryPath("projects/apollo", "-", SINGLE_ID), {
      query: { access_token: token },
    });
    expect(res.status).toBe(204);
  });

  it("answers 404 DirectoryNotFound for a missing path, or PathNotFound when configured", async () => {
    const { sim, q } = await setup();
    const missing = await call(sim, "DELETE", directoryPath("nope"), { query: q });
    expect([missing.status, missing.body.code]).toEqual([404, "DirectoryNotFound"]);
    sim.setOptions({ missingPathCode: "PathNotFound" });
    const again = await call(sim, "DELETE", directoryPath("nope"), { query: q });
    expect([again.status, again.body.code]).toEqual([404, "PathNotFound"]);
  });

  it("does not delete a file through the directory API, and deletes it through the file API", async () => {
    const { sim, q } = await setup();
    const viaDirectory = await call(sim, "DELETE", directoryPath("events/2024-01-party/a.jpg"), {
      query: q,
    });
    expect(viaDirectory.status).toBe(404);
    const viaFile = await call(
      sim,
      "DELETE",
      `/api/v1/file/${LIBRARY_ID}/${SPACE_ID}/events/2024-01-party/a.jpg`,
      { query: q },
    );
    expect(viaFile.status).toBe(200);
    expect(sim.recycleBin(LIBRARY_ID, SPACE_ID)[0]).toMatchObject({
      type: "image",
      originalPath: ["events", "2024-01-party", "a.jpg"],
    });
  });

  it("refuses to delete the space root with 400 EmptyPath", async () => {
    const { sim, q } = await setup();
    const res = await call(sim, "DELETE", `/api/v1/directory/${LIBRARY_ID}/${SPACE_ID}/`, {
      query: q,
    });
    expect([res.status, res.body.code]).toEqual([400, "EmptyPath"]);
  });

  // fetch resolves `..` (and `%2E%2E`) in a URL before sending it; a raw request does not, as a
  // client that builds URLs by hand would not.
  it.each(["events/..", "events/../events", "./events", "events/%2E%2E", "events%2F..%2Fevents"])(
    "refuses to delete %s with 400 IllegalFileName, as create refuses it",
    async (path) => {
      const { sim, q } = await setup();
      const raw = `/api/v1/directory/${LIBRARY_ID}/${SPACE_ID}/${path}`;
      const created = await rawCall(sim, "PUT", withQuery(raw, q));
      expect(created).toEqual({ status: 400, code: "IllegalFileName" });
      for (const area of ["directory", "file"]) {
        const target = `/api/v1/${area}/${LIBRARY_ID}/${SPACE_ID}/${path}`;
        expect(await rawCall(sim, "DELETE", withQuery(target, q)), area).toEqual({
          status: 400,
          code: "IllegalFileName",
        });
      }
      expect(sim.exists(LIBRARY_ID, SPACE_ID, "events")).toBe(true);
      expect(sim.groundTruth().deletions).toEqual([]);
    },
  );

  it("treats raw slashes, %2F and a leading slash as the same path", async () => {
    const { sim, q } = await setup();
    const base = `/api/v1/directory/${LIBRARY_ID}/${SPACE_ID}`;
    expect(
      (await call(sim, "HEAD", `${base}/events%2F2024-01-party%2Fraw`, { query: q })).status,
    ).toBe(200);
    expect(
      (await call(sim, "HEAD", `${base}/%2Fevents%2F2024-01-party`, { query: q })).status,
    ).toBe(200);
    const res = await call(sim, "DELETE", `${base}/events%2F2024-01-party`, { query: q });
    expect(res.status).toBe(200);
    expect(sim.exists(LIBRARY_ID, SPACE_ID, "events/2024-01-party")).toBe(false);
  });

  it("answers 404 SpaceNotFound / LibraryNotFound for a wrong space or library", async () => {
    const { sim, q } = await setup();
    const space = await call(sim, "GET", directoryPath("x", "spacenope"), { query: q });
    expect([space.status, space.body.code]).toEqual([404, "SpaceNotFound"]);
    const library = await call(sim, "GET", directoryPath("x", SPACE_ID, "smhnope"), { query: q });
    expect([library.status, library.body.code]).toEqual([404, "LibraryNotFound"]);
  });
});

describe("directory modification time", () => {
  it("moves when a direct child is added or removed, but not for deeper changes", async () => {
    const { sim, q } = await setup();
    const times = () => {
      const events = sim.tree(LIBRARY_ID, SPACE_ID, "events", 1);
      const party = events?.children?.find((child) => child.name === "2024-01-party");
      return { events: events?.modificationTime, party: party?.modificationTime };
    };
    const before = times();
    sim.advanceClock(60_000);
    await call(sim, "DELETE", directoryPath("events/2024-01-party/raw"), { query: q });
    const afterRemove = times();
    expect(afterRemove.party).not.toBe(before.party);
    expect(afterRemove.events).toBe(before.events);
    sim.advanceClock(60_000);
    await call(sim, "PUT", directoryPath("events/new"), { query: q });
    const afterAdd = times();
    expect(Date.parse(afterAdd.events ?? "")).toBeGreaterThan(Date.parse(afterRemove.events ?? ""));
    expect(afterAdd.party).toBe(afterRemove.party);
  });
});

/** Sends `method path` as written (no URL resolution), and reads the answer's status and code. */
function rawCall(sim: Simulator, method: string, path: string) {
  return new Promise<{ status: number; code: unknown }>((resolve, reject) => {
    const req = request(`${sim.url}/`, { method, path }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => {
        text += chunk.toString();
      });
      res.on("end", () => {
        const body = text === "" ? {} : (JSON.parse(text) as { code?: unknown });
        resolve({ status: res.statusCode ?? 0, code: body.code });
      });
    });
    req.on("error", reject);
    req.end();
  });
}
