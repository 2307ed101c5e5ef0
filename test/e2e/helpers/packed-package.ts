/**
 * This package as another TypeScript project gets it: `npm pack` (which runs `prepare`, building
 * the "smh-batch-cleaner/messages" entry point into dist/), unpacked into a fresh project's
 * node_modules, beside the dependencies a real install would bring (linked from ours, so no
 * network is needed). Node does not strip types under node_modules: what runs there is the
 * packed JavaScript, and what a type check sees is the packed .d.ts — never our .ts sources.
 */
import { execFile } from "node:child_process";
import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
export const REPO = fileURLToPath(new URL("../../../", import.meta.url));

/**
 * Makes `project` a TypeScript project (ESM, strict, nodenext) with this package installed from
 * its packed tarball, and `extra` packages (the consumer's own dependencies) linked from ours.
 */
export async function projectWithPackedPackage(
  project: string,
  extra: readonly string[],
): Promise<void> {
  const modules = join(project, "node_modules");
  const unpacked = join(modules, "smh-batch-cleaner");
  await mkdir(unpacked, { recursive: true });
  const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", project], {
    cwd: REPO,
    maxBuffer: 16 * 1024 * 1024,
  });
  const [packed] = JSON.parse(stdout.slice(stdout.indexOf("["))) as { filename: string }[];
  if (!packed) throw new Error(`npm pack printed no tarball: ${stdout}`);
  await run("tar", [
    "-xzf",
    join(project, packed.filename),
    "-C",
    unpacked,
    "--strip-components=1",
  ]);

  const manifest = JSON.parse(await readFile(join(REPO, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  };
  for (const name of new Set([...Object.keys(manifest.dependencies), ...extra])) {
    await mkdir(dirname(join(modules, name)), { recursive: true });
    await symlink(join(REPO, "node_modules", name), join(modules, name), "dir");
  }
  await writeFile(
    join(project, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module" }),
  );
  await writeFile(
    join(project, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "es2024",
        module: "nodenext",
        moduleResolution: "nodenext",
        types: ["node"],
        strict: true,
        noEmit: true,
        erasableSyntaxOnly: true,
        verbatimModuleSyntax: true,
      },
    }),
  );
}

/** Type-checks `project` with our TypeScript, as its own `tsc --noEmit` would. */
export async function typecheck(project: string): Promise<{ code: number; output: string }> {
  try {
    await run(join(REPO, "node_modules", ".bin", "tsc"), ["-p", project]);
    return { code: 0, output: "" };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, output: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}
