import { describe, expect, it } from "vitest";
import type { Simulator } from "../../../lib/sim/index.ts";
import {
  type ApiResponse,
  call,
  directoryPath,
  LIBRARY_ID,
  LIBRARY_SECRET,
  type Query,
  SPACE_ID,
  signIn,
  useSimulators,
} from "./helpers.ts";

/**
 * Every operation smh-api.md documents (and the SDK-only variants it mentions), sent to the
 * simulator as another team's client would send it. Each is either implemented — it answers 2xx
 * and the simulator's state shows it happened — or refused: `400 NotSupportedBySimulator`, and
 * the ground truth and the token log are exactly as before. Nothing in between: no success for
 * an operation that did not happen.
 */

const start = useSimulators();
const L = LIBRARY_ID;
const S = SPACE_ID;
const BIN = `/api/v1/recycled/${L}/${S}`;

interface Session {
  readonly sim: Simulator;
  readonly token: string;
  readonly q: Query;
  /** Deletes `path` into the recycle bin and returns its recycledItemId. */
  recycle(path: string): Promise<number>;
}

interface Request {
  readonly method: string;
  readonly path: string;
  readonly query?: Query;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

interface Operation {
  /** Where smh-api.md documents it (or where the request comes from). */
  readonly source: string;
  readonly name: string;
  /** Builds the request; may prepare state (a recycled item, a task) first. */
  readonly request: (session: Session) => Promise<Request> | Request;
}

interface Implemented extends Operation {
  /** Checks the answer and that the operation really happened. */
  readonly verify: (session: Session, answer: ApiResponse) => Promise<void> | void;
}

async function open(): Promise<Session> {
  const { sim, token, q } = await signIn(await start());
  return {
    sim,
    token,
    q,
    async recycle(path) {
      const res = await call(sim, "DELETE", directoryPath(path), { query: q });
      expect(res.status).toBe(200);
      return res.body.recycledItemId as number;
    },
  };
}

/** The ground truth less the moment it was taken. */
function state(sim: Simulator): unknown {
  const { generatedAt: _, ...truth } = sim.groundTruth();
  return truth;
}

function send(session: Session, request: Request): Promise<ApiResponse> {
  return call(session.sim, request.method, request.path, {
    query: request.query ?? {},
    body: request.body,
    headers: request.headers ?? {},
  });
}

const IMPLEMENTED: Implemented[] = [
  {
    source: "§2.1",
    name: "GET /api/v1/token (mint)",
    request: () => ({
      method: "GET",
      path: "/api/v1/token",
      query: { library_id: L, library_secret: LIBRARY_SECRET, grant: "admin", period: 600 },
    }),
    verify: (_s, res) => {
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ accessToken: expect.any(String), expiresIn: 600 });
    },
  },
  {
    source: "§2.1",
    name: "POST /api/v1/token (mint)",
    request: () => ({
      method: "POST",
      path: "/api/v1/token",
      query: { library_id: L, library_secret: LIBRARY_SECRET, space_id: S, user_id: "u" },
    }),
    verify: ({ sim }, res) => {
      expect(res.status).toBe(200);
      expect(sim.tokens().some((t) => t.userId === "u" && t.spaceIds?.includes(S))).toBe(true);
    },
  },
  {
    source: "§2.2",
    name: "POST /api/v1/token/{L}/{AccessToken} (renew)",
    request: ({ token }) => ({ method: "POST", path: `/api/v1/token/${L}/${token}` }),
    verify: (_s, res) => expect(res.status).toBe(200),
  },
  {
    source: "§2.3",
    name: "DELETE /api/v1/token/{L}/{AccessToken}",
    request: ({ token }) => ({ method: "DELETE", path: `/api/v1/token/${L}/${token}` }),
    verify: ({ sim }, res) => {
      expect(res.status).toBe(204);
      expect(sim.tokens().map((t) => t.status)).toEqual(["invalidated"]);
    },
  },
  {
    source: "§2.4",
    name: "DELETE /api/v1/token/{L}?library_secret&user_id",
    request: () => ({
      method: "DELETE",
      path: `/api/v1/token/${L}`,
      query: { library_secret: LIBRARY_SECRET, user_id: "nobody" },
    }),
    verify: (_s, res) => expect(res.status).toBe(204),
  },
  {
    source: "§2.5",
    name: "Authorization: Bearer instead of access_token",
    request: ({ token }) => ({
      method: "GET",
      path: directoryPath("events"),
      headers: { authorization: `Bearer ${token}` },
    }),
    verify: (_s, res) => expect(res.status).toBe(200),
  },
  {
    source: "§3",
    name: "DELETE directory into the recycle bin",
    request: ({ q }) => ({ method: "DELETE", path: directoryPath("events"), query: q }),
    verify: ({ sim }, res) => {
      expect(res.status).toBe(200);
      expect(sim.exists(L, S, "events")).toBe(false);
      expect(sim.findRecycled(L, S, "events")[0]?.recycledItemId).toBe(res.body.recycledItemId);
    },
  },
  {
    source: "§3",
    name: "DELETE directory permanent=1",
    request: ({ q }) => ({
      method: "DELETE",
      path: directoryPath("events"),
      query: { ...q, permanent: 1 },
    }),
    verify: ({ sim }, res) => {
      expect(res.status).toBe(204);
      expect(sim.exists(L, S, "events")).toBe(false);
      expect(sim.recycleBin(L, S)).toEqual([]);
    },
  },
  {
    source: "§3 (SDK directory_only, off)",
    name: "DELETE directory directory_only=0",
    request: ({ q }) => ({
      method: "DELETE",
      path: directoryPath("users"),
      query: { ...q, directory_only: 0 },
    }),
    verify: ({ sim }, res) => {
      expect(res.status).toBe(200);
      expect(sim.exists(L, S, "users/u1/photos")).toBe(false);
    },
  },
  {
    source: "§3 (delete file)",
    name: "DELETE /api/v1/file/{L}/{S}/{FilePath}",
    request: ({ q }) => ({
      method: "DELETE",
      path: `/api/v1/file/${L}/${S}/events/2024-01-party/a.jpg`,
      query: q,
    }),
    verify: ({ sim }, res) => {
      expect(res.status).toBe(200);
      expect(sim.exists(L, S, "events/2024-01-party/a.jpg")).toBe(false);
      expect(sim.findRecycled(L, S, "events/2024-01-party/a.jpg")[0]?.type).toBe("image");
    },
  },
  {
    source: "§4 (marker mode, every documented parameter)",
    name: "GET directory list",
    request: ({ q }) => ({
      method: "GET",
      path: directoryPath("events"),
      query: {
        ...q,
        limit: 1,
        order_by: "creationTime",
        order_by_type: "desc",
        filter: "onlyDir",
        sort_type: "union",
        with_inode: 1,
        with_favorite_status: 0,
      },
    }),
    verify: (_s, res) => {
      expect(res.status).toBe(200);
      expect(res.body.contents.map((entry: { name: string }) => entry.name)).toEqual([
        "2024-02-launch",
      ]);
      expect(res.body.nextMarker).toEqual(expect.any(String));
    },
  },
  {
    source: "§4 (page mode)",
    name: "GET directory list page/page_size",
    request: ({ q }) => ({
      method: "GET",
      path: directoryPath("events"),
      query: { ...q, page: 1, page_size: 10, "by-page": 1 },
    }),
    verify: (_s, res) => {
      expect(res.status).toBe(200);
      expect(res.body.totalNum).toBe(2);
    },
  },
  {
    source: "§4 related",
    name: "HEAD directory",
    request: ({ q }) => ({ method: "HEAD", path: directoryPath("events"), query: q }),
    verify: (_s, res) => expect(res.status).toBe(200),
  },
  {
    source: "§4 related",
    name: "GET directory ?info=1",
    request: ({ q }) => ({
      method: "GET",
      path: directoryPath("events/2024-01-party"),
      query: { ...q, info: 1 },
    }),
    verify: (_s, res) => {
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ type: "dir", fileCount: 2 });
    },
  },
  {
    source: "docs/simulator.md directory.create",
    name: "PUT directory (create)",
    request: ({ q }) => ({
      method: "PUT",
      path: directoryPath("new/child"),
      query: { ...q, conflict_resolution_strategy: "ask" },
    }),
    verify: ({ sim }, res) => {
      expect(res.status).toBe(201);
      expect(sim.exists(L, S, "new/child")).toBe(true);
    },
  },
  {
    source: "§5.1",
    name: "GET recycle bin list",
    request: async (s) => {
      await s.recycle("events");
      return {
        method: "GET",
        path: BIN,
        query: { ...s.q, order_by: "removalTime", order_by_type: "desc", limit: 10 },
      };
    },
    verify: (_s, res) => {
      expect(res.status).toBe(200);
      expect(res.body.contents[0].originalPath).toEqual(["events"]);
    },
  },
  {
    source: "§5.2",
    name: "GET recycled item ?info",
    request: async (s) => ({
      method: "GET",
      path: `${BIN}/${await s.recycle("events")}`,
      query: { ...s.q, info: 1 },
    }),
    verify: (_s, res) => {
      expect(res.status).toBe(200);
      expect(res.body.originalPath).toEqual(["events"]);
    },
  },
  {
    source: "§5.3",
    name: "POST recycled item ?restore",
    request: async (s) => ({
      method: "POST",
      path: `${BIN}/${await s.recycle("events")}`,
      query: {
        ...s.q,
        restore: true,
        conflict_resolution_strategy: "ask",
        restore_path_strategy: "originalPath",
      },
    }),
    verify: ({ sim }, res) => {
      expect([res.status, res.body]).toEqual([200, { path: ["events"] }]);
      expect(sim.exists(L, S, "events/2024-01-party/a.jpg")).toBe(true);
    },
  },
  {
    source: "§5.4",
    name: "POST recycle bin ?restore (batch)",
    request: async (s) => ({
      method: "POST",
      path: BIN,
      query: { ...s.q, restore: 1 },
      body: [await s.recycle("events"), await s.recycle("users")],
    }),
    verify: ({ sim }, res) => {
      expect(res.status).toBe(200);
      expect(sim.exists(L, S, "events")).toBe(true);
      expect(sim.exists(L, S, "users")).toBe(true);
    },
  },
  {
    source: "§5.5",
    name: "DELETE recycled item (purge)",
    request: async (s) => ({
      method: "DELETE",
      path: `${BIN}/${await s.recycle("events")}`,
      query: s.q,
    }),
    verify: ({ sim }, res) => {
      expect(res.status).toBe(204);
      expect(sim.recycleBin(L, S)).toEqual([]);
    },
  },
  {
    source: "§5.6",
    name: "POST recycle bin ?delete (batch purge)",
    request: async (s) => ({
      method: "POST",
      path: BIN,
      query: { ...s.q, delete: true },
      body: [await s.recycle("events")],
    }),
    verify: ({ sim }, res) => {
      expect(res.status).toBe(204);
      expect(sim.recycleBin(L, S)).toEqual([]);
    },
  },
  {
    source: "§5.7",
    name: "DELETE recycle bin (empty)",
    request: async (s) => {
      await s.recycle("events");
      return { method: "DELETE", path: BIN, query: s.q };
    },
    verify: ({ sim }, res) => {
      expect(res.status).toBe(204);
      expect(sim.recycleBin(L, S)).toEqual([]);
    },
  },
  {
    source: "§5.8",
    name: "POST recycle bin ?lifecycle",
    request: ({ q }) => ({
      method: "POST",
      path: BIN,
      query: { ...q, lifecycle: 1 },
      body: { retentionDays: 10 },
    }),
    verify: ({ sim }, res) => {
      expect(res.status).toBe(204);
      const space = sim.libraries()[0]?.spaces.find((entry) => entry.spaceId === S);
      expect(space).toMatchObject({ retentionDays: 10 });
    },
  },
  {
    source: "§6.1",
    name: "POST /api/v1/batch ?delete",
    request: ({ q }) => ({
      method: "POST",
      path: `/api/v1/batch/${L}/${S}`,
      query: { ...q, delete: true },
      body: [{ path: "events" }, { path: "users", permanent: true }],
    }),
    verify: ({ sim }, res) => {
      expect(res.status).toBe(200);
      expect(sim.exists(L, S, "events")).toBe(false);
      expect(sim.exists(L, S, "users")).toBe(false);
    },
  },
  {
    source: "§6.2",
    name: "GET /api/v1/task/{L}/{S}/{TaskIdList}",
    request: async (s) => ({
      method: "GET",
      path: `/api/v1/task/${L}/${S}/${await startTask(s)}`,
      query: s.q,
    }),
    verify: (_s, res) => {
      expect(res.status).toBe(200);
      expect(res.body[0]).toMatchObject({ taskId: expect.any(Number) });
    },
  },
  {
    source: "§6.3 (library-level V1)",
    name: "GET /api/v1/task/{L}/{TaskIdList}",
    request: async (s) => ({
      method: "GET",
      path: `/api/v1/task/${L}/${await startTask(s)}`,
      query: s.q,
    }),
    verify: (_s, res) => expect(res.status).toBe(200),
  },
  {
    source: "§8",
    name: "POST /api/v1/space/{L} (create, album space)",
    request: ({ q }) => ({
      method: "POST",
      path: `/api/v1/space/${L}`,
      query: q,
      body: { isMultiAlbum: true },
    }),
    verify: ({ sim }, res) => {
      expect(res.status).toBe(201);
      const created = sim.libraries()[0]?.spaces.find((s) => s.spaceId === res.body.spaceId);
      expect(created).toMatchObject({ kind: "albums" });
    },
  },
  {
    source: "§8",
    name: "GET /api/v1/space/{L}/list",
    request: ({ q }) => ({ method: "GET", path: `/api/v1/space/${L}/list`, query: q }),
    verify: (_s, res) => {
      expect(res.status).toBe(200);
      expect(res.body.list.length).toBeGreaterThan(0);
    },
  },
  {
    source: "§8",
    name: "DELETE /api/v1/space/{L}/{S}",
    request: async ({ sim, q }) => {
      const created = await call(sim, "POST", `/api/v1/space/${L}`, { query: q });
      return { method: "DELETE", path: `/api/v1/space/${L}/${created.body.spaceId}`, query: q };
    },
    verify: (_s, res) => expect(res.status).toBe(204),
  },
];

