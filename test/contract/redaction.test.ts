import { createHash } from "node:crypto";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Simulator } from "../../lib/sim/simulator.ts";
import type { SmhClientOptions } from "../../lib/smh/options.ts";
import {
  allPages,
  type ContractClient,
  contractClient,
  revokeEveryMintedToken,
} from "./helpers/client.ts";
import { LoopbackRelay } from "./helpers/relay.ts";
import {
  LIB,
  resetSimulator,
  SECRET,
  SINGLE,
  SINGLE_SECRET,
  SPACE,
  startContractSimulator,
  unique,
} from "./helpers/simulator.ts";

/**
 * The redaction scan: every failure kind the contract tests know is driven through a loopback
 * relay, which records every access token and library secret that crosses the wire. Then
 * everything the client produced (errors in every printable form, their causes, per-item errors
 * inside results, and every event) is searched for any of them.
 */

let sim: Simulator;
let relay: LoopbackRelay;
const clients: ContractClient[] = [];
/** What each scenario ended with: an error, or a result (which may hold per-item errors). */
const outcomes = new Map<string, unknown>();
/** Secrets that never crossed the relay but must not leak either. */
const extraSecrets = new Set<string>([SECRET, SINGLE_SECRET, "wrong-secret-4f1a9e77c2"]);

function client(overrides: Partial<SmhClientOptions> = {}) {
  const contract = contractClient(relay, overrides);
  clients.push(contract);
  return contract;
}

function someDirectory(): string {
  const path = unique("leak");
  sim.createDirectory(LIB, SPACE, `${path}/child`);
  return path;
}

async function recycled(): Promise<number> {
  const result = await client().client.deleteDirectory({
    libraryId: LIB,
    spaceId: SPACE,
    path: someDirectory(),
  });
  return result.outcome === "recycled" ? result.recycledItemId : -1;
}

/** Runs a scenario, keeping whatever it ended with; faults and rewrites are undone after it. */
async function scenario(name: string, run: () => Promise<unknown>): Promise<void> {
  try {
    outcomes.set(name, await run());
  } catch (error) {
    outcomes.set(name, error);
  } finally {
    relay.rewrite = undefined;
    resetSimulator(sim);
  }
}

const ref = { libraryId: LIB, spaceId: SPACE };

