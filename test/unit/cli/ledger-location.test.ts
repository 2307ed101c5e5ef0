// Where the ledger commands find the ledger: flags, then environment, then the local stack file.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CliError } from "../../../lib/cli/errors.ts";
import { ExitCode } from "../../../lib/cli/exit-codes.ts";
import { createLedgerContext } from "../../../lib/cli/ledger/location.ts";
import { writeStackFile } from "../../../lib/local/stack-file.ts";
import { stackInfo } from "./factories.ts";

let cwd: string;
beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), "smh-ledger-location-"));
});
afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

const ledger = {
  s3Endpoint: "http://127.0.0.1:4566",
  region: "eu-west-1",
  bucket: "local-ledger",
  prefix: "local/",
};
const withStack = (withLedger = true) =>
  writeStackFile(join(cwd, ".smh-cleaner"), stackInfo(withLedger ? { ledger } : {}));

describe("finding the ledger", () => {
  it("takes the live local stack's bucket, endpoint, region and prefix by default", async () => {
    await withStack();
    const context = await createLedgerContext({}, { env: {}, cwd });
    expect(context).toMatchObject({
      from: "stack",
      endpoint: "http://127.0.0.1:4566",
      source: { bucket: "local-ledger", prefix: "local/" },
      where: "s3://local-ledger/local/ at http://127.0.0.1:4566",
    });
    expect(await context.source.s3.config.region()).toBe("eu-west-1");
    context.close();
  });

  it("prefers the flag to the environment, and never mixes a configured bucket with the stack's endpoint", async () => {
    await withStack();
    const env = { LEDGER_BUCKET: "env-bucket", LEDGER_PREFIX: "env/" };
    const fromEnv = await createLedgerContext({}, { env, cwd });
    expect(fromEnv).toMatchObject({
      from: "env",
      endpoint: undefined,
      source: { bucket: "env-bucket", prefix: "env/" },
    });
    fromEnv.close();
    const fromFlag = await createLedgerContext(
      { bucket: "flag-bucket", s3Endpoint: "http://127.0.0.1:9000", prefix: "" },
      { env, cwd },
    );
    expect(fromFlag).toMatchObject({
      from: "flag",
      endpoint: "http://127.0.0.1:9000",
      source: { bucket: "flag-bucket", prefix: "" },
    });
    fromFlag.close();
  });

  it("does not use the stack's bucket at another endpoint, and then says what to configure (exit 5)", async () => {
    await withStack();
    const elsewhere = createLedgerContext(
      { s3Endpoint: "http://127.0.0.1:9999" },
      { env: {}, cwd },
    );
    await expect(elsewhere).rejects.toThrow(/no ledger bucket is configured: pass --bucket/);
    await expect(elsewhere).rejects.toMatchObject({ exitCode: ExitCode.unavailable });
  });

  it("says so when the stack keeps no ledger or is not running", async () => {
    await withStack(false);
    await expect(createLedgerContext({}, { env: {}, cwd })).rejects.toThrow(
      /no ledger bucket is configured/,
    );
    await expect(createLedgerContext({}, { env: {}, cwd, isAlive: () => false })).rejects.toThrow(
      /the local stack is not running/,
    );
  });

  it("refuses a prefix that does not end with / (exit 2)", async () => {
    const attempt = createLedgerContext({ bucket: "b", prefix: "results" }, { env: {}, cwd });
    await expect(attempt).rejects.toBeInstanceOf(CliError);
    await expect(attempt).rejects.toMatchObject({ exitCode: ExitCode.usage });
  });
});
