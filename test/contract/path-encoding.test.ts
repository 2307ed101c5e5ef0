import { describe, expect, it } from "vitest";
import { allPages, contractClient } from "./helpers/client.ts";
import { useContractSimulator } from "./helpers/harness.ts";
import { deletionsOf, LIB, SPACE, unique } from "./helpers/simulator.ts";

/**
 * Directory names that break naive URL building: each is created in the simulator, then listed,
 * inspected, deleted, found, restored and batch-deleted by the client. The simulator's ground truth
 * must show exactly the same name every time.
 */
const NAMES = [
  "with space",
  "中文目录",
  "hash#tag",
  "what?",
  "100%",
  "%2F is not a slash",
  "%E4%B8%AD",
  "a+b",
  "emoji 🎉📁",
  "a&b",
  "k=v",
  'say "hi"',
  "it's",
  "back\\slash",
  "semi;colon,comma",
  "...",
  "@at:colon",
  "[brackets]{braces}<angle>|pipe|",
  "^caret`backtick~tilde",
  "ümlaut é",
  "日本語 テスト",
  "العربية",
  "zero\u200bwidth",
  "nbsp\u00a0inside",
];

const { sim, relay } = await useContractSimulator({ relay: true, isolateTests: false });

describe("path encoding round trip: client → HTTP → simulator → client", () => {
  for (const name of NAMES) {
    it(`keeps ${JSON.stringify(name)} exactly, in every operation`, async () => {
      const parent = unique("names");
      const path = `${parent}/${name}`;
      sim.createDirectory(LIB, SPACE, `${path}/child`);
      const { client } = contractClient(relay);
      const ref = { libraryId: LIB, spaceId: SPACE };

      const [entry] = (await allPages(client.listDirectory({ ...ref, path: parent }))).flatMap(
        (page) => page.entries,
      );
      expect(entry).toMatchObject({ name, path });
      const listedInside = (await allPages(client.listDirectory({ ...ref, path }))).flatMap(
        (page) => page.entries,
      );
      expect(listedInside.map((child) => child.path)).toEqual([`${path}/child`]);
      expect((await client.directoryInfo({ ...ref, path })).info.path).toBe(path);
      expect((await client.directoryExists({ ...ref, path })).exists).toBe(true);

      const deleted = await client.deleteDirectory({ ...ref, path });
      expect(deletionsOf(sim, path)).toMatchObject([{ path: [parent, name] }]);
      const { item } = await client.findRecycledItem({ ...ref, path });
      expect(item).toMatchObject({ originalPath: path, originalSegments: [parent, name], name });
      expect(deleted.outcome === "recycled" && deleted.recycledItemId).toBe(item?.recycledItemId);

      const restored = await client.restoreRecycledItem({
        ...ref,
        recycledItemId: item?.recycledItemId ?? -1,
      });
      expect(restored.path).toBe(path);
      expect(sim.tree(LIB, SPACE, parent)?.children?.map((child) => child.name)).toEqual([name]);

      const batch = await client.batchDelete({ ...ref, items: [{ path }] });
      expect(batch.items).toMatchObject([{ path, outcome: "recycled" }]);
      expect(sim.exists(LIB, SPACE, path)).toBe(false);
      expect(deletionsOf(sim, path)).toHaveLength(2);

      // On the wire, each segment was percent-encoded on its own: no raw `?`, `#`, `%` or space.
      const sent = relay.requests.filter((request) => request.rawPath.includes("/directory/"));
      for (const request of sent)
        expect(request.rawPath).not.toMatch(/[?# "<>\\^`{|}]|%(?![0-9A-F]{2})/);
    });
  }

  it("keeps whitespace at the ends of a segment inside the path", async () => {
    const parent = unique("padded");
    const path = `${parent}/  padded  /inner`;
    sim.createDirectory(LIB, SPACE, `${path}/child`);
    const { client } = contractClient(sim);
    const ref = { libraryId: LIB, spaceId: SPACE };

    const deleted = await client.deleteDirectory({ ...ref, path });
    const restored = await client.restoreRecycledItem({
      ...ref,
      recycledItemId: deleted.outcome === "recycled" ? deleted.recycledItemId : -1,
    });

    expect(deletionsOf(sim, path)).toMatchObject([{ path: [parent, "  padded  ", "inner"] }]);
    expect(restored.path).toBe(path);
    expect(sim.exists(LIB, SPACE, `${path}/child`)).toBe(true);
  });
});
