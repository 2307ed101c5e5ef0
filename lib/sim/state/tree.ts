/** Entry types as SMH reports them (`dir` covers directories and albums). */
export type EntryType = "dir" | "file" | "image" | "video";

interface NodeBase {
  /** Changes only while the node is detached (a restore that renames). */
  name: string;
  parent: DirectoryNode | null;
  creationTime: number;
  modificationTime: number;
  readonly inode: string;
}

/**
 * What a directory's sorted listing views (`directory-views.ts`) are told when its children change.
 * Declared here, by the tree that calls it, so the tree does not import the views that index it.
 */
export interface ChildViews {
  add(child: TreeNode): void;
  remove(child: TreeNode): void;
  /** Runs `mutate` (which changes a sort key of `child`) and keeps `child` in order. */
  reposition(child: TreeNode, mutate: () => void): void;
}

/** A directory or album. `children` gives O(1) lookup by name. */
export interface DirectoryNode extends NodeBase {
  readonly kind: "dir";
  readonly children: Map<string, TreeNode>;
  dirCount: number;
  fileCount: number;
  /** Sorted listing views, built on first listing and then maintained incrementally. */
  views: ChildViews | null;
}

/** A file; the simulator keeps metadata only, never content. */
export interface FileNode extends NodeBase {
  readonly kind: "file";
  readonly size: number;
  readonly contentType: string;
  readonly localCreationTime: number;
  readonly localModificationTime: number;
  readonly eTag: string;
  readonly crc64: string;
}

export type TreeNode = DirectoryNode | FileNode;

/** A new, detached directory node. */
export function newDirectoryNode(name: string, time: number, inode: string): DirectoryNode {
  return {
    kind: "dir",
    name,
    parent: null,
    creationTime: time,
    modificationTime: time,
    inode,
    children: new Map(),
    dirCount: 0,
    fileCount: 0,
    views: null,
  };
}

/** What a file is made of when it is created. */
export interface FileSpec {
  size: number;
  contentType: string;
  creationTime: number;
  modificationTime: number;
  localCreationTime: number;
  localModificationTime: number;
  eTag: string;
  crc64: string;
}

/** A new, detached file node. */
export function newFileNode(name: string, spec: FileSpec, inode: string): FileNode {
  return { kind: "file", name, parent: null, inode, ...spec };
}

/** The SMH `type` of a node: files are `image`/`video` by content type, otherwise `file`. */
export function entryTypeOf(node: TreeNode): EntryType {
  if (node.kind === "dir") return "dir";
  if (node.contentType.startsWith("image/")) return "image";
  if (node.contentType.startsWith("video/")) return "video";
  return "file";
}

/** The node at `segments` below `root`, or undefined. An empty path is the root itself. */
export function findNode(root: DirectoryNode, segments: readonly string[]): TreeNode | undefined {
  let node: TreeNode = root;
  for (const segment of segments) {
    if (node.kind !== "dir") return undefined;
    const child: TreeNode | undefined = node.children.get(segment);
    if (child === undefined) return undefined;
    node = child;
  }
  return node;
}

/** The path of an attached node from its space root (empty for the root). */
export function pathOf(node: TreeNode): string[] {
  const segments: string[] = [];
  for (let current: TreeNode | null = node; current?.parent; current = current.parent) {
    segments.push(current.name);
  }
  return segments.reverse();
}

/**
 * Records that `dir` changed at `time`. SMH's directory `modificationTime` is the time a direct
 * child was last added or removed, so only the parent of a change is touched, never ancestors.
 * It never moves backwards (seeds may add children out of time order).
 */
export function touchDirectory(dir: DirectoryNode, time: number): void {
  if (time <= dir.modificationTime) return;
  setModificationTime(dir, time);
}

/** Sets a node's `modificationTime`, keeping its parent's sorted views in order. */
export function setModificationTime(node: TreeNode, time: number): void {
  const views = node.parent?.views;
  if (views) {
    views.reposition(node, () => {
      node.modificationTime = time;
    });
  } else {
    node.modificationTime = time;
  }
}

/** Sets a node's `creationTime`, keeping its parent's sorted views in order. */
export function setCreationTime(node: TreeNode, time: number): void {
  const views = node.parent?.views;
  if (views) {
    views.reposition(node, () => {
      node.creationTime = time;
    });
  } else {
    node.creationTime = time;
  }
}

/**
 * Attaches a detached node under `parent` (the caller has checked the name is free) and marks the
 * parent modified at `time`.
 */
export function attachChild(parent: DirectoryNode, child: TreeNode, time: number): void {
  child.parent = parent;
  parent.children.set(child.name, child);
  if (child.kind === "dir") parent.dirCount += 1;
  else parent.fileCount += 1;
  parent.views?.add(child);
  touchDirectory(parent, time);
}

/** Detaches a node, with its whole subtree, from its parent and marks the parent modified. */
export function detachChild(child: TreeNode, time: number): void {
  const parent = child.parent;
  if (parent === null) throw new Error("cannot detach a space root");
  parent.views?.remove(child);
  parent.children.delete(child.name);
  if (child.kind === "dir") parent.dirCount -= 1;
  else parent.fileCount -= 1;
  child.parent = null;
  touchDirectory(parent, time);
}

/**
 * Counts the entries below `node` (not counting `node`), stopping early once the count exceeds
 * `stopAbove`, so a size check on a huge tree costs at most `stopAbove` steps.
 */
export function countDescendants(node: TreeNode, stopAbove = Number.POSITIVE_INFINITY): number {
  if (node.kind !== "dir") return 0;
  let count = 0;
  const stack: DirectoryNode[] = [node];
  while (stack.length > 0) {
    const dir = stack.pop() as DirectoryNode;
    for (const child of dir.children.values()) {
      count += 1;
      if (count > stopAbove) return count;
      if (child.kind === "dir") stack.push(child);
    }
  }
  return count;
}

/** Visits every node below `root` depth-first with its path; `root` itself is not visited. */
export function walkTree(
  root: DirectoryNode,
  visit: (node: TreeNode, segments: readonly string[]) => void,
): void {
  const stack: Array<[DirectoryNode, string[]]> = [[root, []]];
  while (stack.length > 0) {
    const [dir, prefix] = stack.pop() as [DirectoryNode, string[]];
    for (const child of dir.children.values()) {
      const segments = [...prefix, child.name];
      visit(child, segments);
      if (child.kind === "dir") stack.push([child, segments]);
    }
  }
}

/**
 * A free name next to the existing ones: `name (1)`, `name (2)`, … For files the counter goes
 * before the extension (`file (1).docx`), as SMH's restore example shows.
 */
export function freeName(parent: DirectoryNode, name: string, isFile: boolean): string {
  if (!parent.children.has(name)) return name;
  const dot = isFile ? name.lastIndexOf(".") : -1;
  const [stem, extension] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ""];
  for (let n = 1; ; n++) {
    const candidate = `${stem} (${n})${extension}`;
    if (!parent.children.has(candidate)) return candidate;
  }
}