beforeAll(async () => {
  sim = await startContractSimulator();
  relay = await LoopbackRelay.start(sim.url);

  await scenario("notFound", () => client().client.deleteDirectory({ ...ref, path: "absent" }));
  await scenario("invalidTokenReminted", async () => {
    const { client: c } = client();
    await c.deleteDirectory({ ...ref, path: someDirectory() });
    sim.invalidateTokens(LIB);
    return c.deleteDirectory({ ...ref, path: someDirectory() });
  });
  await scenario("authRefusedTwice", () => {
    const contract = client();
    revokeEveryMintedToken(sim, contract);
    return contract.client.deleteDirectory({ ...ref, path: someDirectory() });
  });
  await scenario("headRefusedTwice", () => {
    const contract = client();
    revokeEveryMintedToken(sim, contract);
    return contract.client.directoryExists({ ...ref, path: someDirectory() });
  });
  await scenario("emptyAccessToken", () => {
    relay.rewrite = (url) => {
      url.searchParams.delete("access_token");
      return url;
    };
    return client()
      .client.listDirectory({ ...ref })
      .next();
  });
  await scenario("tokenNotForSpace", () =>
    client().client.deleteDirectory({ libraryId: LIB, spaceId: "-", path: "x" }),
  );
  await scenario("noPermission", async () => {
    const id = await recycled();
    const weak = sim.issueToken(LIB, { grants: ["delete_directory"], spaceIds: [SPACE] });
    extraSecrets.add(weak);
    relay.rewrite = (url) => {
      if (url.searchParams.has("access_token")) url.searchParams.set("access_token", weak);
      return url;
    };
    return client().client.restoreRecycledItem({ ...ref, recycledItemId: id });
  });
  await scenario("spaceNotFound", () =>
    client().client.deleteDirectory({ libraryId: LIB, spaceId: "spacenosuch0001", path: "x" }),
  );
  await scenario("wrongSecret", () =>
    client({
      libraries: [{ libraryId: LIB, librarySecret: "wrong-secret-4f1a9e77c2", baseUrl: relay.url }],
    }).client.deleteDirectory({ ...ref, path: "x" }),
  );
  await scenario("libraryNotFound", () => {
    relay.rewrite = (url) => {
      url.pathname = url.pathname.replace(`/${LIB}/`, "/smhnosuchlibrary/");
      return url;
    };
    return client().client.deleteDirectory({ ...ref, path: "x" });
  });
  await scenario("recycleBinNotEnabled", () =>
    allPages(client().client.listRecycleBin({ libraryId: SINGLE, spaceId: "-" })),
  );
  await scenario("recycledItemNotFound", () =>
    client().client.purgeRecycledItem({ ...ref, recycledItemId: 31_337 }),
  );
  await scenario("nameConflict", async () => {
    const path = someDirectory();
    const { client: c } = client();
    const deleted = await c.deleteDirectory({ ...ref, path });
    sim.createDirectory(LIB, SPACE, path);
    return c.restoreRecycledItem({
      ...ref,
      recycledItemId: deleted.outcome === "recycled" ? deleted.recycledItemId : -1,
    });
  });
  await scenario("pathConflictExhausted", () => {
    sim.setFaults(LIB, { pathConflictRatio: 1, routes: ["directory.delete"] });
    return client({ retry: { limit: 1, baseDelayMs: 1 } }).client.deleteDirectory({
      ...ref,
      path: someDirectory(),
    });
  });
  await scenario("throttledTooLong", async () => {
    sim.setFaults(LIB, {
      rateLimitPerSecond: 0.001,
      rateLimitBurst: 1,
      retryAfterSeconds: 60,
      routes: ["directory.list"],
    });
    const { client: c } = client();
    await c.listDirectory({ ...ref }).next();
    return c.listDirectory({ ...ref }).next();
  });
  await scenario("serverErrors", () => {
    sim.setFaults(LIB, { error503Ratio: 1, routes: ["directory.delete"] });
    return client({ retry: { limit: 1, baseDelayMs: 1 } }).client.deleteDirectory({
      ...ref,
      path: someDirectory(),
    });
  });
  await scenario("batch500", () => {
    sim.setFaults(LIB, { error500Ratio: 1, routes: ["batch.delete"] });
    return client().client.batchDelete({ ...ref, items: [{ path: someDirectory() }] });
  });
  await scenario("batchReset", () => {
    sim.setFaults(LIB, { resetRatio: 1, routes: ["batch.delete"] });
    return client().client.batchDelete({ ...ref, items: [{ path: someDirectory() }] });
  });
  await scenario("mintReset", () => {
    sim.setFaults(LIB, { resetRatio: 1, routes: ["token.create"] });
    return client({ retry: { limit: 1, baseDelayMs: 1 } }).client.deleteDirectory({
      ...ref,
      path: "x",
    });
  });
  await scenario("mint500", () => {
    sim.setFaults(LIB, { error500Ratio: 1, routes: ["token.create"] });
    return client({ retry: { limit: 1, baseDelayMs: 1 } }).client.deleteDirectory({
      ...ref,
      path: "x",
    });
  });
  await scenario("attemptTimeout", () => {
    sim.setFaults(LIB, {
      slowBodyRatio: 1,
      slowBodyChunkBytes: 2,
      slowBodyChunkDelayMs: 100,
      routes: ["directory.list"],
    });
    return client({ attemptTimeoutMs: 300, retry: { limit: 0 } })
      .client.listDirectory({ ...ref })
      .next();
  });
  await scenario("acceptThenFail", () => {
    sim.setFaults(LIB, { acceptThenFailRatio: 1, routes: ["directory.delete"] });
    return client({ retry: { limit: 1, baseDelayMs: 1 } }).client.deleteDirectory({
      ...ref,
      path: someDirectory(),
    });
  });
  await scenario("taskDeadline", async () => {
    sim.setFaults(LIB, { asyncBatchThreshold: 0, asyncTaskDelayMs: 2_000 });
    return client().client.batchDelete(
      { ...ref, items: [{ path: someDirectory() }] },
      { deadline: Date.now() + 200 },
    );
  });
  await scenario("deadlinePassed", () =>
    client().client.deleteDirectory({ ...ref, path: "x" }, { deadline: Date.now() - 1 }),
  );
  await scenario("staleMarker", () => {
    relay.rewrite = (url) => {
      if (url.searchParams.has("marker")) url.searchParams.set("marker", "c3RhbGU");
      return url;
    };
    const parent = unique("pages");
    for (const name of ["a", "b", "c"]) sim.createDirectory(LIB, SPACE, `${parent}/${name}`);
    return allPages(client().client.listDirectory({ ...ref, path: parent, pageSize: 1 }));
  });
  await scenario("batchItemFailures", () => {
    const file = `${unique("files")}/a.jpg`;
    sim.addFile(LIB, SPACE, file);
    return client().client.batchDelete({ ...ref, items: [{ path: file }, { path: "absent" }] });
  });
  await scenario("restoreItemFailures", () =>
    client().client.restoreRecycledItems({ ...ref, recycledItemIds: [31_338] }),
  );
  await scenario("invalidPath", () => client().client.deleteDirectory({ ...ref, path: "a/../.." }));
}, 30_000);

