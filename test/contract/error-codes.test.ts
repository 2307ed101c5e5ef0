import { describe, expect, it } from "vitest";
import { SmhAuthError } from "../../lib/smh/errors/auth-error.ts";
import { SmhConfigurationError } from "../../lib/smh/errors/configuration-error.ts";
import { SmhInvalidRequestError } from "../../lib/smh/errors/invalid-request-error.ts";
import { SmhNotFoundError } from "../../lib/smh/errors/not-found-error.ts";
import { SmhPermissionError } from "../../lib/smh/errors/permission-error.ts";
import { SmhRetryableError } from "../../lib/smh/errors/retryable-error.ts";
import { SmhError } from "../../lib/smh/errors/smh-error.ts";
import { SmhUnexpectedResponseError } from "../../lib/smh/errors/unexpected-response-error.ts";
import type { ConflictResolution } from "../../lib/smh/operations/restore.ts";
import {
  allPages,
  contractClient,
  faultForAttempts,
  rejectionOf,
  revokeEveryMintedToken,
  until,
} from "./helpers/client.ts";
import { useContractSimulator } from "./helpers/harness.ts";
import {
  callsOf,
  createDirectories,
  LIB,
  SECRET,
  SINGLE,
  SPACE,
  unique,
} from "./helpers/simulator.ts";

/**
 * Every documented error code the simulator can produce, driven through the real client, and the
 * error kind the caller sees. Codes that only a broken intermediary could cause (a dropped token,
 * a misrouted library) are staged with the loopback relay; everything else is plain client use.
 */

const { sim, relay, newTokens } = await useContractSimulator({ relay: true });

/** A directory to delete, created in the simulator. */
function someDirectory(): string {
  const path = unique("victim");
  sim.createDirectory(LIB, SPACE, path);
  return path;
}

describe("400: the request itself", () => {
  it("EmptyAccessToken (a proxy dropped the token) → SmhAuthError, not re-minted", async () => {
    relay.rewrite = (url) => {
      url.searchParams.delete("access_token");
      return url;
    };
    const { client } = contractClient(relay);
    const path = someDirectory();

    const error = await rejectionOf(
      client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path }),
    );

    expect(error).toBeInstanceOf(SmhAuthError);
    expect(error).toMatchObject({ status: 400, code: "EmptyAccessToken", attempts: 1 });
    expect(newTokens()).toHaveLength(1);
    expect(sim.exists(LIB, SPACE, path)).toBe(true);
  });

  it("RecycleBinNotEnabled (a library without a bin) → SmhConfigurationError", async () => {
    const { client } = contractClient(sim);

    const error = await rejectionOf(
      allPages(client.listRecycleBin({ libraryId: SINGLE, spaceId: "-" })),
    );

    expect(error).toBeInstanceOf(SmhConfigurationError);
    expect(error).toMatchObject({ status: 400, code: "RecycleBinNotEnabled", attempts: 1 });
  });

  it("InvalidConflictResolutionStrategy (a caller bypassing the types) → SmhInvalidRequestError", async () => {
    const direct = contractClient(sim).client;
    const path = someDirectory();
    const deleted = await direct.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path });
    const id = deleted.outcome === "recycled" ? deleted.recycledItemId : -1;

    const error = await rejectionOf(
      direct.restoreRecycledItem({
        libraryId: LIB,
        spaceId: SPACE,
        recycledItemId: id,
        conflictResolution: "merge" as ConflictResolution,
      }),
    );

    expect(error).toBeInstanceOf(SmhInvalidRequestError);
    expect(error).toMatchObject({ status: 400, code: "InvalidConflictResolutionStrategy" });
  });
});

