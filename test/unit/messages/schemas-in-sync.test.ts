import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderJsonSchemas } from "../../../lib/messages/json-schemas.ts";
import { renderPolicyJsonSchemas } from "../../../lib/policy/json-schema.ts";
import { renderRetentionJsonSchemas } from "../../../lib/retention/json-schema.ts";

const directory = new URL("../../../schemas/", import.meta.url);
// What scripts/generate-schemas.ts writes: the message schemas, the retention rules file's and the
// deletion policy's.
const render = () =>
  new Map([...renderJsonSchemas(), ...renderRetentionJsonSchemas(), ...renderPolicyJsonSchemas()]);
const generated = render();

describe("the committed JSON Schemas", () => {
  it.each([...generated.keys()])("schemas/%s matches the zod schemas", (file) => {
    let committed: string;
    try {
      committed = readFileSync(new URL(file, directory), "utf8");
    } catch {
      throw new Error(`schemas/${file} is missing: run npm run schemas`);
    }
    if (committed !== generated.get(file)) {
      throw new Error(
        `schemas/${file} is out of date with lib/messages, lib/retention or lib/policy: run npm run schemas`,
      );
    }
  });

  it("include no file the zod schemas no longer produce", () => {
    const stale = readdirSync(directory)
      .filter((file) => file.endsWith(".json") && !generated.has(file))
      .map((file) => `schemas/${file}`);
    expect(stale, `delete ${stale.join(", ")}, then run npm run schemas`).toEqual([]);
  });

  it("render the same text every time", () => {
    expect(render()).toEqual(generated);
  });

  it("describe a delete job as strict, with a boolean permanent and a required version", () => {
    const schema = JSON.parse(generated.get("delete-job.v1.json") ?? "{}");
    expect(schema).toMatchObject({
      $id: "urn:smh-batch-cleaner:schema:delete-job:v1",
      additionalProperties: false,
      properties: { permanent: { type: "boolean", default: false }, v: { const: 1 } },
      required: expect.arrayContaining(["v", "libraryId", "path", "source"]),
    });
    expect(schema.required).not.toContain("jobId");
  });

  it("list the retention plan summary and alert among the results a consumer may read", () => {
    const schema = JSON.parse(generated.get("result-message.v1.json") ?? "{}");
    const types = JSON.stringify(schema);
    for (const type of ["deletion", "recycle-action", "retention-plan", "retention-alert"]) {
      expect(types, type).toContain(`"const":"${type}"`);
    }
  });

  it("include the retention rules file's schema, for editors", () => {
    expect(generated.has("retention-rules.v1.json")).toBe(true);
  });

  it("write down in the deletion policy's schema that allowing matches exactly and protecting loosely", () => {
    const schema = JSON.parse(generated.get("deletion-policy.v1.json") ?? "{}");
    const library = schema.properties.libraries.additionalProperties;
    const described = (field: string): string => library.properties[field].description;
    for (const field of ["allowedPrefixes", "allowedPaths", "permanentPrefixes"]) {
      expect(described(field), field).toContain("Matched exactly");
    }
    for (const field of ["protectedPaths", "protectedGlobs"]) {
      expect(described(field), field).toContain("Matched loosely");
      expect(described(field), field).toContain("NFKC");
      expect(described(field), field).toContain("invisible characters");
    }
    expect(library.properties.protectionIgnoresCase).toMatchObject({
      type: "boolean",
      default: true,
    });
  });

  it("say in the delete job's schema that a path is taken exactly as written", () => {
    const schema = JSON.parse(generated.get("delete-job.v1.json") ?? "{}");
    expect(schema.properties.path.description).toContain("taken exactly as written");
  });
});
