import { describe, expect, it } from "vitest";
import { SmhInvalidRequestError } from "../../lib/smh/errors/invalid-request-error.ts";
import { SmhNotFoundError } from "../../lib/smh/errors/not-found-error.ts";
import { SmhPermissionError } from "../../lib/smh/errors/permission-error.ts";
import { InvalidPathError } from "../../lib/smh/paths.ts";
import { contractClient, rejectionOf } from "./helpers/client.ts";
import { useContractSimulator } from "./helpers/harness.ts";
import {
  callsOf,
  createDirectories,
  deletionsOf,
  grantSet,
  LIB,
  SPACE,
  unique,
} from "./helpers/simulator.ts";

const { sim, newTokens } = await useContractSimulator();

/** The recycled item id the simulator recorded for `path`, or null for a permanent deletion. */
function appliedId(path: string): number | null | undefined {
  return deletionsOf(sim, path)[0]?.recycledItemId;
}

describe("batchDelete: 200, every item done", () => {
  it("deletes every item in one request and reports each under its own path, in request order", async () => {
    const parent = unique("batch");
    const [a, b, c] = createDirectories(sim, parent, 3);
    const { client } = contractClient(sim);

    const result = await client.batchDelete({
      libraryId: LIB,
      spaceId: SPACE,
      items: [{ path: `/${c}/` }, { path: a as string }, { path: b as string, permanent: true }],
    });

    expect(result.items).toEqual([
      { path: c, permanent: false, outcome: "recycled", recycledItemId: appliedId(c as string) },
      { path: a, permanent: false, outcome: "recycled", recycledItemId: appliedId(a as string) },
      { path: b, permanent: true, outcome: "deleted" },
    ]);
    expect(result).toMatchObject({ taskId: undefined, attempts: 1 });
    expect(appliedId(b as string)).toBeNull();
    expect(callsOf(sim, "batch.delete")).toBe(1);
    expect(sim.groundTruth().deletions.filter((d) => d.via === "batch")).toHaveLength(3);
  });

  it("mints delete_directory only, adding delete_directory_permanent only when an item is permanent", async () => {
    const [a, b] = createDirectories(sim, unique("grants"), 2);
    const { client } = contractClient(sim);

    await client.batchDelete({ libraryId: LIB, spaceId: SPACE, items: [{ path: a as string }] });
    await client.batchDelete({
      libraryId: LIB,
      spaceId: SPACE,
      items: [{ path: b as string, permanent: true }],
    });

    expect(newTokens().map(grantSet)).toEqual([
      "delete_directory",
      "delete_directory,delete_directory_permanent",
    ]);
  });

  it("sends a path named twice once and reports it twice", async () => {
    const [a] = createDirectories(sim, unique("twice"), 1);
    const { client } = contractClient(sim);

    const result = await client.batchDelete({
      libraryId: LIB,
      spaceId: SPACE,
      items: [{ path: a as string }, { path: `${a}/` }],
    });

    const id = appliedId(a as string);
    expect(result.items.map((item) => item.outcome)).toEqual(["recycled", "recycled"]);
    expect(result.items).toMatchObject([{ recycledItemId: id }, { recycledItemId: id }]);
    expect(deletionsOf(sim, a as string)).toHaveLength(1);
  });
});

describe("batchDelete: 207, some items failed", () => {
  it("maps per-item failures back to their paths as typed errors, without retrying the batch", async () => {
    const parent = unique("mixed");
    const [first, last] = createDirectories(sim, parent, 2);
    const missing = `${parent}/never-created`;
    const file = `${parent}/photo.jpg`;
    sim.addFile(LIB, SPACE, file, { contentType: "image/jpeg" });
    const { client } = contractClient(sim);

    const result = await client.batchDelete({
      libraryId: LIB,
      spaceId: SPACE,
      items: [
        { path: first as string },
        { path: missing },
        { path: file },
        { path: last as string },
      ],
    });

    const [ok, notFound, forbidden, alsoOk] = result.items;
    expect(ok).toMatchObject({ outcome: "recycled", recycledItemId: appliedId(first as string) });
    expect(alsoOk).toMatchObject({
      outcome: "recycled",
      recycledItemId: appliedId(last as string),
    });
    expect(notFound).toMatchObject({ path: missing, outcome: "failed" });
    expect(notFound?.outcome === "failed" && notFound.error).toBeInstanceOf(SmhNotFoundError);
    expect(notFound?.outcome === "failed" && notFound.error).toMatchObject({
      status: 404,
      code: "DirectoryNotFound",
    });
    // A file needs delete_file, which a least-grant directory token does not carry.
    expect(forbidden).toMatchObject({ path: file, outcome: "failed" });
    expect(forbidden?.outcome === "failed" && forbidden.error).toBeInstanceOf(SmhPermissionError);
    expect(forbidden?.outcome === "failed" && forbidden.error).toMatchObject({
      status: 403,
      code: "NoPermission",
    });
    expect(sim.exists(LIB, SPACE, file)).toBe(true);
    expect(callsOf(sim, "batch.delete")).toBe(1);
  });

  it("reports PathNotFound items as not found when SMH uses that code", async () => {
    sim.setOptions({ missingPathCode: "PathNotFound" });
    const { client } = contractClient(sim);
    const path = unique("gone");

    const { items } = await client.batchDelete({
      libraryId: LIB,
      spaceId: SPACE,
      items: [{ path }],
    });

    expect(items[0]?.outcome === "failed" && items[0].error).toMatchObject({
      kind: "notFound",
      code: "PathNotFound",
    });
  });
});

