import { afterEach } from "vitest";
import type { SeedInput } from "../../../lib/sim/seeds/schema.ts";
import type { Simulator, SimulatorOptions } from "../../../lib/sim/simulator.ts";
import { startSimulator } from "../../../lib/sim/start.ts";

export const LIBRARY_ID = "smhtestlib";
export const LIBRARY_SECRET = "test-secret-multi-0123456789";
export const SPACE_ID = "spacetest01";
export const OTHER_SPACE_ID = "spacetest02";
export const ALBUM_SPACE_ID = "spacetestalbums";
export const SINGLE_ID = "smhtestsingle";
export const SINGLE_SECRET = "test-secret-single-9876543210";

/** A small seed: a multi-tenant library (bin on) with two file spaces and an album space, and a single-tenant library (bin off). */
export function testSeed(): SeedInput {
  return {
    libraries: [
      {
        id: LIBRARY_ID,
        secret: LIBRARY_SECRET,
        retentionDays: 30,
        spaces: [
          {
            id: SPACE_ID,
            userId: "alice",
            directories: [
              {
                path: "events/2024-01-party",
                creationTime: "2024-01-05T10:00:00.000Z",
                files: [
                  { name: "a.jpg", size: 1024, contentType: "image/jpeg" },
                  { name: "b.mp4", size: 4096, contentType: "video/mp4" },
                ],
              },
              { path: "events/2024-01-party/raw", creationTime: "2024-01-06T10:00:00.000Z" },
              { path: "events/2024-02-launch", creationTime: "2024-02-01T10:00:00.000Z" },
              { path: "users/u1/photos" },
            ],
          },
          { id: OTHER_SPACE_ID, userId: "bob", directories: [{ path: "other" }] },
          { id: ALBUM_SPACE_ID, kind: "albums", directories: [{ path: "Summer 2024" }] },
        ],
      },
      {
        id: SINGLE_ID,
        secret: SINGLE_SECRET,
        multiSpace: false,
        recycleBin: false,
        spaces: [{ id: "-", directories: [{ path: "projects/apollo" }] }],
      },
    ],
  };
}

/** Starts simulators that are closed after each test. */
export function useSimulators(): (options?: SimulatorOptions) => Promise<Simulator> {
  const running: Simulator[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((sim) => sim.close()));
  });
  return async (options = {}) => {
    const sim = await startSimulator({ seed: testSeed(), ...options });
    running.push(sim);
    return sim;
  };
}

/** A parsed HTTP answer. `body` is the parsed JSON, or null when there is none. */
export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers.
  readonly body: any;
}

/** Query values: `true` is a bare flag (`?restore`), undefined is left out. */
export type Query = Record<string, string | number | boolean | undefined>;

/** Builds `path?query` keeping bare flags bare. */
export function withQuery(path: string, query: Query = {}): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === false) continue;
    parts.push(value === true ? key : `${key}=${encodeURIComponent(String(value))}`);
  }
  return parts.length === 0 ? path : `${path}?${parts.join("&")}`;
}

/** Sends one request to the simulator. */
export async function call(
  sim: Simulator,
  method: string,
  path: string,
  options: { query?: Query; body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiResponse> {
  const init: RequestInit = { method, headers: { ...options.headers } };
  if (options.body !== undefined) {
    init.body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    (init.headers as Record<string, string>)["content-type"] = "application/json";
  }
  const res = await fetch(`${sim.url}${withQuery(path, options.query)}`, init);
  const text = await res.text();
  let body: unknown = null;
  if (text !== "") body = JSON.parse(text);
  return { status: res.status, headers: res.headers, text, body };
}

/** Mints a token through the API; defaults to an admin token of the test library. */
export async function mintToken(
  sim: Simulator,
  options: {
    libraryId?: string;
    secret?: string;
    grant?: string;
    spaceId?: string;
    userId?: string;
    period?: number;
  } = {},
): Promise<string> {
  const res = await call(sim, "GET", "/api/v1/token", {
    query: {
      library_id: options.libraryId ?? LIBRARY_ID,
      library_secret: options.secret ?? LIBRARY_SECRET,
      grant: options.grant ?? "admin",
      space_id: options.spaceId,
      user_id: options.userId,
      period: options.period,
    },
  });
  if (res.status !== 200) throw new Error(`token mint failed: ${res.status} ${res.text}`);
  return res.body.accessToken as string;
}

/**
 * `sim` with a token minted on it (an admin token of the test library unless `options` say
 * otherwise), and that token as the `access_token` query.
 */
export async function signIn(sim: Simulator, options?: Parameters<typeof mintToken>[1]) {
  const token = await mintToken(sim, options);
  return { sim, token, q: { access_token: token } };
}

/** `/api/v1/directory/{L}/{S}/{path}` with each segment encoded. */
export function directoryPath(path: string, spaceId = SPACE_ID, libraryId = LIBRARY_ID): string {
  const encoded = path
    .split("/")
    .filter((s) => s !== "")
    .map(encodeURIComponent)
    .join("/");
  return `/api/v1/directory/${libraryId}/${spaceId}/${encoded}`;
}

/** Waits until `check` is true (polling), failing after `timeoutMs`. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
