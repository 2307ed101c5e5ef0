import { describe, expect, it } from "vitest";
import { SmhNotFoundError } from "../../lib/smh/errors/not-found-error.ts";
import { SmhErrorKind } from "../../lib/smh/errors/smh-error.ts";
import { InvalidPathError } from "../../lib/smh/paths.ts";
import { contractClient, rejectionOf, until } from "./helpers/client.ts";
import { useContractSimulator } from "./helpers/harness.ts";
import { callsOf, deletionsOf, grantSet, LIB, SINGLE, SPACE, unique } from "./helpers/simulator.ts";

const { sim, newTokens } = await useContractSimulator();

describe("deleteDirectory: 200 into the recycle bin", () => {
  it("moves the directory with its whole subtree to the bin and returns the id SMH recorded", async () => {
    const path = `${unique("events")}/2019-party`;
    sim.createDirectory(LIB, SPACE, path, { files: [{ name: "a.jpg", size: 10 }] });
    sim.createDirectory(LIB, SPACE, `${path}/raw`);
    const { client } = contractClient(sim);

    const result = await client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path });

    expect(result.outcome).toBe("recycled");
    const [applied] = deletionsOf(sim, path);
    expect(applied).toMatchObject({ permanent: false, type: "dir", via: "directory" });
    expect(result).toMatchObject({ recycledItemId: applied?.recycledItemId, attempts: 1 });
    expect(result.requestId).toMatch(/\S/);
    expect(sim.exists(LIB, SPACE, path)).toBe(false);
    const [item] = sim.findRecycled(LIB, SPACE, path);
    expect(item).toMatchObject({ recycledItemId: applied?.recycledItemId, type: "dir" });
    // One item for the directory; its file and subdirectory travel inside it.
    expect(item?.entries).toBe(2);
  });

  it("mints a token with delete_directory only, bound to the space", async () => {
    const path = unique();
    sim.createDirectory(LIB, SPACE, path);
    const { client } = contractClient(sim);

    await client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path });

    const tokens = newTokens();
    expect(tokens).toHaveLength(1);
    expect(tokens[0]).toMatchObject({ grants: ["delete_directory"], spaceIds: [SPACE] });
  });
});

describe("deleteDirectory: 204 deleted for good", () => {
  it("deletes permanently with permanent: true: nothing lands in the recycle bin", async () => {
    const path = unique();
    sim.createDirectory(LIB, SPACE, path);
    const { client } = contractClient(sim);

    const result = await client.deleteDirectory({
      libraryId: LIB,
      spaceId: SPACE,
      path,
      permanent: true,
    });

    expect(result).toMatchObject({ outcome: "deleted", attempts: 1 });
    expect(deletionsOf(sim, path)).toMatchObject([{ permanent: true, recycledItemId: null }]);
    expect(sim.findRecycled(LIB, SPACE, path)).toEqual([]);
  });

  it("asks for delete_directory_permanent only when the delete is permanent", async () => {
    const kept = unique();
    const gone = unique();
    sim.createDirectory(LIB, SPACE, kept);
    sim.createDirectory(LIB, SPACE, gone);
    const { client } = contractClient(sim);

    await client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path: kept });
    await client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path: gone, permanent: true });

    // delete_directory rides along on the permanent token: a library without a recycle bin checks
    // delete_directory even for permanent=1 (smh-api.md §3), and the client cannot know which it is.
    expect(newTokens().map(grantSet).sort()).toEqual([
      "delete_directory",
      "delete_directory,delete_directory_permanent",
    ]);
  });

  it("deletes for good in a library whose recycle bin is off, even without permanent", async () => {
    const path = unique("scratch");
    sim.createDirectory(SINGLE, "-", path);
    const { client } = contractClient(sim);

    const result = await client.deleteDirectory({ libraryId: SINGLE, spaceId: "-", path });

    expect(result.outcome).toBe("deleted");
    expect(deletionsOf(sim, path, SINGLE)).toMatchObject([{ permanent: true }]);
    // Single-tenant: the token is minted without space_id.
    expect(newTokens(SINGLE)).toMatchObject([{ spaceIds: null, grants: ["delete_directory"] }]);
  });
});

