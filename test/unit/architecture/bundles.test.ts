import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { esbuildOptionsFromServerless, functionHandlers } from "../../../bench/cold-start.ts";

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const yamlText = readFileSync(`${REPO_ROOT}serverless.yml`, "utf8");
const DOMAINS = ["delete", "recycle", "retention"] as const;
/** The domain each function's handler runs. */
const DOMAIN_OF: Record<string, (typeof DOMAINS)[number]> = {
  deleteDirectories: "delete",
  recycleActions: "recycle",
  retentionScan: "retention",
};

/** The `lib/` folders whose code is in a function's bundle, bundled as serverless-esbuild does. */
async function libFoldersIn(handler: string): Promise<Set<string>> {
  const result = await build({
    ...esbuildOptionsFromServerless(yamlText),
    entryPoints: [`${REPO_ROOT}${handler.slice(0, handler.lastIndexOf("."))}.ts`],
    absWorkingDir: REPO_ROOT,
    outdir: "out",
    write: false,
    sourcemap: false,
    metafile: true,
    logLevel: "silent",
  });
  const folders = new Set<string>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const folder = /^lib\/([^/]+)\//.exec(input)?.[1];
      if (folder && bytesInOutput > 0) folders.add(folder);
    }
  }
  return folders;
}

describe("each Lambda bundle carries only its own domain (esbuild metafile)", () => {
  for (const { functionName, handler } of functionHandlers()) {
    it(`${functionName}: no code of another domain's folder`, async () => {
      const own = DOMAIN_OF[functionName];
      expect(own, `${functionName} has a domain in this test`).toBeDefined();
      const folders = await libFoldersIn(handler);
      expect(folders.has(own ?? "")).toBe(true);
      expect(DOMAINS.filter((domain) => domain !== own && folders.has(domain))).toEqual([]);
    });
  }
});