/** Starts a batch delete above the async threshold and returns its task id. */
async function startTask({ sim, q }: Session): Promise<number> {
  sim.setFaults(L, { asyncBatchThreshold: 0 });
  const res = await call(sim, "POST", `/api/v1/batch/${L}/${S}`, {
    query: { ...q, delete: true },
    body: [{ path: "users" }],
  });
  expect(res.status).toBe(202);
  return res.body.taskId as number;
}

const REFUSED: Operation[] = [
  {
    source: "issue 15: copy",
    name: 'PUT directory with body {"copyFrom": src}',
    request: ({ q }) => ({
      method: "PUT",
      path: directoryPath("copy-of-events"),
      query: q,
      body: { copyFrom: "events" },
    }),
  },
  {
    source: "issue 15: move",
    name: 'PUT directory with body {"from": src}',
    request: ({ q }) => ({
      method: "PUT",
      path: directoryPath("moved-events"),
      query: q,
      body: { from: "events" },
    }),
  },
  {
    source: "issue 15: calibrate",
    name: "PUT directory ?calibrate=1 on a missing path",
    request: ({ q }) => ({
      method: "PUT",
      path: directoryPath("not-there"),
      query: { ...q, calibrate: 1 },
    }),
  },
  {
    source: "issue 15: stats",
    name: "GET directory ?stats=1",
    request: ({ q }) => ({
      method: "GET",
      path: directoryPath("events"),
      query: { ...q, stats: 1 },
    }),
  },
  {
    source: "SDK CreateDirectoryRequest",
    name: "PUT directory with body {labels, metaData}",
    request: ({ q }) => ({
      method: "PUT",
      path: directoryPath("labelled"),
      query: q,
      body: { labels: ["x"], metaData: { "x-smh-meta-a": "1" } },
    }),
  },
  {
    source: "§3 (SDK directory_only)",
    name: "DELETE directory directory_only=1",
    request: ({ q }) => ({
      method: "DELETE",
      path: directoryPath("events"),
      query: { ...q, directory_only: 1 },
    }),
  },
  {
    source: "§4 (with_favorite_status=1)",
    name: "GET directory list with favourite status",
    request: ({ q }) => ({
      method: "GET",
      path: directoryPath("events"),
      query: { ...q, with_favorite_status: 1 },
    }),
  },
  {
    source: "§4 (SDK prefix)",
    name: "GET directory list ?prefix",
    request: ({ q }) => ({
      method: "GET",
      path: directoryPath("events"),
      query: { ...q, order_by: "name", prefix: "2024-01" },
    }),
  },
  {
    source: "§4 (SDK start_name)",
    name: "GET directory list ?start_name",
    request: ({ q }) => ({
      method: "GET",
      path: directoryPath("events"),
      query: { ...q, order_by: "name", start_name: "2024-01-party" },
    }),
  },
  {
    source: "§4 (library secret instead of a token)",
    name: "GET directory list ?library_secret",
    request: () => ({
      method: "GET",
      path: directoryPath("events"),
      query: { library_secret: LIBRARY_SECRET },
    }),
  },
  {
    source: "§6.3",
    name: "GET /api/v1/task-result/{L}/{S}/{TaskId} (V2)",
    request: ({ q }) => ({ method: "GET", path: `/api/v1/task-result/${L}/${S}/1`, query: q }),
  },
  {
    source: "§6.3 (library-level V2)",
    name: "GET /api/v1/task-result/{L}/{TaskId}",
    request: ({ q }) => ({ method: "GET", path: `/api/v1/task-result/${L}/1`, query: q }),
  },
  {
    source: "§6.1 (SDK directory_only per item)",
    name: "POST batch delete with an item key the simulator lacks",
    request: ({ q }) => ({
      method: "POST",
      path: `/api/v1/batch/${L}/${S}`,
      query: { ...q, delete: true },
      body: [{ path: "events", directory_only: true }],
    }),
  },
  {
    source: "SDK batch move",
    name: "POST /api/v1/batch ?move",
    request: ({ q }) => ({
      method: "POST",
      path: `/api/v1/batch/${L}/${S}`,
      query: { ...q, move: true },
      body: [{ from: "events", to: "moved" }],
    }),
  },
  {
    source: "§5 (two operation flags)",
    name: "POST recycle bin ?restore&delete",
    request: async (s) => ({
      method: "POST",
      path: BIN,
      query: { ...s.q, restore: true, delete: true },
      body: [await s.recycle("events")],
    }),
  },
  {
    source: "§5.8",
    name: "POST ?lifecycle with a body key the simulator lacks",
    request: ({ q }) => ({
      method: "POST",
      path: BIN,
      query: { ...q, lifecycle: 1 },
      body: { retentionDays: 10, autoPurge: false },
    }),
  },
  {
    source: "§8 (SDK CreateSpaceRequest)",
    name: "POST space with isPublicRead",
    request: ({ q }) => ({
      method: "POST",
      path: `/api/v1/space/${L}`,
      query: q,
      body: { isPublicRead: true },
    }),
  },
  {
    source: "SDK simple upload",
    name: "PUT /api/v1/file/{L}/{S}/{FilePath} (begin upload)",
    request: ({ q }) => ({
      method: "PUT",
      path: `/api/v1/file/${L}/${S}/events/new.jpg`,
      query: { ...q, conflict_resolution_strategy: "rename", filesize: 10 },
    }),
  },
  {
    source: "SDK confirm upload",
    name: "POST /api/v1/file/{L}/{S}/{ConfirmKey}?confirm",
    request: ({ q }) => ({
      method: "POST",
      path: `/api/v1/file/${L}/${S}/somekey`,
      query: { ...q, confirm: 1 },
      body: {},
    }),
  },
  {
    source: "another method on a known path",
    name: "PATCH directory",
    request: ({ q }) => ({ method: "PATCH", path: directoryPath("events"), query: q, body: {} }),
  },
  {
    source: "a raw body on a bodyless route",
    name: "PUT directory with file content",
    request: ({ q }) => ({
      method: "PUT",
      path: directoryPath("upload.bin"),
      query: q,
      body: "raw bytes",
    }),
  },
];

