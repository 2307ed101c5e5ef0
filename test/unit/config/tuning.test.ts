// The tuning variables of the README's configuration table that no other test names: each does
// what the table says, and a variable the product no longer reads stops the cold start.
import { describe, expect, it } from "vitest";
import { RETIRED_VARIABLES, RetiredVariableError } from "../../../lib/config/env.ts";
import { LibrarySecrets } from "../../../lib/config/library-secrets.ts";
import { readSmhEnv, smhClientFromEnv } from "../../../lib/config/smh-client.ts";
import { readRecycleSettings } from "../../../lib/recycle/settings.ts";
import { LISTING_PAGE_SIZE, readRetentionSettings } from "../../../lib/retention/settings.ts";

function clientWith(env: Record<string, string>) {
  return smhClientFromEnv(["lib1"], new LibrarySecrets(), undefined, env);
}

describe("SMH_INITIAL_RATE", () => {
  it("is the rate the limiter starts at", () => {
    expect(clientWith({ SMH_INITIAL_RATE: "37" }).limiterStats("lib1").rate).toBe(37);
  });

  it("leaves the SMH client's default start rate when unset or empty", () => {
    expect(clientWith({}).limiterStats("lib1").rate).toBe(200);
    expect(clientWith({ SMH_INITIAL_RATE: "" }).limiterStats("lib1").rate).toBe(200);
  });

  it("must be a positive number", () => {
    expect(() => readSmhEnv({ SMH_INITIAL_RATE: "0" })).toThrow(/SMH_INITIAL_RATE/);
  });
});

describe("RECYCLE_CONCURRENCY", () => {
  it("sets the SMH calls in flight per recycle-actions invocation, 4 by default, at most 100", () => {
    expect(readRecycleSettings({}).concurrency).toBe(4);
    expect(readRecycleSettings({ RECYCLE_CONCURRENCY: "9" }).concurrency).toBe(9);
    expect(() => readRecycleSettings({ RECYCLE_CONCURRENCY: "101" })).toThrow(
      /RECYCLE_CONCURRENCY/,
    );
  });
});

describe("variables the product no longer reads", () => {
  it.each(Object.keys(RETIRED_VARIABLES))("%s stops the cold start, naming what to do", (name) => {
    const env = { [name]: "10" };
    expect(() => readSmhEnv(env)).toThrow(RetiredVariableError);
    expect(() => readSmhEnv(env)).toThrow(new RegExp(`^${name} is set, but .+; remove it$`));
  });

  it("names the new name of SMH_RATE_LIMIT", () => {
    expect(() => readSmhEnv({ SMH_RATE_LIMIT: "200" })).toThrow(/renamed SMH_INITIAL_RATE/);
  });

  it("lets an empty retired variable pass (empty counts as unset)", () => {
    expect(() => readSmhEnv({ SMH_MAX_RATE: "" })).not.toThrow();
  });

  it("lists a retention page as SMH's maximum of 100 entries", () => {
    expect(readRetentionSettings({}).pageSize).toBe(LISTING_PAGE_SIZE);
    expect(LISTING_PAGE_SIZE).toBe(100);
  });
});
