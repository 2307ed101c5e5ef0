// The local stack file: how the CLI finds a running local stack, and refuses a dead one.
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  readStackFile,
  removeStackFile,
  StackFileError,
  type StackInfo,
  stackFilePath,
  stateDir,
  writeStackFile,
} from "../../../lib/local/stack-file.ts";
import { stackInfo } from "./factories.ts";

let dir: string;
beforeEach(async () => {
  dir = join(await mkdtemp(join(tmpdir(), "smh-stack-")), "state");
});
afterEach(async () => {
  await rm(join(dir, ".."), { recursive: true, force: true });
});

describe("the local stack file", () => {
  it("round-trips, readable only by its owner, with no temporary file left behind", async () => {
    const path = await writeStackFile(dir, stackInfo());
    expect(path).toBe(stackFilePath(dir));
    expect(await readStackFile(dir)).toEqual(stackInfo());
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect(await readdir(dir)).toEqual(["local-stack.json"]);
  });

  it("replaces an earlier file whole", async () => {
    await writeStackFile(dir, stackInfo({ pid: 1 }));
    await writeStackFile(dir, stackInfo());
    expect((await readStackFile(dir)).pid).toBe(process.pid);
  });

  it("refuses to write a secret, and writes nothing", async () => {
    const withSecret = { ...stackInfo(), smh: { ...stackInfo().smh, librarySecret: "s3cr3t" } };
    await expect(writeStackFile(dir, withSecret as StackInfo)).rejects.toThrow(/librarySecret/);
    const tokenInUrl = stackInfo({
      smh: { baseUrl: "http://127.0.0.1:1/?access_token=abc", libraries: [] },
    });
    await expect(writeStackFile(dir, tokenInUrl)).rejects.toThrow(/no secrets/);
    await expect(readdir(dir)).rejects.toThrow();
  });

  it("says the local stack is not running when its process has exited", async () => {
    await writeStackFile(dir, stackInfo({ pid: 424242 }));
    const read = readStackFile(dir, { isAlive: (pid) => pid !== 424242 });
    await expect(read).rejects.toThrow("the local stack is not running: start it with npm start");
    await expect(read).rejects.toMatchObject({ problem: "stale" });
  });

  it("tells a missing file from an invalid one", async () => {
    await expect(readStackFile(dir)).rejects.toMatchObject({ problem: "missing" });
    await writeStackFile(dir, stackInfo());
    await writeFile(stackFilePath(dir), "{not json");
    await expect(readStackFile(dir)).rejects.toMatchObject({ problem: "invalid" });
    await writeFile(stackFilePath(dir), JSON.stringify({ ...stackInfo(), v: 2 }));
    const invalid = readStackFile(dir);
    await expect(invalid).rejects.toBeInstanceOf(StackFileError);
    await expect(invalid).rejects.toThrow(/not a valid stack file/);
  });

  it("is removed only by the process that wrote it", async () => {
    await writeStackFile(dir, stackInfo());
    expect(await removeStackFile(dir, process.pid + 1)).toBe(false);
    expect(await readFile(stackFilePath(dir), "utf8")).toContain('"v": 1');
    expect(await removeStackFile(dir)).toBe(true);
    await expect(readStackFile(dir)).rejects.toMatchObject({ problem: "missing" });
  });

  it("lives in .smh-cleaner under the working directory unless SMH_CLEANER_STATE_DIR says otherwise", () => {
    expect(stateDir({}, "/srv/app")).toBe("/srv/app/.smh-cleaner");
    expect(stateDir({ SMH_CLEANER_STATE_DIR: "/var/lib/smh" }, "/srv/app")).toBe("/var/lib/smh");
    expect(stateDir({ SMH_CLEANER_STATE_DIR: "state" }, "/srv/app")).toBe("/srv/app/state");
  });
});
