/**
 * The import graph of `lib/`, and the cycles in it: what `npm run check:cycles` reports and what
 * `npm test` fails on (docs/architecture.md, "Layer rules").
 *
 * A small reader of our own rather than dependency-cruiser, madge, dpdm or skott: those parse
 * TypeScript with the `typescript` package's compiler API, which TypeScript 7 (the native compiler
 * this project uses) no longer has, and they would pull in a second TypeScript for one check. Our
 * sources are formatted by Biome, so every static import or re-export starts a line; that and
 * `import("…")` (dynamic imports and `typeof import(…)` types) is all the reader needs. Type-only
 * imports count: a cycle of types is still a cycle a reader has to untangle.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

/** One import of one file: the file it resolves to, and the line it is on (1-based). */
export interface ImportEdge {
  readonly from: string;
  readonly to: string;
  readonly line: number;
  /** The reason written in a `// import-cycle: <reason>` comment right above the import, if any. */
  readonly cycleReason: string | undefined;
}

/** A folder of `lib/`: its first path segment (`smh` for `lib/smh/errors/auth-error.ts`). */
export function folderOf(file: string): string {
  const [first, second] = file.split("/");
  return second === undefined ? "." : (first ?? ".");
}

const STATIC_IMPORT =
  /^(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']|^import\s*["']([^"']+)["']/gms;
const DYNAMIC_IMPORT = /\bimport\(\s*["']([^"']+)["']\s*\)/g;
const CYCLE_REASON = /^\s*\/\/\s*import-cycle:\s*(\S.*)$/;

/** The relative imports in a module's text, with their line numbers and cycle reasons. */
export function importsOf(
  text: string,
): { specifier: string; line: number; cycleReason?: string }[] {
  const lines = text.split("\n");
  const lineAt = (index: number) => text.slice(0, index).split("\n").length;
  const found: { specifier: string; line: number; cycleReason?: string }[] = [];
  const add = (specifier: string | undefined, index: number) => {
    if (!specifier?.startsWith(".")) return;
    const line = lineAt(index);
    const above = lines[line - 2] ?? "";
    const reason = CYCLE_REASON.exec(above)?.[1];
    found.push({ specifier, line, ...(reason ? { cycleReason: reason } : {}) });
  };
  for (const match of text.matchAll(STATIC_IMPORT)) add(match[1] ?? match[2], match.index);
  for (const match of text.matchAll(DYNAMIC_IMPORT)) {
    const lineText = lines[lineAt(match.index) - 1]?.trim() ?? "";
    // A comment that shows an import is not one.
    if (lineText.startsWith("*") || lineText.startsWith("//")) continue;
    add(match[1], match.index);
  }
  return found;
}

/** Every `.ts` file under `root`, relative to it, with `/` separators. */
export function sourceFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts")) files.push(relative(root, path).split(sep).join("/"));
    }
  };
  walk(root);
  return files.sort();
}

/** The import edges between the files under `root` (imports leaving `root` are left out). */
export function importGraph(root: string): ImportEdge[] {
  const files = new Set(sourceFiles(root));
  const edges: ImportEdge[] = [];
  for (const from of files) {
    for (const { specifier, line, cycleReason } of importsOf(
      readFileSync(join(root, from), "utf8"),
    )) {
      const to = relative(root, resolve(root, dirname(from), specifier))
        .split(sep)
        .join("/");
      if (!files.has(to)) continue;
      edges.push({ from, to, line, cycleReason });
    }
  }
  return edges;
}

/**
 * The strongly connected components with more than one node (or a self-loop): each is a set of
 * nodes that all reach each other, so every cycle of the graph lies inside one (Tarjan's algorithm).
 */
export function cyclicGroups(edges: readonly { from: string; to: string }[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) {
    next.set(from, [...(next.get(from) ?? []), to]);
    if (!next.has(to)) next.set(to, []);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  let counter = 0;
  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const to of next.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(to) ?? 0));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(to) ?? 0));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const group: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      group.push(member);
    } while (member !== node);
    const selfLoop = edges.some(({ from, to }) => from === node && to === node);
    if (group.length > 1 || selfLoop) groups.push(group.sort());
  };
  for (const node of [...next.keys()].sort()) if (!index.has(node)) visit(node);
  return groups.sort((a, b) => (a[0] ?? "").localeCompare(b[0] ?? ""));
}

/** A folder of `lib/` that must not import some others, and why (docs/architecture.md). */
export interface LayerRule {
  readonly folder: string;
  readonly mayNotImport: readonly string[];
  readonly why: string;
}

/** What {@link checkImportCycles} found. */
export interface CycleReport {
  /**
   * Imports of a folder's `index.ts`: inside `lib/` a module imports the file that defines what it
   * uses, so bundles carry only that and this graph is the real one. `index.ts` files are entry
   * points for other systems only.
   */
  readonly barrelImports: ImportEdge[];
  /** Imports a {@link LayerRule} forbids. */
  readonly layerViolations: { rule: LayerRule; imports: ImportEdge[] }[];
  /** Folders of `lib/` that import each other (never allowed), with the imports that do it. */
  readonly folderCycles: { folders: string[]; imports: ImportEdge[] }[];
  /** Files of one folder that import each other, and no `// import-cycle:` comment says why. */
  readonly fileCycles: { files: string[]; imports: ImportEdge[] }[];
  /** Cycles inside a folder that a comment explains (allowed, listed for the reader). */
  readonly explainedCycles: { files: string[]; reasons: string[] }[];
  /** Each folder and the folders it imports, lowest layer first. */
  readonly layers: { folder: string; imports: string[] }[];
}

