import { DirectoryViews, type EntryGroup } from "./directory-views.ts";
import { decodeMarker, encodeMarker, type MarkerPosition } from "./markers.ts";
import { iterateFrom, mergeOrdered, type Paging, takePage } from "./paging.ts";
import { compareKeys, type DirectoryOrderBy, entrySortValue } from "./sort-keys.ts";
import type { DirectoryNode, TreeNode } from "./tree.ts";

/** How a listing is ordered and filtered (the `order_by`, `order_by_type`, `filter`, `sort_type` params). */
export interface ListOrder {
  /** null = SMH's default order (see {@link listDirectory}). */
  readonly orderBy: DirectoryOrderBy | null;
  readonly descending: boolean;
  readonly filter: "onlyDir" | "onlyFile" | null;
  /** `sort_type=union`: directories and files sorted together instead of directories first. */
  readonly union: boolean;
}

/** One page of a directory listing. */
export interface DirectoryPage {
  readonly entries: TreeNode[];
  /** Marker mode only: where the next page starts, or null at the end. */
  readonly nextMarker: string | null;
  /** Entries matching the filter. */
  readonly totalNum: number;
}

interface Lane {
  readonly group: EntryGroup;
  readonly orderBy: DirectoryOrderBy;
}

/** (value, tiebreak) of a node in an order: names are unique in a directory, so they break ties. */
function keyOf(node: TreeNode, orderBy: DirectoryOrderBy): [string | number, string] {
  return orderBy === "name" ? [node.name, ""] : [entrySortValue(node, orderBy), node.name];
}

function lanesOf(order: ListOrder, albumSpace: boolean): Lane[] {
  const dirLane: Lane = { group: "dir", orderBy: order.orderBy ?? "name" };
  // SMH's default: sub-directories by name, then media by upload time in album (media) spaces or
  // files by name in file spaces. A union listing needs one order for both, so it uses name.
  const fileDefault = albumSpace && !order.union ? "creationTime" : "name";
  const fileLane: Lane = { group: "file", orderBy: order.orderBy ?? fileDefault };
  if (order.filter === "onlyDir") return [dirLane];
  if (order.filter === "onlyFile") return [fileLane];
  return [dirLane, fileLane];
}

function signatureOf(order: ListOrder, lanes: readonly Lane[]): string {
  return [
    order.descending ? "desc" : "asc",
    order.filter ?? "all",
    order.union ? "union" : "split",
    ...lanes.map((lane) => `${lane.group}:${lane.orderBy}`),
  ].join("|");
}

function cursorComparator(
  orderBy: DirectoryOrderBy,
  position: MarkerPosition,
): (node: TreeNode) => number {
  return (node) => {
    const [value, tie] = keyOf(node, orderBy);
    return compareKeys(value, tie, position.value, position.tie);
  };
}

/**
 * Lists one page of `dir`.
 *
 * Each lane reads a sorted view kept by {@link DirectoryViews}, so a page costs a binary search
 * plus the page itself, whatever the directory size. With the default order, directories come
 * first by name, then files by name (file spaces) or upload time (album spaces).
 */
export function listDirectory(
  dir: DirectoryNode,
  order: ListOrder,
  paging: Paging,
  albumSpace: boolean,
): DirectoryPage {
  const views = dir.views instanceof DirectoryViews ? dir.views : new DirectoryViews(dir);
  dir.views = views;
  const lanes = lanesOf(order, albumSpace);
  const signature = signatureOf(order, lanes);
  const position =
    paging.mode === "marker" && paging.marker !== null
      ? decodeMarker(paging.marker, signature)
      : null;
  const indexes = lanes.map((lane) => views.get(lane.orderBy, lane.group));
  const totalNum = indexes.reduce((sum, index) => sum + index.size, 0);

  let stream: Iterator<TreeNode>;
  const firstLane = lanes[0] as Lane;
  if (order.union && lanes.length === 2) {
    const orderBy = firstLane.orderBy;
    const cursor = position ? cursorComparator(orderBy, position) : null;
    const direction = order.descending ? -1 : 1;
    stream = mergeOrdered(
      iterateFrom(indexes[0] ?? views.get(orderBy, "dir"), cursor, order.descending),
      iterateFrom(indexes[1] ?? views.get(orderBy, "file"), cursor, order.descending),
      (a, b) => {
        const [av, at] = keyOf(a, orderBy);
        const [bv, bt] = keyOf(b, orderBy);
        return direction * compareKeys(av, at, bv, bt);
      },
    );
  } else {
    const startLane = position ? Math.min(Math.max(position.lane, 0), lanes.length - 1) : 0;
    stream = (function* () {
      for (let i = startLane; i < lanes.length; i++) {
        const lane = lanes[i] as Lane;
        const cursor =
          position && i === startLane ? cursorComparator(lane.orderBy, position) : null;
        yield* iterateFrom(
          indexes[i] ?? views.get(lane.orderBy, lane.group),
          cursor,
          order.descending,
        );
      }
    })();
  }

  const page =
    paging.mode === "marker"
      ? takePage(stream, 0, paging.limit)
      : takePage(stream, (paging.page - 1) * paging.pageSize, paging.pageSize);
  let nextMarker: string | null = null;
  const last = page.items[page.items.length - 1];
  if (paging.mode === "marker" && page.more && last !== undefined) {
    const laneIndex = order.union ? 0 : lanes.findIndex((lane) => lane.group === last.kind);
    const lane = lanes[laneIndex] ?? firstLane;
    const [value, tie] = keyOf(last, lane.orderBy);
    nextMarker = encodeMarker({ signature, lane: laneIndex, value, tie });
  }
  return { entries: page.items, nextMarker, totalNum };
}