describe("deleteDirectory: 404 not found", () => {
  for (const code of ["DirectoryNotFound", "PathNotFound"] as const) {
    it(`reports a missing directory as SmhNotFoundError (${code}), sent once, nothing applied`, async () => {
      sim.setOptions({ missingPathCode: code });
      const { client } = contractClient(sim);
      const path = unique("never-created");

      const error = await rejectionOf(
        client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path }),
      );

      expect(error).toBeInstanceOf(SmhNotFoundError);
      expect(error).toMatchObject({
        kind: SmhErrorKind.notFound,
        status: 404,
        code,
        attempts: 1,
        mayHaveApplied: false,
      });
      expect(callsOf(sim, "directory.delete")).toBe(1);
    });
  }
});

describe("deleteDirectory: an unexpected 202 + task", () => {
  it("polls the task SMH started for a large tree and returns the recycledItemId it reports", async () => {
    sim.setOptions({ singleDeleteAsyncAboveEntries: 3 });
    sim.setFaults(LIB, { asyncTaskDelayMs: 30 });
    const path = unique("big");
    for (const child of ["a", "b", "c", "d"]) sim.createDirectory(LIB, SPACE, `${path}/${child}`);
    const { client } = contractClient(sim);

    const result = await client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path });

    const [applied] = deletionsOf(sim, path);
    expect(applied).toMatchObject({ via: "task", permanent: false });
    expect(result).toMatchObject({
      outcome: "recycled",
      recycledItemId: applied?.recycledItemId,
      taskId: sim.tasks(LIB).at(-1)?.id,
    });
    expect(callsOf(sim, "task.query")).toBeGreaterThanOrEqual(1);
  });

  it("reports a permanent delete done by a task as deleted (task item 204)", async () => {
    sim.setOptions({ singleDeleteAsyncAboveEntries: 1 });
    sim.setFaults(LIB, { asyncTaskDelayMs: 20 });
    const path = unique("big-permanent");
    for (const child of ["a", "b"]) sim.createDirectory(LIB, SPACE, `${path}/${child}`);
    const { client } = contractClient(sim);

    const result = await client.deleteDirectory({
      libraryId: LIB,
      spaceId: SPACE,
      path,
      permanent: true,
    });

    expect(result).toMatchObject({ outcome: "deleted", taskId: sim.tasks(LIB).at(-1)?.id });
    expect(deletionsOf(sim, path)).toMatchObject([{ via: "task", permanent: true }]);
  });

  it("reports the task's per-item 404 (parent deleted while it ran) as SmhNotFoundError with the task id", async () => {
    const { client } = contractClient(sim);
    const other = contractClient(sim).client;
    // The second worker has its token already: its delete is one request away.
    const warmup = unique("warmup");
    sim.createDirectory(LIB, SPACE, warmup);
    await other.batchDelete({ libraryId: LIB, spaceId: SPACE, items: [{ path: warmup }] });
    sim.setOptions({ singleDeleteAsyncAboveEntries: 1 });
    sim.setFaults(LIB, { asyncTaskDelayMs: 800 });
    const parent = unique("parent");
    const path = `${parent}/big`;
    for (const child of ["a", "b"]) sim.createDirectory(LIB, SPACE, `${path}/${child}`);

    const pending = rejectionOf(client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path }));
    // While the task runs, another worker deletes the parent (an ancestor is never locked).
    await until(() => sim.tasks(LIB).some((task) => task.status === 202));
    // (As a batch: a single delete of the parent would itself go asynchronous.)
    const parentDeleted = other.batchDelete({
      libraryId: LIB,
      spaceId: SPACE,
      items: [{ path: parent }],
    });
    const error = await pending;
    await parentDeleted;

    expect(error).toBeInstanceOf(SmhNotFoundError);
    expect(error).toMatchObject({ code: "DirectoryNotFound", taskId: sim.tasks(LIB).at(-1)?.id });
    expect(deletionsOf(sim, path)).toEqual([]);
    expect(deletionsOf(sim, parent)).toHaveLength(1);
  });
});

describe("deleteDirectory: paths that must never be sent", () => {
  for (const path of ["", "/", " // ", "a/../b", "./a", "a/./b", "a\u0000b", "a\ud800b"]) {
    it(`refuses ${JSON.stringify(path)} before any request (no token, no delete)`, async () => {
      const { client } = contractClient(sim);

      const error = await rejectionOf(
        client.deleteDirectory({ libraryId: LIB, spaceId: SPACE, path }),
      );

      expect(error).toBeInstanceOf(InvalidPathError);
      expect(sim.stats().total).toBe(0);
      expect(newTokens()).toHaveLength(0);
    });
  }
});
