// docs/architecture.md stays true: its folder table lists what each folder imports, and every
// `file:function` step of "the life of one job" names a file that defines that function.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkImportCycles } from "../../../scripts/import-graph.ts";

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const doc = readFileSync(`${REPO_ROOT}docs/architecture.md`, "utf8");

describe("docs/architecture.md", () => {
  it("lists every folder of lib/ with the folders it imports", () => {
    const documented = Object.fromEntries(
      [...doc.matchAll(/^\| `lib\/([a-z-]+)\/`\s*\|[^|]*\|([^|]*)\|$/gm)].map(
        ([, folder, imports]) => [
          folder,
          (imports ?? "").trim() === "—"
            ? []
            : (imports ?? "").split(",").map((name) => name.trim()),
        ],
      ),
    );
    const { layers } = checkImportCycles(`${REPO_ROOT}lib`);
    expect(documented).toEqual(
      Object.fromEntries(layers.map(({ folder, imports }) => [folder, imports])),
    );
  });

  it("names, for each step of the life of one job, a file that defines the function", () => {
    const life = doc.slice(doc.indexOf("## The life of one job"));
    const steps = [...life.matchAll(/`((?:lib|handlers)\/[\w/.-]+\.ts):([\w.]+)`/g)];
    expect(steps.length).toBeGreaterThan(20);
    for (const [, file = "", name = ""] of steps) {
      expect(existsSync(`${REPO_ROOT}${file}`), file).toBe(true);
      const text = readFileSync(`${REPO_ROOT}${file}`, "utf8");
      const [owner, member] = name.split(".");
      const defines = (word: string) =>
        new RegExp(
          `(function|class|const|interface)\\s+${word}\\b|^\\s+(async\\s+)?${word}\\(`,
          "m",
        ).test(text);
      expect(defines(owner ?? ""), `${file}:${owner}`).toBe(true);
      if (member) expect(defines(member), `${file}:${name}`).toBe(true);
    }
  });
});