afterAll(async () => {
  await relay.close();
  await sim.close();
});

/** Every printable form of a value and, for errors, of every error it leads to. */
function printed(value: unknown, seen = new Set<unknown>()): string[] {
  if (value === null || typeof value !== "object" || seen.has(value)) return [String(value)];
  seen.add(value);
  const forms = [inspect(value, { depth: Infinity, showHidden: true, getters: true })];
  try {
    forms.push(JSON.stringify(value) ?? "");
  } catch {
    // Not serialisable: inspect covers it.
  }
  if (value instanceof Error) {
    forms.push(value.message, value.stack ?? "", String(value));
    if (value.cause !== undefined) forms.push(...printed(value.cause, seen));
  }
  for (const nested of Object.values(value)) {
    if (nested !== null && typeof nested === "object") forms.push(...printed(nested, seen));
  }
  return forms;
}

function secrets(): string[] {
  return [...relay.secrets, ...extraSecrets];
}

describe("the redaction scan", () => {
  it("drove every failure kind (the scan is not vacuous)", () => {
    const ended = Object.fromEntries(
      [...outcomes].map(([name, outcome]) => [
        name,
        outcome instanceof Error ? outcome.name : "result",
      ]),
    );
    expect(ended).toEqual({
      notFound: "SmhNotFoundError",
      invalidTokenReminted: "result",
      authRefusedTwice: "SmhAuthError",
      headRefusedTwice: "SmhPermissionError",
      emptyAccessToken: "SmhAuthError",
      tokenNotForSpace: "SmhPermissionError",
      noPermission: "SmhPermissionError",
      spaceNotFound: "SmhConfigurationError",
      wrongSecret: "SmhConfigurationError",
      libraryNotFound: "SmhConfigurationError",
      recycleBinNotEnabled: "SmhConfigurationError",
      recycledItemNotFound: "SmhNotFoundError",
      nameConflict: "SmhInvalidRequestError",
      pathConflictExhausted: "SmhRetryableError",
      throttledTooLong: "SmhRetryableError",
      serverErrors: "SmhRetryableError",
      batch500: "SmhRetryableError",
      batchReset: "SmhNetworkError",
      mintReset: "SmhNetworkError",
      mint500: "SmhRetryableError",
      attemptTimeout: "SmhTimeoutError",
      acceptThenFail: "SmhNotFoundError",
      taskDeadline: "SmhTimeoutError",
      deadlinePassed: "SmhTimeoutError",
      staleMarker: "SmhUnexpectedResponseError",
      batchItemFailures: "result",
      restoreItemFailures: "result",
      invalidPath: "InvalidPathError",
    });
    // The relay saw the library secret and a good number of distinct access tokens.
    expect(relay.secrets.has(SECRET)).toBe(true);
    expect([...relay.secrets].filter((value) => value.startsWith("acctk")).length).toBeGreaterThan(
      10,
    );
  });

  it("saw real tokens: every one the relay caught is in the simulator's (fingerprinted) log", () => {
    const fingerprints = new Set(sim.tokens().map((token) => token.fingerprint));
    for (const token of relay.secrets) {
      if (!token.startsWith("acctk")) continue;
      expect(fingerprints).toContain(createHash("sha256").update(token).digest("hex").slice(0, 12));
    }
  });

  it("finds no library secret or access token in any error: message, stack, JSON, inspect, causes", () => {
    for (const [name, outcome] of outcomes) {
      const text = printed(outcome).join("\n");
      for (const secret of secrets()) {
        expect(text.includes(secret), `${name} leaks a secret`).toBe(false);
        expect(text.includes(encodeURIComponent(secret)), `${name} leaks a secret`).toBe(false);
      }
    }
  });

  it("finds no library secret or access token in any event", () => {
    const events = clients.flatMap((contract) => contract.events);
    expect(events.length).toBeGreaterThan(50);
    const text = printed(events).join("\n");
    for (const secret of secrets()) expect(text.includes(secret)).toBe(false);
  });

  it("finds none in the simulator's inspection answers either", async () => {
    for (const route of ["tokens", "calls", "stats", "ground-truth", "libraries", "faults"]) {
      const response = await fetch(`${sim.url}/_sim/${route}`);
      const text = await response.text();
      expect(response.status).toBe(200);
      for (const secret of secrets()) expect(text.includes(secret), route).toBe(false);
    }
  });
});
