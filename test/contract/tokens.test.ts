import { describe, expect, it } from "vitest";
import { SmhAuthError } from "../../lib/smh/errors/auth-error.ts";
import type { SmhEvent } from "../../lib/smh/events.ts";
import { allPages, contractClient, rejectionOf, revokeEveryMintedToken } from "./helpers/client.ts";
import { useContractSimulator } from "./helpers/harness.ts";
import {
  createDirectories,
  grantSet,
  LIB,
  OTHER_SPACE,
  SPACE,
  unique,
} from "./helpers/simulator.ts";

const { sim, newTokens } = await useContractSimulator();

const SECOND = 1000;

function tokenEvents(events: SmhEvent[]) {
  return events.filter((event) => event.type === "tokenMinted" || event.type === "tokenRefreshed");
}

/** How many answers of `route` had `status`. */
function answered(route: string, status: number): number {
  return sim.stats().byRoute[route]?.[String(status)] ?? 0;
}

describe("no stampede: concurrent callers share one mint", () => {
  it("sends one token request per grant set for 40 concurrent first calls", async () => {
    const parent = unique("stampede");
    const paths = createDirectories(sim, parent, 20);
    const { client } = contractClient(sim);

    await Promise.all([
      ...paths.map((path) => client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path })),
      ...paths.map(() => client.directoryExists({ libraryId: LIB, spaceId: SPACE, path: parent })),
    ]);

    expect(newTokens().map(grantSet).sort()).toEqual(["", "delete_directory"]);
    expect(sim.stats().byRoute["token.create"]).toEqual({ "200": 2 });
  });

  it("mints one token per space, each bound to its own space", async () => {
    const mine = createDirectories(sim, unique("mine"), 5);
    const theirs = createDirectories(sim, unique("theirs"), 5, { spaceId: OTHER_SPACE });
    const { client } = contractClient(sim);

    await Promise.all([
      ...mine.map((path) => client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path })),
      ...theirs.map((path) =>
        client.deleteDirectory({ libraryId: LIB, spaceId: OTHER_SPACE, path }),
      ),
    ]);

    expect(
      newTokens()
        .map((token) => token.spaceIds)
        .sort(),
    ).toEqual([[SPACE], [OTHER_SPACE]].sort());
  });
});

describe("re-minting a token SMH refuses (403 InvalidAccessToken)", () => {
  it("mints once more and finishes every call when SMH invalidates all tokens mid-run", async () => {
    const before = createDirectories(sim, unique("before"), 5);
    const after = createDirectories(sim, unique("after"), 20);
    const { client, events } = contractClient(sim);
    for (const path of before)
      await client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path });

    expect(sim.invalidateTokens(LIB)).toBeGreaterThan(0);
    const results = await Promise.all(
      after.map((path) => client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path })),
    );

    expect(results.every((result) => result.outcome === "recycled")).toBe(true);
    expect(newTokens().map(grantSet)).toEqual(["delete_directory", "delete_directory"]);
    expect(tokenEvents(events).map((event) => event.type)).toEqual([
      "tokenMinted",
      "tokenRefreshed",
    ]);
    expect(tokenEvents(events)[1]).toMatchObject({ reason: "rejected" });
    // Every one of the 20 concurrent calls was refused once with the old token, then succeeded.
    expect(answered("directory.delete", 403)).toBe(20);
    expect(answered("directory.delete", 200)).toBe(25);
  });

  it("re-mints after the simulator's periodic token invalidation", async () => {
    sim.setFaults(LIB, { tokenInvalidationEveryMs: 60 * SECOND });
    const [first, second] = createDirectories(sim, unique("periodic"), 2);
    const { client } = contractClient(sim);
    await client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path: first as string });

    sim.advanceClock(61 * SECOND);
    const result = await client.deleteDirectory({
      libraryId: LIB,
      spaceId: SPACE,
      path: second as string,
    });

    expect(result).toMatchObject({ outcome: "recycled", attempts: 2 });
    expect(newTokens().map((token) => token.invalidationReason)).toEqual(["periodic", null]);
  });

  it("re-mints a token that expired on SMH's clock while the client thought it fresh", async () => {
    const [first, second] = createDirectories(sim, unique("idle"), 2);
    const { client } = contractClient(sim, { tokenPeriodSeconds: 600 });
    await client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path: first as string });

    // SMH's clock runs ahead of the client's (idle worker, clock skew): the token is expired there.
    sim.advanceClock(601 * SECOND);
    const result = await client.deleteDirectory({
      libraryId: LIB,
      spaceId: SPACE,
      path: second as string,
    });

    expect(result.outcome).toBe("recycled");
    expect(newTokens().map((token) => token.status)).toEqual(["expired", "active"]);
  });

  it("gives up with SmhAuthError after exactly one re-mint when SMH refuses every token", async () => {
    const path = unique("refused");
    sim.createDirectory(LIB, SPACE, path);
    const contract = contractClient(sim);
    revokeEveryMintedToken(sim, contract);

    const error = await rejectionOf(
      contract.client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path }),
    );

    expect(error).toBeInstanceOf(SmhAuthError);
    expect(error).toMatchObject({
      kind: "auth",
      status: 403,
      code: "InvalidAccessToken",
      attempts: 2,
      mayHaveApplied: false,
    });
    expect(newTokens()).toHaveLength(2);
    expect(sim.exists(LIB, SPACE, path)).toBe(true);
  });

  it("re-mints for a HEAD request too, although its 403 carries no error code", async () => {
    const path = unique("head");
    sim.createDirectory(LIB, SPACE, path);
    const { client } = contractClient(sim);
    await client.directoryExists({ libraryId: LIB, spaceId: SPACE, path });

    sim.invalidateTokens(LIB);
    const result = await client.directoryExists({ libraryId: LIB, spaceId: SPACE, path });

    expect(result).toMatchObject({ exists: true, attempts: 2 });
    expect(newTokens()).toHaveLength(2);
  });

  it("reports a HEAD that SMH refuses with every token as a permission error after one re-mint", async () => {
    const path = unique("head-refused");
    sim.createDirectory(LIB, SPACE, path);
    const contract = contractClient(sim);
    revokeEveryMintedToken(sim, contract);

    const error = await rejectionOf(
      contract.client.directoryExists({ libraryId: LIB, spaceId: SPACE, path }),
    );

    expect(error).toMatchObject({ kind: "permission", status: 403, code: undefined, attempts: 2 });
    expect(newTokens()).toHaveLength(2);
  });
});