describe("every documented operation is implemented, or refused as not supported", () => {
  for (const operation of IMPLEMENTED) {
    it(`implements ${operation.name} (${operation.source})`, async () => {
      const session = await open();
      const answer = await send(session, await operation.request(session));
      await operation.verify(session, answer);
    });
  }

  for (const operation of REFUSED) {
    it(`refuses ${operation.name} (${operation.source}) with 400 NotSupportedBySimulator, changing nothing`, async () => {
      const session = await open();
      const request = await operation.request(session);
      const truth = state(session.sim);
      const tokens = session.sim.tokens();
      const answer = await send(session, request);
      expect([answer.status, answer.body?.code]).toEqual([400, "NotSupportedBySimulator"]);
      expect(answer.body.message).toMatch(/not (support|implement)/);
      expect(state(session.sim)).toEqual(truth);
      expect(session.sim.tokens()).toEqual(tokens);
      expect(session.sim.stats().byRoute.unsupported).toEqual({ "400": 1 });
    });
  }

  it("refuses before any fault is drawn: even a library failing every request answers the refusal", async () => {
    const session = await open();
    session.sim.setFaults(L, { error500Ratio: 1, rateLimitPerSecond: 0.001, rateLimitBurst: 1 });
    const answer = await send(session, {
      method: "PUT",
      path: directoryPath("events"),
      query: { ...session.q, calibrate: 1 },
    });
    expect([answer.status, answer.body.code]).toEqual([400, "NotSupportedBySimulator"]);
  });

  it("never echoes a query value or a token in the refusal", async () => {
    const session = await open();
    const answer = await send(session, {
      method: "GET",
      path: directoryPath("events"),
      query: { ...session.q, library_secret: LIBRARY_SECRET },
    });
    expect(answer.status).toBe(400);
    expect(answer.text).not.toContain(LIBRARY_SECRET);
    expect(answer.text).not.toContain(session.token);
    const tokenPath = await send(session, {
      method: "PUT",
      path: `/api/v1/token/${L}/${session.token}`,
    });
    expect(tokenPath.body.code).toBe("NotSupportedBySimulator");
    expect(tokenPath.text).not.toContain(session.token);
  });

  it("answers a path outside /api/ (a wrong base URL) 404 RouteNotFound, as SMH does", async () => {
    const session = await open();
    const answer = await send(session, {
      method: "DELETE",
      path: `/smh${directoryPath("events")}`,
      query: session.q,
    });
    expect([answer.status, answer.body.code]).toEqual([404, "RouteNotFound"]);
    expect(session.sim.exists(L, S, "events")).toBe(true);
  });
});