/**
 * Checks the import graph of the files under `root`: no cycle between its folders, type-only
 * imports included, and none between files unless an import of the cycle carries a comment
 * `// import-cycle: <why this is the simplest shape>` on the line above it.
 */
export function checkImportCycles(root: string, rules: readonly LayerRule[] = []): CycleReport {
  const edges = importGraph(root);
  const barrelImports = edges.filter(({ to }) => to.endsWith("/index.ts"));
  const layerViolations = rules.flatMap((rule) => {
    const imports = edges.filter(
      ({ from, to }) => folderOf(from) === rule.folder && rule.mayNotImport.includes(folderOf(to)),
    );
    return imports.length > 0 ? [{ rule, imports }] : [];
  });
  const crossing = edges.filter(({ from, to }) => folderOf(from) !== folderOf(to));
  const folderEdges = crossing.map(({ from, to }) => ({ from: folderOf(from), to: folderOf(to) }));
  const folderCycles = cyclicGroups(folderEdges).map((folders) => ({
    folders,
    imports: crossing.filter(
      ({ from, to }) => folders.includes(folderOf(from)) && folders.includes(folderOf(to)),
    ),
  }));
  const fileCycles: CycleReport["fileCycles"] = [];
  const explainedCycles: CycleReport["explainedCycles"] = [];
  for (const files of cyclicGroups(edges)) {
    const inside = edges.filter(({ from, to }) => files.includes(from) && files.includes(to));
    const reasons = inside.flatMap(({ cycleReason }) => (cycleReason ? [cycleReason] : []));
    const oneFolder = new Set(files.map(folderOf)).size === 1;
    if (oneFolder && reasons.length > 0) explainedCycles.push({ files, reasons });
    else fileCycles.push({ files, imports: inside });
  }
  const folders = [...new Set([...sourceFiles(root).map(folderOf)])];
  const importsOfFolder = (folder: string) =>
    [...new Set(folderEdges.filter(({ from }) => from === folder).map(({ to }) => to))].sort();
  const depth = new Map<string, number>();
  const depthOf = (folder: string, seen: Set<string>): number => {
    const known = depth.get(folder);
    if (known !== undefined) return known;
    if (seen.has(folder)) return 0;
    seen.add(folder);
    const value = Math.max(-1, ...importsOfFolder(folder).map((to) => depthOf(to, seen))) + 1;
    depth.set(folder, value);
    return value;
  };
  const layers = folders
    .map((folder) => ({
      folder,
      imports: importsOfFolder(folder),
      depth: depthOf(folder, new Set()),
    }))
    .sort((a, b) => a.depth - b.depth || a.folder.localeCompare(b.folder))
    .map(({ folder, imports }) => ({ folder, imports }));
  return { barrelImports, layerViolations, folderCycles, fileCycles, explainedCycles, layers };
}

/** The report in words, one line per fact. */
export function describeCycleReport(report: CycleReport, rootName: string): string {
  const lines: string[] = [];
  const edge = ({ from, to, line }: ImportEdge) => `    ${from}:${line} → ${to}`;
  for (const { folders, imports } of report.folderCycles) {
    lines.push(`folder cycle: ${folders.map((f) => `${rootName}/${f}`).join(" ↔ ")}`);
    lines.push(...imports.map(edge));
  }
  for (const { files, imports } of report.fileCycles) {
    lines.push(`file cycle (no "// import-cycle:" comment says why): ${files.join(" ↔ ")}`);
    lines.push(...imports.map(edge));
  }
  for (const { files, reasons } of report.explainedCycles) {
    lines.push(`explained cycle: ${files.join(" ↔ ")} — ${reasons.join("; ")}`);
  }
  if (report.barrelImports.length > 0) {
    lines.push("imports of an index.ts (import the file that defines the name instead):");
    lines.push(...report.barrelImports.map(edge));
  }
  for (const { rule, imports } of report.layerViolations) {
    lines.push(
      `layer rule broken: ${rootName}/${rule.folder} may not import ${rule.mayNotImport.join(", ")} (${rule.why})`,
    );
    lines.push(...imports.map(edge));
  }
  const failures = failuresOf(report);
  lines.push(
    failures === 0
      ? `no import cycles in ${rootName}/ (type-only imports included), no layer rule broken, no index.ts imported; folders, lowest layer first:`
      : `${failures} import cycle(s) or broken layer rule(s) in ${rootName}/; folders, lowest layer first:`,
  );
  for (const { folder, imports } of report.layers) {
    lines.push(
      `  ${rootName}/${folder} → ${imports.length === 0 ? "(nothing)" : imports.join(", ")}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** How many problems the report has (0: the check passes). */
export function failuresOf(report: CycleReport): number {
  return (
    report.barrelImports.length +
    report.layerViolations.length +
    report.folderCycles.length +
    report.fileCycles.length
  );
}