describe("refreshing before expiry", () => {
  /**
   * A client on the simulator's clock with 10-minute tokens it refreshes a minute before they
   * expire, and `remove(path)`, its delete of one directory.
   */
  function refreshingClient() {
    const contract = contractClient(sim, {
      now: () => sim.now(),
      tokenPeriodSeconds: 600,
      tokenRefreshMarginSeconds: 60,
    });
    const remove = (path: string | undefined) =>
      contract.client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path: path as string });
    return { ...contract, remove };
  }

  it("replaces a token shortly before it expires, without SMH ever refusing it", async () => {
    const paths = createDirectories(sim, unique("refresh"), 3);
    const { events, remove } = refreshingClient();

    await remove(paths[0]);
    sim.advanceClock(500 * SECOND);
    await remove(paths[1]);
    sim.advanceClock(50 * SECOND);
    await remove(paths[2]);

    expect(newTokens()).toHaveLength(2);
    expect(tokenEvents(events).map((event) => event.type)).toEqual([
      "tokenMinted",
      "tokenRefreshed",
    ]);
    expect(tokenEvents(events)[1]).toMatchObject({ reason: "expiring", expiresInSeconds: 600 });
    expect(answered("directory.delete", 403)).toBe(0);
  });

  it("refreshes on its own schedule although SMH slides the expiry of a token in use", async () => {
    const paths = createDirectories(sim, unique("sliding"), 3);
    const { remove } = refreshingClient();

    await remove(paths[0]);
    sim.advanceClock(300 * SECOND);
    await remove(paths[1]);
    const [slid] = newTokens();
    // Each use pushed SMH's expiry to "last use + period", past the original minting + period.
    expect(Date.parse(slid?.expiresAt ?? "")).toBe(
      Date.parse(slid?.lastUsedAt ?? "") + 600 * SECOND,
    );
    expect(Date.parse(slid?.expiresAt ?? "")).toBeGreaterThan(
      Date.parse(slid?.mintedAt ?? "") + 600 * SECOND,
    );

    sim.advanceClock(300 * SECOND);
    await remove(paths[2]);

    const tokens = newTokens();
    expect(tokens).toHaveLength(2);
    // The old token was still alive on SMH (slid), yet replaced before its original expiry.
    expect(tokens[0]?.status).toBe("active");
    expect(answered("directory.delete", 403)).toBe(0);
  });

  it("keeps one cached token for a long run of calls within its lifetime", async () => {
    const parent = unique("cached");
    createDirectories(sim, parent, 30);
    const { client } = contractClient(sim);

    for (let i = 0; i < 5; i++) {
      await allPages(
        client.listDirectory({ libraryId: LIB, spaceId: SPACE, path: parent, pageSize: 10 }),
      );
    }

    expect(newTokens()).toHaveLength(1);
    expect(answered("directory.list", 200)).toBe(15);
  });
});
