import { describe, expect, it } from "vitest";
import { InvalidPathError } from "../../lib/smh/index.ts";
import { allPages, contractClient, rejectionOf } from "./helpers/client.ts";
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
  "%E4%B8%AD",
  "a+b",
  "emoji 🎉📁",
  "a&b",
  "k=v",
  'say "hi"',
  "it's",
  "semi;colon,comma",
  "...",
  "@at:colon",
  "[brackets]{braces}<angle>|pipe|",
  "^caret`backtick~tilde",
  "ümlaut é",
  "日本語 テスト",
  "العربية",
  "nbsp\u00a0inside",
  "❤️ emoji sequence 👨‍👩‍👧",
];

/**
 * Names SMH may hold that a deletion may not name, because they pass for another name: read
 * exactly by every read operation, refused by every delete before a request is sent.
 */
const LOOK_ALIKES = [
  "%2F is not a slash",
  "%2e%2e",
  "back\\slash",
  "zero\u200bwidth",
  "  padded  ",
  "trailing\u3000",
];

const { sim, relay } = await useContractSimulator({ relay: true, isolateTests: false });

/**
 * Creates `<unique parent>/<name>/child` in the simulator, and checks that the client lists, lists
 * inside, inspects and finds it under exactly that name.
 */
async function readsExactly(name: string, prefix: string) {
  const parent = unique(prefix);
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
  return { client, ref, parent, path };
}

describe("path encoding round trip: client → HTTP → simulator → client", () => {
  for (const name of NAMES) {
    it(`keeps ${JSON.stringify(name)} exactly, in every operation`, async () => {
      const { client, ref, parent, path } = await readsExactly(name, "names");

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

  for (const name of LOOK_ALIKES) {
    it(`reads ${JSON.stringify(name)} exactly, restores it to exactly that name, and never deletes it by name`, async () => {
      const { client, ref, parent, path } = await readsExactly(name, "lookalike");

      const sentBefore = relay.requests.length;
      expect(await rejectionOf(client.deleteDirectory({ ...ref, path }))).toBeInstanceOf(
        InvalidPathError,
      );
      expect(await rejectionOf(client.batchDelete({ ...ref, items: [{ path }] }))).toBeInstanceOf(
        InvalidPathError,
      );
      expect(relay.requests.slice(sentBefore)).toEqual([]);
      expect(sim.exists(LIB, SPACE, path)).toBe(true);

      // Deleted some other way (SMH's console), it is found and restored under its exact name.
      const token = sim.issueToken(LIB, { grants: ["admin"] });
      const encoded = [parent, name].map(encodeURIComponent).join("/");
      const removed = await fetch(`${sim.url}/api/v1/directory/${LIB}/${SPACE}/${encoded}`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${token}` },
      });
      expect(removed.status).toBe(200);
      const { item } = await client.findRecycledItem({ ...ref, path });
      expect(item).toMatchObject({ originalPath: path, originalSegments: [parent, name], name });
      const restored = await client.restoreRecycledItem({
        ...ref,
        recycledItemId: item?.recycledItemId ?? -1,
      });
      expect(restored.path).toBe(path);
      expect(sim.exists(LIB, SPACE, `${path}/child`)).toBe(true);
    });
  }
});
