import { describe, expect, it } from "vitest";
import { SmhConfigurationError } from "../../lib/smh/errors/configuration-error.ts";
import { SmhInvalidRequestError } from "../../lib/smh/errors/invalid-request-error.ts";
import { SmhNotFoundError } from "../../lib/smh/errors/not-found-error.ts";
import type { DirectoryEntry } from "../../lib/smh/operations/list-directory.ts";
import { allPages, contractClient, rejectionOf } from "./helpers/client.ts";
import { useContractSimulator } from "./helpers/harness.ts";
import {
  ALBUMS,
  callsOf,
  createDirectories,
  grantSet,
  LIB,
  OTHER_SPACE,
  SINGLE,
  SPACE,
  unique,
} from "./helpers/simulator.ts";

const { sim, relay, newTokens } = await useContractSimulator({ relay: true });

function entriesOf(pages: ReadonlyArray<{ entries: readonly DirectoryEntry[] }>): DirectoryEntry[] {
  return pages.flatMap((page) => page.entries);
}

describe("listDirectory: marker paging", () => {
  it("starts at a marker from an earlier listing, as a scan continued in another invocation does", async () => {
    const parent = unique("resume");
    createDirectories(sim, parent, 250);
    const { client } = contractClient(sim);
    const request = { libraryId: LIB, spaceId: SPACE, path: parent, orderBy: "name" as const };

    const all = entriesOf(await allPages(client.listDirectory(request))).map((e) => e.path);
    const first = await client.listDirectory(request).next();
    if (first.done) throw new Error("no first page");
    const marker = first.value.nextMarker;
    expect(marker).toBeDefined();

    const rest = await allPages(client.listDirectory({ ...request, marker }));
    const resumed = [...first.value.entries, ...entriesOf(rest)].map((e) => e.path);
    expect(resumed).toEqual(all);
    expect(new Set(resumed).size).toBe(250);
  });

  it("reads a 10,000-entry directory completely and exactly once, 100 entries a page", async () => {
    const parent = unique("huge");
    const paths = createDirectories(sim, parent, 10_000);
    const { client } = contractClient(sim);

    const pages = await allPages(
      client.listDirectory({ libraryId: LIB, spaceId: SPACE, path: parent }),
    );

    const listed = entriesOf(pages).map((entry) => entry.path);
    expect(listed).toHaveLength(10_000);
    expect(new Set(listed)).toEqual(new Set(paths));
    expect(pages).toHaveLength(100);
    expect(pages.every((page) => page.entries.length === 100)).toBe(true);
    expect(pages.at(-1)?.nextMarker).toBeUndefined();
    expect(callsOf(sim, "directory.list")).toBe(100);
  });

  it("asks for filter=onlyDir and limit=100 on every page, following each nextMarker once", async () => {
    const parent = unique("wire");
    createDirectories(sim, parent, 250);
    const { client } = contractClient(relay);
    const before = relay.requests.length;

    const pages = await allPages(
      client.listDirectory({ libraryId: LIB, spaceId: SPACE, path: parent }),
    );

    const sent = relay.requests.slice(before).filter((request) => request.method === "GET");
    expect(sent).toHaveLength(3);
    for (const request of sent) {
      expect(request.query.get("filter")).toBe("onlyDir");
      expect(request.query.get("limit")).toBe("100");
    }
    expect(sent.map((request) => request.query.get("marker"))).toEqual([
      null,
      pages[0]?.nextMarker,
      pages[1]?.nextMarker,
    ]);
  });

  it("neither skips nor repeats entries when each page is deleted before the next is read", async () => {
    const parent = unique("sweep");
    const paths = createDirectories(sim, parent, 250);
    const { client } = contractClient(sim);
    const seen: string[] = [];

    for await (const page of client.listDirectory({
      libraryId: LIB,
      spaceId: SPACE,
      path: parent,
      pageSize: 40,
    })) {
      seen.push(...page.entries.map((entry) => entry.path));
      await client.batchDelete({
        libraryId: LIB,
        spaceId: SPACE,
        items: page.entries.map((entry) => ({ path: entry.path })),
      });
    }

    expect(seen.sort()).toEqual([...paths].sort());
    expect(sim.tree(LIB, SPACE, parent)?.children).toEqual([]);
  });

  it("lists directories only by default (filter=onlyDir), files only or both on request", async () => {
    const parent = unique("mixed");
    sim.createDirectory(LIB, SPACE, `${parent}/album`);
    sim.addFile(LIB, SPACE, `${parent}/a.jpg`, { contentType: "image/jpeg", size: 7 });
    const { client } = contractClient(sim);
    const list = async (filter?: "onlyDir" | "onlyFile" | "all") =>
      entriesOf(
        await allPages(
          client.listDirectory({ libraryId: LIB, spaceId: SPACE, path: parent, filter }),
        ),
      );

    expect(await list()).toMatchObject([{ name: "album", type: "dir", path: `${parent}/album` }]);
    expect(await list("onlyFile")).toMatchObject([{ name: "a.jpg", type: "image", size: "7" }]);
    expect((await list("all")).map((entry) => entry.name)).toEqual(["album", "a.jpg"]);
  });

  it("orders by creationTime or name, ascending or descending, as asked", async () => {
    const parent = unique("ordered");
    const created = {
      b: "2021-01-01T00:00:00.000Z",
      a: "2022-01-01T00:00:00.000Z",
      c: "2020-01-01T00:00:00.000Z",
    };
    for (const [name, creationTime] of Object.entries(created)) {
      sim.createDirectory(LIB, SPACE, `${parent}/${name}`, { creationTime });
    }
    const { client } = contractClient(sim);
    const names = async (
      orderBy: "creationTime" | "name",
      orderByType: "asc" | "desc",
    ): Promise<string[]> =>
      entriesOf(
        await allPages(
          client.listDirectory({
            libraryId: LIB,
            spaceId: SPACE,
            path: parent,
            orderBy,
            orderByType,
            pageSize: 2,
          }),
        ),
      ).map((entry) => entry.name);

    expect(await names("creationTime", "asc")).toEqual(["c", "b", "a"]);
    expect(await names("creationTime", "desc")).toEqual(["a", "b", "c"]);
    expect(await names("name", "desc")).toEqual(["c", "b", "a"]);
    const entries = entriesOf(
      await allPages(client.listDirectory({ libraryId: LIB, spaceId: SPACE, path: parent })),
    );
    expect(entries.find((entry) => entry.name === "c")?.creationTime).toBe(created.c);
  });

  it("never asks for more than 100 a page: a larger page size is refused before sending", async () => {
    const { client } = contractClient(sim);

    const error = await rejectionOf(
      allPages(client.listDirectory({ libraryId: LIB, spaceId: SPACE, pageSize: 101 })),
    );

    expect(error).toBeInstanceOf(SmhInvalidRequestError);
    expect(sim.stats().total).toBe(0);
  });

  it("works against a simulator that rejects (instead of clamping) a limit above 100", async () => {
    sim.setOptions({ listLimitOverflow: "reject" });
    const parent = unique("strict");
    createDirectories(sim, parent, 120);
    const { client } = contractClient(sim);

    const pages = await allPages(
      client.listDirectory({ libraryId: LIB, spaceId: SPACE, path: parent }),
    );

    expect(entriesOf(pages)).toHaveLength(120);
  });

  it("lists the space root for an empty path or '/'", async () => {
    const top = unique("top");
    sim.createDirectory(LIB, SPACE, top);
    const { client } = contractClient(sim);

    for (const path of ["", "/", undefined]) {
      const names = entriesOf(
        await allPages(client.listDirectory({ libraryId: LIB, spaceId: SPACE, path })),
      ).map((entry) => entry.path);
      expect(names).toContain(top);
    }
  });

  it("reports a missing directory as SmhNotFoundError, listing with a read-only token", async () => {
    const { client } = contractClient(sim);

    const error = await rejectionOf(
      allPages(client.listDirectory({ libraryId: LIB, spaceId: SPACE, path: unique("nowhere") })),
    );

    expect(error).toBeInstanceOf(SmhNotFoundError);
    expect(error).toMatchObject({ code: "DirectoryNotFound", attempts: 1 });
    expect(newTokens().map(grantSet)).toEqual([""]);
  });
});

