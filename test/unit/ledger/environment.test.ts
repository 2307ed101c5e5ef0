// LEDGER_BUCKET is required and checked at cold start; LEDGER_PREFIX is optional.
import { describe, expect, it } from "vitest";
import {
  LEDGER_MAX_ATTEMPTS,
  LedgerConfigError,
  ledgerS3ClientConfig,
  readLedgerSettings,
} from "../../../lib/ledger/environment.ts";

describe("readLedgerSettings", () => {
  it("refuses to start without LEDGER_BUCKET, naming it", () => {
    expect(() => readLedgerSettings({})).toThrow(LedgerConfigError);
    expect(() => readLedgerSettings({ LEDGER_BUCKET: "  " })).toThrow(/LEDGER_BUCKET is not set/);
  });

  it("refuses a bucket name S3 would refuse", () => {
    expect(() => readLedgerSettings({ LEDGER_BUCKET: "Not_A_Bucket" })).toThrow(
      /LEDGER_BUCKET "Not_A_Bucket" must be an S3 bucket name/,
    );
  });

  it("defaults the prefix to results/ and checks a given one", () => {
    expect(readLedgerSettings({ LEDGER_BUCKET: "my-ledger" })).toEqual({
      bucket: "my-ledger",
      prefix: "results/",
    });
    expect(readLedgerSettings({ LEDGER_BUCKET: "my-ledger", LEDGER_PREFIX: "a/b/" }).prefix).toBe(
      "a/b/",
    );
    expect(() => readLedgerSettings({ LEDGER_BUCKET: "my-ledger", LEDGER_PREFIX: "a" })).toThrow(
      /LEDGER_PREFIX "a" must be a key prefix that ends with \//,
    );
    expect(() => readLedgerSettings({ LEDGER_BUCKET: "my-ledger", LEDGER_PREFIX: "/a/" })).toThrow(
      LedgerConfigError,
    );
  });
});

describe("readLedgerSettings takes the bucket and the prefix exactly as set", () => {
  it("refuses a bucket or a prefix with whitespace around it instead of trimming it", () => {
    expect(() => readLedgerSettings({ LEDGER_BUCKET: " my-ledger" })).toThrow(
      /LEDGER_BUCKET " my-ledger" must be an S3 bucket name/,
    );
    expect(() => readLedgerSettings({ LEDGER_BUCKET: "my-ledger\n" })).toThrow(LedgerConfigError);
    expect(() =>
      readLedgerSettings({ LEDGER_BUCKET: "my-ledger", LEDGER_PREFIX: " results/" }),
    ).toThrow(/LEDGER_PREFIX " results\/" begins with whitespace/);
    expect(() =>
      readLedgerSettings({ LEDGER_BUCKET: "my-ledger", LEDGER_PREFIX: "results/ " }),
    ).toThrow(/must be a key prefix that ends with \//);
  });

  it("keeps inner spaces of a prefix as written and treats a blank one as unset", () => {
    expect(readLedgerSettings({ LEDGER_BUCKET: "my-ledger", LEDGER_PREFIX: "a b/" }).prefix).toBe(
      "a b/",
    );
    expect(readLedgerSettings({ LEDGER_BUCKET: "my-ledger", LEDGER_PREFIX: "  " }).prefix).toBe(
      "results/",
    );
  });
});

describe("ledgerS3ClientConfig", () => {
  it("retries within the call and talks path-style to an S3_ENDPOINT", () => {
    const config = ledgerS3ClientConfig({ S3_ENDPOINT: "http://127.0.0.1:9" });
    expect(config.maxAttempts).toBe(LEDGER_MAX_ATTEMPTS);
    expect(config.endpoint).toBe("http://127.0.0.1:9");
    expect(config.forcePathStyle).toBe(true);
  });
});
