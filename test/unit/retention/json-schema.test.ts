import { describe, expect, it } from "vitest";
import { renderRetentionJsonSchemas } from "../../../lib/retention/json-schema.ts";

const rendered = renderRetentionJsonSchemas();
const schema = JSON.parse(rendered.get("retention-rules.v1.json") ?? "{}");
const ruleSchema = schema.properties?.rules?.items;

describe("the retention rules JSON Schema", () => {
  it("is one file, retention-rules.v1.json, rendered the same every time", () => {
    expect([...rendered.keys()]).toEqual(["retention-rules.v1.json"]);
    expect(renderRetentionJsonSchemas()).toEqual(rendered);
  });

  it("identifies itself and requires the version", () => {
    expect(schema).toMatchObject({
      $schema: "https://json-schema.org/draft/2020-12/schema",
      $id: "urn:smh-batch-cleaner:schema:retention-rules:v1",
      additionalProperties: false,
      properties: { v: { const: 1 } },
      required: ["v", "rules"],
    });
  });

  it("describes a rule as strict, with its required fields and documented defaults", () => {
    expect(ruleSchema).toMatchObject({
      additionalProperties: false,
      required: expect.arrayContaining(["id", "libraryId", "spaces", "parent", "age"]),
      properties: {
        permanent: { type: "boolean", default: false },
        enabled: { type: "boolean", default: true },
        dryRun: { type: "boolean", default: false },
        caps: {
          additionalProperties: false,
          properties: {
            maxDeletesPerRun: { default: 100, maximum: 1000, minimum: 1 },
            maxFractionPerRun: { default: 0.5, maximum: 1 },
          },
        },
      },
    });
    expect(ruleSchema.required).not.toContain("permanent");
  });

  it("describes name patterns as a glob string, { glob } or { regex }", () => {
    const include = ruleSchema.properties.match.properties.include;
    expect(include.minItems).toBe(1);
    const options = include.items.anyOf;
    expect(options).toHaveLength(3);
    expect(options[0].type).toBe("string");
    expect(options[1].required).toEqual(["glob"]);
    expect(options[2].required).toEqual(["regex"]);
  });

  it('allows only "dir" as the match type', () => {
    expect(ruleSchema.properties.match.properties.type).toMatchObject({
      const: "dir",
      default: "dir",
    });
  });
});