describe("batchDelete: 202 + task", () => {
  it("follows a batch above SMH's async threshold to its task and reports every item from it", async () => {
    sim.setFaults(LIB, { asyncBatchThreshold: 5, asyncTaskDelayMs: 20 });
    const paths = createDirectories(sim, unique("async"), 8);
    const { client } = contractClient(sim);

    const result = await client.batchDelete({
      libraryId: LIB,
      spaceId: SPACE,
      items: paths.map((path) => ({ path })),
    });

    const task = sim.tasks(LIB).at(-1);
    expect(task).toMatchObject({ kind: "batchDelete", status: 200 });
    expect(result.taskId).toBe(task?.id);
    expect(result.items.map((item) => item.outcome)).toEqual(paths.map(() => "recycled"));
    expect(result.items.map((item) => item.outcome === "recycled" && item.recycledItemId)).toEqual(
      paths.map(appliedId),
    );
    expect(sim.groundTruth().deletions.filter((d) => d.via === "task")).toHaveLength(8);
    // Task polls use their own read-only token.
    expect(newTokens().map(grantSet).sort()).toEqual(["", "delete_directory"]);
  });

  it("sends exactly 1,000 items in one request", async () => {
    sim.setFaults(LIB, { asyncTaskDelayMs: 20 });
    const paths = createDirectories(sim, unique("thousand"), 1000);
    const { client } = contractClient(sim);

    const result = await client.batchDelete({
      libraryId: LIB,
      spaceId: SPACE,
      items: paths.map((path) => ({ path })),
    });

    expect(callsOf(sim, "batch.delete")).toBe(1);
    expect(result.items.filter((item) => item.outcome === "recycled")).toHaveLength(1000);
    expect(paths.some((path) => sim.exists(LIB, SPACE, path))).toBe(false);
  });
});

describe("batchDelete: refused before sending", () => {
  it("refuses more than 1,000 distinct items (TooManyItems) without minting or sending", async () => {
    const { client } = contractClient(sim);
    const items = Array.from({ length: 1001 }, (_, i) => ({ path: `many/${i}` }));

    const error = await rejectionOf(client.batchDelete({ libraryId: LIB, spaceId: SPACE, items }));

    expect(error).toBeInstanceOf(SmhInvalidRequestError);
    expect(error).toMatchObject({ kind: "invalid", code: "TooManyItems", attempts: 0 });
    expect(sim.stats().total).toBe(0);
    expect(newTokens()).toEqual([]);
  });

  it("refuses an empty batch (NoItemsProvided) without sending", async () => {
    const { client } = contractClient(sim);

    const error = await rejectionOf(
      client.batchDelete({ libraryId: LIB, spaceId: SPACE, items: [] }),
    );

    expect(error).toMatchObject({ kind: "invalid", code: "NoItemsProvided", attempts: 0 });
    expect(sim.stats().total).toBe(0);
  });

  it("refuses the whole batch when one path names the root or climbs out", async () => {
    const [kept] = createDirectories(sim, unique("poisoned"), 1);
    const { client } = contractClient(sim);

    const error = await rejectionOf(
      client.batchDelete({
        libraryId: LIB,
        spaceId: SPACE,
        items: [{ path: kept as string }, { path: `${kept}/../..` }],
      }),
    );

    expect(error).toBeInstanceOf(InvalidPathError);
    expect(sim.stats().total).toBe(0);
    expect(sim.exists(LIB, SPACE, kept as string)).toBe(true);
  });

  it("refuses one path asked both permanently and into the bin", async () => {
    const { client } = contractClient(sim);

    const error = await rejectionOf(
      client.batchDelete({
        libraryId: LIB,
        spaceId: SPACE,
        items: [{ path: "x" }, { path: "x", permanent: true }],
      }),
    );

    expect(error).toMatchObject({ kind: "invalid", code: "ParamInvalid", attempts: 0 });
    expect(sim.stats().total).toBe(0);
  });
});