describe("directoryInfo and directoryExists", () => {
  it("describes a directory: type, path, times and child counts", async () => {
    const path = `${unique("info")}/dir`;
    sim.createDirectory(LIB, SPACE, `${path}/sub`, { creationTime: "2023-03-03T00:00:00.000Z" });
    sim.addFile(LIB, SPACE, `${path}/a.txt`);
    const { client } = contractClient(sim);

    const { info, attempts } = await client.directoryInfo({ libraryId: LIB, spaceId: SPACE, path });

    expect(attempts).toBe(1);
    expect(info).toMatchObject({ type: "dir", path, fileCount: 1, subDirCount: 1 });
    expect(info.creationTime).toBe("2023-03-03T00:00:00.000Z");
  });

  it("reports a missing directory's info as SmhNotFoundError", async () => {
    const { client } = contractClient(sim);

    const error = await rejectionOf(
      client.directoryInfo({ libraryId: LIB, spaceId: SPACE, path: unique("missing") }),
    );

    expect(error).toBeInstanceOf(SmhNotFoundError);
  });

  it("tells whether a directory exists (HEAD 200 / 404) with a read-only token", async () => {
    const path = unique("there");
    sim.createDirectory(LIB, SPACE, path);
    const { client } = contractClient(sim);

    expect(await client.directoryExists({ libraryId: LIB, spaceId: SPACE, path })).toMatchObject({
      exists: true,
      attempts: 1,
    });
    expect(
      await client.directoryExists({ libraryId: LIB, spaceId: SPACE, path: `${path}/not-there` }),
    ).toMatchObject({ exists: false, attempts: 1 });
    expect(newTokens().map(grantSet)).toEqual([""]);
    expect(sim.stats().byRoute["directory.head"]).toEqual({ "200": 1, "404": 1 });
  });
});

