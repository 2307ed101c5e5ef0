import { describe, expect, it } from "vitest";
import { esbuildOptionsFromServerless } from "../../../bench/cold-start.ts";

describe("benchmark bundling", () => {
  it("bundles with serverless-esbuild's reading of custom.esbuild: exclude becomes external, the extension outExtension", () => {
    const options = esbuildOptionsFromServerless(`
custom:
  esbuild:
    minify: true
    format: esm
    outputFileExtension: .mjs
    exclude:
      - "@aws-sdk/*"
provider:
  environment:
    RESULTS_QUEUE_URL: !Ref ResultsQueue
`);
    expect(options).toMatchObject({
      bundle: true,
      platform: "node",
      minify: true,
      format: "esm",
      external: ["@aws-sdk/*"],
      outExtension: { ".js": ".mjs" },
    });
    expect(options).not.toHaveProperty("exclude");
    expect(options).not.toHaveProperty("outputFileExtension");
  });
});
