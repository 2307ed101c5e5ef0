import { afterEach, describe, expect, it } from "vitest";
import { createSmhClient } from "../../../lib/smh/client.ts";
import {
  DEFAULT_BASE_URL_TEMPLATE,
  resolveBaseUrl,
  secretFromEnvironment,
} from "../../../lib/smh/config.ts";
import { SmhConfigurationError } from "../../../lib/smh/errors/configuration-error.ts";
import { LIBRARY, SECRET } from "./helpers/client.ts";
import { SmhTestServer } from "./helpers/smh-test-server.ts";

describe("base URLs", () => {
  it("defaults to the library's own domain", () => {
    expect(DEFAULT_BASE_URL_TEMPLATE).toBe("https://{libraryId}.api.tencentsmh.cn");
    expect(resolveBaseUrl(DEFAULT_BASE_URL_TEMPLATE, "smh1a2b").href).toBe(
      "https://smh1a2b.api.tencentsmh.cn/",
    );
  });

  it("takes a template for all libraries and a per-library override", () => {
    const template = "https://{libraryId}.ap-singapore.api.tencentsmh.com";
    expect(resolveBaseUrl(template, "smhx").host).toBe("smhx.ap-singapore.api.tencentsmh.com");
    expect(resolveBaseUrl(template, "smhx", "https://proxy.example/smh/").href).toBe(
      "https://proxy.example/smh/",
    );
  });

  it("refuses plain HTTP except on loopback, and URLs carrying a query or credentials", () => {
    expect(() => resolveBaseUrl("http://{libraryId}.example", "smhx")).toThrow(
      SmhConfigurationError,
    );
    expect(resolveBaseUrl("http://127.0.0.1:8080", "smhx").port).toBe("8080");
    expect(resolveBaseUrl("http://localhost:8080", "smhx").hostname).toBe("localhost");
    expect(() => resolveBaseUrl("https://x.example/?a=1", "smhx")).toThrow(SmhConfigurationError);
    expect(() => resolveBaseUrl("https://user:pw@x.example", "smhx")).toThrow(
      SmhConfigurationError,
    );
    expect(() => resolveBaseUrl("not a url", "smhx")).toThrow(SmhConfigurationError);
  });
});

describe("createSmhClient", () => {
  it("checks its options at once", () => {
    const library = { libraryId: LIBRARY, librarySecret: SECRET };
    expect(() => createSmhClient({ libraries: [{ ...library, libraryId: "a/b" }] })).toThrow();
    expect(() => createSmhClient({ libraries: [library, library] })).toThrow(/configured twice/);
    expect(() => createSmhClient({ libraries: [{ ...library, librarySecret: "" }] })).toThrow();
    expect(() =>
      createSmhClient({ libraries: [{ ...library, baseUrl: "http://x.example" }] }),
    ).toThrow(SmhConfigurationError);
    expect(() => createSmhClient({ libraries: [library], retry: { limit: -1 } })).toThrow();
    expect(() => createSmhClient({ libraries: [library], limiter: { maxInFlight: 0 } })).toThrow();
  });
});

describe("secretFromEnvironment", () => {
  let server: SmhTestServer | undefined;
  afterEach(async () => {
    await server?.close();
  });

  it("reads the variable when a token is minted, not before", async () => {
    server = await SmhTestServer.start();
    server.on("DELETE", /^\/api\/v1\/directory\//, () => ({ status: 204 }));
    const environment: NodeJS.ProcessEnv = {};
    const client = createSmhClient({
      libraries: [
        {
          libraryId: LIBRARY,
          baseUrl: server.url,
          librarySecret: secretFromEnvironment("SMH_SECRET", environment),
        },
      ],
    });
    await expect(
      client.deleteDirectory({ libraryId: LIBRARY, spaceId: "-", path: "a" }),
    ).rejects.toThrow(/SMH_SECRET is not set/);
    environment.SMH_SECRET = SECRET;
    await client.deleteDirectory({ libraryId: LIBRARY, spaceId: "-", path: "a" });
    expect(server.tokenRequests()[0]?.query.get("library_secret")).toBe(SECRET);
  });
});
