/**
 * Listing what a plan chooses from: the directories (albums) directly under a parent, through the
 * SMH client (marker paging, 100 per page), and — with `--sizes` — what is inside each selected
 * one, to count its files and bytes (SMH's listings carry no size for a directory).
 */
import pMap from "p-map";
import type { SmhClient } from "../../smh/client.ts";
import type { ListedAlbum } from "./plan.ts";

/** Where to list. */
export interface ListTarget {
  readonly libraryId: string;
  readonly spaceId: string;
  /** "" for the space root. */
  readonly parent: string;
}

/** Every directory directly under `target.parent`; `onPage` hears the running count. */
export async function listAlbums(
  client: Pick<SmhClient, "listDirectory">,
  target: ListTarget,
  onPage: (listed: number) => void = () => {},
): Promise<ListedAlbum[]> {
  const albums: ListedAlbum[] = [];
  const pages = client.listDirectory({
    libraryId: target.libraryId,
    spaceId: target.spaceId,
    path: target.parent,
    filter: "onlyDir",
  });
  for await (const page of pages) {
    for (const entry of page.entries) {
      if (entry.type !== "dir") continue;
      albums.push({
        name: entry.name,
        path: entry.path,
        creationTime: entry.creationTime,
        size: entry.size,
      });
    }
    onPage(albums.length);
  }
  return albums;
}

/**
 * The albums with `size` (bytes) and `files` counted from their content, all levels down, a few
 * albums at a time. `onAlbum` is called as each one is done.
 */
export async function countContents(
  client: Pick<SmhClient, "listDirectory">,
  target: Omit<ListTarget, "parent">,
  albums: readonly ListedAlbum[],
  onAlbum: () => void = () => {},
): Promise<ListedAlbum[]> {
  return pMap(
    albums,
    async (album) => {
      let bytes = 0;
      let files = 0;
      const pending = [album.path];
      for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
        const pages = client.listDirectory({ ...target, path, filter: "all" });
        for await (const page of pages) {
          for (const entry of page.entries) {
            if (entry.type === "dir") pending.push(entry.path);
            else {
              files += 1;
              bytes += Number(entry.size ?? 0);
            }
          }
        }
      }
      onAlbum();
      return { ...album, size: String(bytes), files };
    },
    { concurrency: 8 },
  );
}
