/** serverless.yml checks that need no packaging, or only as far as osls resolving variables. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { packageService, REPO_ROOT } from "./osls.ts";

const { ledgerExpiryDays } = createRequire(import.meta.url)(
  "../../../scripts/ledger-retention.cjs",
) as { ledgerExpiryDays: (ledger: unknown, bin: unknown) => number };

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

  it("lets every principal of the account send jobs and recycle actions in dev only: no other stage has a default", () => {
    for (const name of ["jobProducerPrincipals", "recycleActionProducerPrincipals"]) {
      for (const [stage, params] of Object.entries(raw.params)) {
        if (stage === "dev") {
          // CloudFormation's placeholders, not a template string.
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the text serverless.yml holds.
          const accountRoot = "arn:${AWS::Partition}:iam::${AWS::AccountId}:root";
          expect(params[name], `params.dev.${name}`).toBe(accountRoot);
        } else {
          expect(params, `params.${stage}`).not.toHaveProperty(name);
        }
      }
    }
  });

  it("lets only the schedule invoke the retention scan unless roles are named", () => {
    expect(raw.params.default?.retentionInvokerRoles).toBe("");
  });

  it("keeps the ledger at least as long as the recycle bin keeps items, by default", () => {
    const defaults = raw.params.default ?? {};
    expect(
      ledgerExpiryDays(defaults.ledgerRetentionDays, defaults.recycleBinRetentionDays),
    ).toBeGreaterThanOrEqual(Number(defaults.recycleBinRetentionDays));
  });
});

describe("the ledger's expiry check (scripts/ledger-retention.cjs)", () => {
  it("gives the ledger's expiry when it is at least the recycle bin's retention", () => {
    expect(ledgerExpiryDays("400", "30")).toBe(400);
    expect(ledgerExpiryDays("90", "90")).toBe(90);
  });

  it("refuses a ledger that would forget restore handles before the recycle bin forgets the items", () => {
    expect(() => ledgerExpiryDays("30", "90")).toThrow(
      "ledgerRetentionDays (30) must be at least recycleBinRetentionDays (90)",
    );
  });

  it.each([
    ["", "30"],
    ["30.5", "30"],
    ["400", "-1"],
    ["400", "0"],
  ])("refuses days that are not whole numbers (%j, %j)", (ledger, bin) => {
    expect(() => ledgerExpiryDays(ledger, bin)).toThrow(/must be whole numbers of days/);
  });
});

describe("packaging a production-like stage", () => {
  it("fails without the producer principals, naming each parameter to set", async () => {
    const workDir = mkdtempSync(join(tmpdir(), "smh-serverless-prod-"));
    try {
      let failure: unknown;
      try {
        await packageService(workDir, {
          stage: "prod",
          params: {
            smhPolicy: '{"libraries":{}}',
            retentionRulesFile: "examples/retention-rules.yml",
          },
        });
      } catch (error) {
        failure = error;
      }
      expect(failure, "osls package succeeded").toBeInstanceOf(Error);
      const output = (failure as Error).message;
      for (const name of ["jobProducerPrincipals", "recycleActionProducerPrincipals"]) {
        expect(output).toContain(
          `Cannot resolve variable at "custom.requiredParams.${name}": Value not found at "param" source`,
        );
      }
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  }, 120_000);

  it("fails when the ledger would expire before the recycle bin, naming both parameters", async () => {
    const workDir = mkdtempSync(join(tmpdir(), "smh-serverless-ledger-"));
    try {
      let failure: unknown;
      try {
        await packageService(workDir, {
          stage: "dev",
          params: {
            smhPolicy: '{"libraries":{}}',
            retentionRulesFile: "examples/retention-rules.yml",
            recycleBinRetentionDays: "90",
            ledgerRetentionDays: "30",
          },
        });
      } catch (error) {
        failure = error;
      }
      expect(failure, "osls package succeeded").toBeInstanceOf(Error);
      expect((failure as Error).message).toContain(
        "ledgerRetentionDays (30) must be at least recycleBinRetentionDays (90)",
      );
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  }, 120_000);
});
