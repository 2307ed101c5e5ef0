import { describe, expect, it } from "vitest";
import { retentionScanFromEnv } from "../../../lib/retention/environment.ts";
import { RulesConfigError } from "../../../lib/retention/errors.ts";

const RULES = `v: 1
rules:
  - id: events-yearly
    libraryId: smh1
    spaces: ["-"]
    parent: events
    age: { maxAge: 365d }
`;
const SECRET = "env-secret-0b1c2d3e4f";

function env(
  overrides: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    SMH_POLICY: JSON.stringify({
      libraries: { smh1: { spaces: ["-"], allowedPrefixes: ["events"] } },
    }),
    SMH_LIBRARY_SECRETS: JSON.stringify({ smh1: SECRET }),
    RESULTS_QUEUE_URL: "http://127.0.0.1:1/000000000000/results",
    JOBS_QUEUE_URL: "http://127.0.0.1:1/000000000000/jobs",
    RETENTION_CONTINUATIONS_QUEUE_URL: "http://127.0.0.1:1/000000000000/retention-continuations",
    RETENTION_RULES: RULES,
    LEDGER_BUCKET: "smh-ledger",
    AWS_REGION: "us-east-1",
    ...overrides,
  };
}

describe("the retention scan at cold start", () => {
  it("starts with valid rules, the policy, the secrets and its three queues", () => {
    const wiring = retentionScanFromEnv({ env: env() });
    expect(wiring.deps.rules.rules.map((rule) => rule.id)).toEqual(["events-yearly"]);
    expect(wiring.rulesSource).toBe("RETENTION_RULES");
    expect(wiring.secretsParameter).toBeUndefined();
  });

  it("refuses to start on an invalid rule, naming the field and its line", () => {
    let error: unknown;
    try {
      retentionScanFromEnv({ env: env({ RETENTION_RULES: RULES.replace("365d", "1y") }) });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(RulesConfigError);
    expect((error as Error).message).toMatch(
      /rules\[0\]\.age\.maxAge \(line 7, column \d+\): .*months and years/,
    );
  });

  it("refuses to start on a rule whose library the policy does not list", () => {
    expect(() =>
      retentionScanFromEnv({
        env: env({ RETENTION_RULES: RULES.replace("libraryId: smh1", "libraryId: smh2") }),
      }),
    ).toThrow(/rules\[0\]\.libraryId: library smh2 is not in the deletion policy/);
  });

  it("refuses to start without LEDGER_BUCKET: plan summaries and alerts are kept in the ledger", () => {
    expect(() => retentionScanFromEnv({ env: env({ LEDGER_BUCKET: "" }) })).toThrow(
      /LEDGER_BUCKET is not set/,
    );
  });

  it.each(["JOBS_QUEUE_URL", "RESULTS_QUEUE_URL", "RETENTION_CONTINUATIONS_QUEUE_URL"])(
    "refuses to start without %s",
    (name) => {
      expect(() => retentionScanFromEnv({ env: env({ [name]: "" }) })).toThrow(
        `${name} is not set`,
      );
    },
  );

  it("reads the library secrets from SSM when the parameter is named, and never shows a secret in an error", () => {
    const wiring = retentionScanFromEnv({
      env: env({ SMH_LIBRARY_SECRETS: "", SMH_LIBRARY_SECRETS_SSM_PARAMETER: "/svc/dev/secrets" }),
    });
    expect(wiring.secretsParameter).toBe("/svc/dev/secrets");
    let message = "";
    try {
      retentionScanFromEnv({
        env: env({ SMH_LIBRARY_SECRETS: `{"smh1": "${SECRET}", "bad id": 1}` }),
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).not.toBe("");
    expect(message).not.toContain(SECRET);
  });
});
