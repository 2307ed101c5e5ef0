import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const BIN = fileURLToPath(new URL("../../../bin/smh-cleaner.js", import.meta.url));
const children: ChildProcessWithoutNullStreams[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

function run(args: string[]): {
  child: ChildProcessWithoutNullStreams;
  exited: Promise<number | null>;
  stdout: () => string;
} {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: "pipe" });
  children.push(child);
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, stdout: () => stdout };
}

async function firstLine(child: ChildProcessWithoutNullStreams): Promise<string> {
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    lines.close();
    return line;
  }
  throw new Error("the simulator printed nothing");
}

describe("smh-cleaner sim", () => {
  it("prints one JSON line with the URL and demo credentials, serves, and exits 0 on SIGINT", async () => {
    const { child, exited, stdout } = run(["sim", "--port", "0", "--seed", "demo"]);
    const info = JSON.parse(await firstLine(child));
    expect(info).toMatchObject({
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      libraryId: "smhdemo000001",
      librarySecret: expect.any(String),
      spaceIds: ["spacedemofiles1", "spacedemoalbums", "spacedemoarchive", "spacedemobulk"],
    });
    expect(info.libraries.map((l: { libraryId: string }) => l.libraryId)).toEqual([
      "smhdemo000001",
      "smhdemo000002",
    ]);

    const token = await fetch(
      `${info.url}/api/v1/token?library_id=${info.libraryId}&library_secret=${info.librarySecret}&grant=admin`,
    ).then((res) => res.json() as Promise<{ accessToken: string }>);
    const list = await fetch(
      `${info.url}/api/v1/space/${info.libraryId}/list?access_token=${token.accessToken}`,
    );
    expect(list.status).toBe(200);

    child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(stdout().trim().split("\n")).toHaveLength(1);
  });

  it("applies fault flags to every library", async () => {
    const { child, exited } = run([
      "sim",
      "--seed",
      "empty",
      "--faults",
      '{"error503Ratio":1}',
      "--latency-ms",
      "1",
    ]);
    const info = JSON.parse(await firstLine(child));
    const faults = await fetch(`${info.url}/_sim/faults/${info.libraryId}`).then((res) =>
      res.json(),
    );
    expect(faults).toMatchObject({ error503Ratio: 1, latencyMs: 1 });
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  it("loads a YAML seed file, and exits 3 (invalid input) for a seed file that does not validate", async () => {
    const dir = await mkdtemp(join(tmpdir(), "smh-sim-seed-"));
    try {
      const good = join(dir, "seed.yaml");
      await writeFile(
        good,
        "libraries:\n  - id: smhyaml\n    secret: yaml-secret\n    spaces:\n      - id: space1\n        directories:\n          - path: a/b\n",
      );
      const { child, exited } = run(["sim", "--seed", good]);
      const info = JSON.parse(await firstLine(child));
      expect([info.libraryId, info.spaceIds]).toEqual(["smhyaml", ["space1"]]);
      const exists = await fetch(`${info.url}/_sim/exists/smhyaml/space1/a/b`).then((res) =>
        res.json(),
      );
      expect(exists).toEqual({ exists: true, type: "dir" });
      child.kill("SIGINT");
      expect(await exited).toBe(0);

      const bad = join(dir, "bad.json");
      await writeFile(bad, JSON.stringify({ libraries: [{ id: "no secret" }] }));
      expect(await run(["sim", "--seed", bad]).exited).toBe(3);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("exits with the usage code for an invalid --faults value", async () => {
    const { exited } = run(["sim", "--faults", '{"nope":1}']);
    expect(await exited).toBe(2);
  });
});