describe("403: the token", () => {
  it("InvalidAccessToken → one re-mint, then success", async () => {
    const [first, second] = createDirectories(sim, unique("remint"), 2);
    const { client } = contractClient(sim);
    await client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path: first as string });
    sim.invalidateTokens(LIB);

    const result = await client.deleteDirectory({
      libraryId: LIB,
      spaceId: SPACE,
      path: second as string,
    });

    expect(result).toMatchObject({ outcome: "recycled", attempts: 2 });
    expect(newTokens()).toHaveLength(2);
  });

  it("InvalidAccessToken on every token → SmhAuthError after one re-mint", async () => {
    const contract = contractClient(sim);
    revokeEveryMintedToken(sim, contract);

    const error = await rejectionOf(
      contract.client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path: someDirectory() }),
    );

    expect(error).toBeInstanceOf(SmhAuthError);
    expect(error).toMatchObject({ status: 403, code: "InvalidAccessToken", attempts: 2 });
  });

  it("AccessTokenNotMatchSpace (a multi-tenant library addressed as '-') → SmhPermissionError", async () => {
    const { client } = contractClient(sim);

    const error = await rejectionOf(
      client.deleteDirectory({ libraryId: LIB, spaceId: "-", path: someDirectory() }),
    );

    expect(error).toBeInstanceOf(SmhPermissionError);
    expect(error).toMatchObject({ status: 403, code: "AccessTokenNotMatchSpace", attempts: 1 });
    expect(newTokens()).toHaveLength(1);
  });

  it("NoPermission (a restore sent with a token lacking restore_recycled) → SmhPermissionError", async () => {
    const direct = contractClient(sim).client;
    const path = someDirectory();
    const deleted = await direct.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path });
    const id = deleted.outcome === "recycled" ? deleted.recycledItemId : -1;
    // A token with every grant a delete needs, and not restore_recycled.
    const deleteOnly = sim.issueToken(LIB, {
      grants: ["delete_directory", "delete_directory_permanent"],
      spaceIds: [SPACE],
    });
    relay.rewrite = (url) => {
      if (url.searchParams.has("access_token")) url.searchParams.set("access_token", deleteOnly);
      return url;
    };
    const { client } = contractClient(relay);

    const error = await rejectionOf(
      client.restoreRecycledItem({ libraryId: LIB, spaceId: SPACE, recycledItemId: id }),
    );

    expect(error).toBeInstanceOf(SmhPermissionError);
    expect(error).toMatchObject({ status: 403, code: "NoPermission", attempts: 1 });
    // The client asked for restore_recycled and nothing else; the refusal was not re-minted.
    expect(newTokens().at(-1)?.grants).toEqual(["restore_recycled"]);
    expect(sim.findRecycled(LIB, SPACE, path)).toHaveLength(1);
  });
});

describe("404: configuration, or something that is not there", () => {
  it("LibraryNotFound (requests routed to a library SMH does not have) → SmhConfigurationError", async () => {
    relay.rewrite = (url) => {
      url.pathname = url.pathname.replace(`/${LIB}/`, "/smhnosuchlibrary/");
      return url;
    };
    const { client } = contractClient(relay);

    const error = await rejectionOf(
      client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path: someDirectory() }),
    );

    expect(error).toBeInstanceOf(SmhConfigurationError);
    expect(error).toMatchObject({ status: 404, code: "LibraryNotFound", attempts: 1 });
  });

  it("SpaceNotFound (an unknown space) → SmhConfigurationError, never 'already deleted'", async () => {
    const { client } = contractClient(sim);

    for (const [libraryId, spaceId] of [
      [LIB, "spacenosuch0001"],
      [SINGLE, "spacenosuch0001"],
    ] as const) {
      const error = await rejectionOf(
        client.deleteDirectory({ libraryId, spaceId, path: "events/2019" }),
      );
      expect(error).toBeInstanceOf(SmhConfigurationError);
      expect(error).toMatchObject({ status: 404, code: "SpaceNotFound" });
    }
  });

  it("WrongLibraryIdOrSecret (a wrong secret) → SmhConfigurationError, nothing deleted", async () => {
    const path = someDirectory();
    const { client } = contractClient(sim, {
      libraries: [{ libraryId: LIB, librarySecret: "not-the-secret", baseUrl: sim.url }],
    });

    const error = await rejectionOf(
      client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path }),
    );

    expect(error).toBeInstanceOf(SmhConfigurationError);
    expect(error).toMatchObject({
      status: 404,
      code: "WrongLibraryIdOrSecret",
      operation: "mintToken",
    });
    expect(callsOf(sim, "directory.delete")).toBe(0);
    expect(sim.exists(LIB, SPACE, path)).toBe(true);
  });

  it("RouteNotFound (a base URL with a wrong path) → SmhConfigurationError", async () => {
    const { client } = contractClient(sim, {
      libraries: [{ libraryId: LIB, librarySecret: SECRET, baseUrl: `${sim.url}/smh` }],
    });

    const error = await rejectionOf(
      client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path: "x" }),
    );

    expect(error).toBeInstanceOf(SmhConfigurationError);
    expect(error).toMatchObject({ status: 404, code: "RouteNotFound" });
  });

  for (const code of ["DirectoryNotFound", "PathNotFound"] as const) {
    it(`${code} (missingPathCode) → SmhNotFoundError`, async () => {
      sim.setOptions({ missingPathCode: code });
      const { client } = contractClient(sim);

      const error = await rejectionOf(
        client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path: unique("absent") }),
      );

      expect(error).toBeInstanceOf(SmhNotFoundError);
      expect(error).toMatchObject({ status: 404, code, attempts: 1 });
    });
  }

  it("RecycledItemNotFound (an id the bin does not hold) → SmhNotFoundError", async () => {
    const { client } = contractClient(sim);

    const error = await rejectionOf(
      client.restoreRecycledItem({ libraryId: LIB, spaceId: SPACE, recycledItemId: 777_777 }),
    );

    expect(error).toBeInstanceOf(SmhNotFoundError);
    expect(error).toMatchObject({ status: 404, code: "RecycledItemNotFound" });
  });

  it("MarkerNotFound (a stale marker) → not mistaken for a missing directory", async () => {
    const parent = unique("pages");
    createDirectories(sim, parent, 5);
    relay.rewrite = (url) => {
      if (url.searchParams.has("marker")) url.searchParams.set("marker", "c3RhbGU");
      return url;
    };
    const { client } = contractClient(relay);

    const error = await rejectionOf(
      allPages(client.listDirectory({ libraryId: LIB, spaceId: SPACE, path: parent, pageSize: 2 })),
    );

    expect(error).toBeInstanceOf(SmhUnexpectedResponseError);
    expect(error).not.toBeInstanceOf(SmhNotFoundError);
    expect(error).toMatchObject({ status: 404, code: "MarkerNotFound" });
  });
});

