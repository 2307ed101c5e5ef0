/** serverless.yml checks that need no packaging. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT } from "./osls.ts";

interface RawConfig {
  params: Record<string, Record<string, unknown>>;
  custom: { topology: string };
}

// CloudFormation tags do not matter for the values read here; the yaml package keeps them as
// plain values and its warnings about them are silenced.
const raw = parse(readFileSync(join(REPO_ROOT, "serverless.yml"), "utf8"), {
  logLevel: "error",
}) as RawConfig;

describe("serverless.yml", () => {
  it("takes the queue topology from topology.yml, which it includes whole", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an osls variable is what is checked.
    expect(raw.custom.topology).toBe("${file(./topology.yml)}");
  });

  it("has no default deletion policy, so a production deployment cannot inherit one", () => {
    expect(raw.params.default).not.toHaveProperty("smhPolicy");
    expect(raw.params.prod ?? {}).not.toHaveProperty("smhPolicy");
  });

  it("keeps the library secrets in a hierarchical SSM parameter, whose ARN the IAM policy builds", () => {
    expect(raw.params.default?.librarySecretsParameter).toMatch(/^\//);
  });
});
