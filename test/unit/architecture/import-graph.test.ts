import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import {
  checkImportCycles,
  describeCycleReport,
  failuresOf,
  importsOf,
} from "../../../scripts/import-graph.ts";
import { LAYER_RULES } from "../../../scripts/layer-rules.ts";

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A throwaway source tree: path → text. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "import-graph-"));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe("the import cycle check (npm run check:cycles)", () => {
  it("passes on lib/ as it is: no folder or file cycle, no layer rule broken", () => {
    const report = checkImportCycles(
      fileURLToPath(new URL("../../../lib", import.meta.url)),
      LAYER_RULES,
    );
    expect(describeCycleReport(report, "lib")).toContain("no import cycles");
    expect(failuresOf(report)).toBe(0);
  });

  it("fails on two folders that import each other through a type-only import", () => {
    const root = tree({
      "a/one.ts": 'import { two } from "../b/two.ts";\nexport const one = two;\n',
      "b/two.ts": 'import type { One } from "../a/types.ts";\nexport const two: One = 2;\n',
      "a/types.ts": "export type One = number;\n",
    });
    const report = checkImportCycles(root);
    expect(report.folderCycles.map(({ folders }) => folders)).toEqual([["a", "b"]]);
    expect(failuresOf(report)).toBe(1);
  });

  it("fails on files of one folder that import each other, unless a comment says why", () => {
    const files = {
      "a/one.ts": 'export { two } from "./two.ts";\nexport const one = 1;\n',
      "a/two.ts": 'import { one } from "./one.ts";\nexport const two = one + 1;\n',
    };
    expect(checkImportCycles(tree(files)).fileCycles.map(({ files }) => files)).toEqual([
      ["a/one.ts", "a/two.ts"],
    ]);
    const explained = checkImportCycles(
      tree({
        ...files,
        "a/two.ts":
          '// import-cycle: the simplest shape for this test\nimport { one } from "./one.ts";\nexport const two = one + 1;\n',
      }),
    );
    expect(failuresOf(explained)).toBe(0);
    expect(explained.explainedCycles[0]?.reasons).toEqual(["the simplest shape for this test"]);
  });

  it("fails on an import a layer rule forbids, naming the file and line", () => {
    const root = tree({
      "messages/result.ts":
        'import { plan } from "../retention/plan.ts";\nexport const r = plan;\n',
      "retention/plan.ts": "export const plan = 1;\n",
    });
    const report = checkImportCycles(root, LAYER_RULES);
    expect(report.layerViolations).toHaveLength(1);
    expect(describeCycleReport(report, "lib")).toContain(
      "messages/result.ts:1 → retention/plan.ts",
    );
  });

  it("fails on an import of a folder's index.ts: modules import the file that defines a name", () => {
    const root = tree({
      "smh/index.ts": 'export { client } from "./client.ts";\n',
      "smh/client.ts": "export const client = 1;\n",
      "delete/run.ts": 'import { client } from "../smh/index.ts";\nexport const run = client;\n',
    });
    const report = checkImportCycles(root);
    expect(report.barrelImports.map(({ from, to }) => [from, to])).toEqual([
      ["delete/run.ts", "smh/index.ts"],
    ]);
    expect(failuresOf(report)).toBe(1);
  });

  it("reads multi-line, type-only, re-exporting and dynamic imports, but not examples in comments", () => {
    const text = [
      "/**",
      ' * const x = await import("./commented.ts");',
      " */",
      "import {",
      "  a,",
      "  type B,",
      '} from "./multi.ts";',
      'import type { C } from "./types.ts";',
      'export * from "./all.ts";',
      'import "./side-effect.ts";',
      'type Lazy = typeof import("./lazy.ts");',
      'import { z } from "zod";',
    ].join("\n");
    expect(importsOf(text).map(({ specifier }) => specifier)).toEqual([
      "./multi.ts",
      "./types.ts",
      "./all.ts",
      "./side-effect.ts",
      "./lazy.ts",
    ]);
  });
});