describe("409: conflicts", () => {
  it("SameNameDirectoryOrFileExists (restore with 'ask' onto a taken name) → SmhInvalidRequestError", async () => {
    const { client } = contractClient(sim);
    const path = someDirectory();
    const deleted = await client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path });
    sim.createDirectory(LIB, SPACE, path);

    const error = await rejectionOf(
      client.restoreRecycledItem({
        libraryId: LIB,
        spaceId: SPACE,
        recycledItemId: deleted.outcome === "recycled" ? deleted.recycledItemId : -1,
        conflictResolution: "ask",
      }),
    );

    expect(error).toBeInstanceOf(SmhInvalidRequestError);
    expect(error).toMatchObject({
      status: 409,
      code: "SameNameDirectoryOrFileExists",
      attempts: 1,
    });
  });

  it("PathConflict is retried, and the retry succeeds", async () => {
    const contract = contractClient(sim);
    faultForAttempts(sim, contract, {
      operation: "deleteDirectory",
      fault: { pathConflictRatio: 1, routes: ["directory.delete"] },
    });
    const path = someDirectory();

    const result = await contract.client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path });

    expect(result).toMatchObject({ outcome: "recycled", attempts: 2 });
    expect(sim.stats().byRoute["directory.delete"]).toEqual({ "409": 1, "200": 1 });
    expect(contract.events.filter((event) => event.type === "retry")).toMatchObject([
      { reason: "HTTP 409 PathConflict", attempt: 2 },
    ]);
  });

  it("PathConflict from a real clash (a task holding the path) → retryable, nothing applied", async () => {
    const { client } = contractClient(sim, { retry: { limit: 0 } });
    // Mint the delete token first, so the clash below is one request away.
    await client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path: someDirectory() });
    sim.setFaults(LIB, { asyncBatchThreshold: 0, asyncTaskDelayMs: 1_000 });
    const path = someDirectory();
    const worker = contractClient(sim).client;
    const running = worker.batchDelete({ libraryId: LIB, spaceId: SPACE, items: [{ path }] });
    await until(() => sim.inFlight(LIB, SPACE).includes(path));

    const error = await rejectionOf(
      client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path }),
    );
    await running;

    expect(error).toBeInstanceOf(SmhRetryableError);
    expect(error).toMatchObject({ status: 409, code: "PathConflict", mayHaveApplied: false });
    expect(sim.groundTruth().deletions.filter((d) => d.path.join("/") === path)).toMatchObject([
      { via: "task" },
    ]);
  });
});

describe("every error is an SmhError with a kind", () => {
  it("never lets a raw HTTP or fetch error escape", async () => {
    const { client } = contractClient(sim);

    const error = await rejectionOf(
      client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path: unique("absent") }),
    );

    expect(error).toBeInstanceOf(SmhError);
    expect((error as SmhError).kind).toBe("notFound");
  });
});