describe("listSpaces", () => {
  it("lists every space of the library with a space_admin token when asked for all", async () => {
    const { client } = contractClient(sim);

    const pages = await allPages(client.listSpaces({ libraryId: LIB, all: true, pageSize: 1 }));

    expect(pages.flatMap((page) => page.spaces.map((space) => space.spaceId)).sort()).toEqual(
      [ALBUMS, SPACE, OTHER_SPACE].sort(),
    );
    expect(pages).toHaveLength(3);
    expect(newTokens()).toMatchObject([{ grants: ["space_admin"], spaceIds: null }]);
  });

  it("lists only the spaces of the token's user with a read-only token", async () => {
    const { client } = contractClient(sim);

    const pages = await allPages(client.listSpaces({ libraryId: LIB }, { userId: "bob" }));

    expect(pages.flatMap((page) => page.spaces)).toMatchObject([
      { spaceId: OTHER_SPACE, userId: "bob" },
    ]);
    expect(newTokens()).toMatchObject([{ grants: [], userId: "bob" }]);
  });

  it("reports listing the spaces of a single-tenant library as a configuration error", async () => {
    const { client } = contractClient(sim);

    const error = await rejectionOf(allPages(client.listSpaces({ libraryId: SINGLE })));

    expect(error).toBeInstanceOf(SmhConfigurationError);
    expect(error).toMatchObject({ status: 400, code: "NotMultiSpaceLibrary", attempts: 1 });
  });
});
