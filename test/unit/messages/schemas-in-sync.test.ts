import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderJsonSchemas } from "../../../lib/messages/index.ts";

const directory = new URL("../../../schemas/", import.meta.url);
const generated = renderJsonSchemas();

describe("the committed JSON Schemas", () => {
  it.each([...generated.keys()])("schemas/%s matches the zod schemas", (file) => {
    let committed: string;
    try {
      committed = readFileSync(new URL(file, directory), "utf8");
    } catch {
      throw new Error(`schemas/${file} is missing: run npm run schemas`);
    }
    if (committed !== generated.get(file)) {
      throw new Error(`schemas/${file} is out of date with lib/messages: run npm run schemas`);
    }
  });

  it("include no file the zod schemas no longer produce", () => {
    const stale = readdirSync(directory)
      .filter((file) => file.endsWith(".json") && !generated.has(file))
      .map((file) => `schemas/${file}`);
    expect(stale, `delete ${stale.join(", ")}, then run npm run schemas`).toEqual([]);
  });

  it("render the same text every time", () => {
    expect(renderJsonSchemas()).toEqual(generated);
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
});
