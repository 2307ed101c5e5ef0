// `plan` and `retention run` can list very large parents: they show a running count of the
// directories listed (on a terminal only), fed by observedSource, which hands every page on as is.
import { afterEach, describe, expect, it, vi } from "vitest";
import { startCounter } from "../../../lib/cli/progress.ts";
import {
  type DirectorySource,
  type ListingTarget,
  observedSource,
} from "../../../lib/retention/listing.ts";
import type { ListingPage } from "../../../lib/retention/plan.ts";

const target: ListingTarget = { libraryId: "lib1", spaceId: "-", parent: ["big"] };
const pagesOf = (count: number): ListingPage[] =>
  Array.from({ length: count }, (_, page) => ({
    entries: Array.from({ length: 100 }, (_, i) => ({
      path: ["big", `d${page * 100 + i}`],
      type: "dir",
      creationTime: "2020-01-01T00:00:00Z",
    })),
    nextMarker: page < count - 1 ? String(page + 1) : undefined,
  }));

function fakeSource(pages: ListingPage[]): DirectorySource & { markers: (string | undefined)[] } {
  const markers: (string | undefined)[] = [];
  return {
    markers,
    async *pages(_target, marker) {
      markers.push(marker);
      const from = marker === undefined ? 0 : Number(marker);
      for (const page of pages.slice(from)) yield page;
    },
    spaces: async () => ["-", "space1"],
  };
}

describe("observedSource", () => {
  it("hands every page on unchanged, in order, and calls onPage with it and its target first", async () => {
    const pages = pagesOf(3);
    const source = fakeSource(pages);
    const seen: [ListingPage, ListingTarget][] = [];
    const observed = observedSource(source, (page, where) => seen.push([page, where]));
    const received: ListingPage[] = [];
    for await (const page of observed.pages(target, "1", { pageSize: 100 } as never)) {
      expect(seen.at(-1)?.[0]).toBe(page);
      received.push(page);
    }
    expect(received).toEqual(pages.slice(1));
    expect(seen.map(([, where]) => where)).toEqual([target, target]);
    expect(source.markers).toEqual(["1"]);
    expect(await observed.spaces("lib1", {} as never)).toEqual(["-", "space1"]);
  });
});

describe("startCounter", () => {
  const isTTY = process.stderr.isTTY;
  afterEach(() => {
    process.stderr.isTTY = isTTY;
    vi.restoreAllMocks();
  });

  it("writes nothing when not wanted (no terminal, --json)", () => {
    const write = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const counter = startCounter(false, "listing", "directories listed");
    counter.add(100);
    counter.stop();
    expect(write).not.toHaveBeenCalled();
  });

  it("on a terminal, shows the directories and pages listed so far, and clears the line at the end", () => {
    process.stderr.isTTY = true;
    const written: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const counter = startCounter(true, "listing", "directories listed");
    counter.add(100);
    counter.add(100);
    counter.add(37);
    counter.stop();
    const text = written.join("");
    expect(text).toContain("listing: 237 directories listed (3 pages");
    expect(text).not.toContain("9007199254740991");
  });
});
