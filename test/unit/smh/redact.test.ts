import { describe, expect, it } from "vitest";
import { REDACTED, redactText, redactUrl } from "../../../lib/smh/redact.ts";

describe("redactUrl", () => {
  it("hides the access token and keeps the rest of the URL readable", () => {
    const url =
      "https://smh1.api.tencentsmh.cn/api/v1/directory/smh1/-/a%20b?permanent=0&access_token=acctk123&user_id=u1";
    expect(redactUrl(url)).toBe(
      `https://smh1.api.tencentsmh.cn/api/v1/directory/smh1/-/a%20b?permanent=0&access_token=${REDACTED}&user_id=u1`,
    );
  });

  it("hides the library secret of a token request", () => {
    const redacted = redactUrl(
      "https://smh1.api.tencentsmh.cn/api/v1/token?library_id=smh1&library_secret=s3cr3t&grant=delete_directory",
    );
    expect(redacted).not.toContain("s3cr3t");
    expect(redacted).toContain("library_id=smh1");
    expect(redacted).toContain("grant=delete_directory");
  });

  it("hides a token carried in the path of the renew and delete token endpoints", () => {
    const redacted = redactUrl(
      new URL("https://smh1.api.tencentsmh.cn/api/v1/token/smh1/acctk123"),
    );
    expect(redacted).toBe(`https://smh1.api.tencentsmh.cn/api/v1/token/smh1/${REDACTED}`);
  });

  it("hides any parameter whose name says token or secret, whatever its case", () => {
    const redacted = redactUrl(
      "https://x.example/?Access_Token=a&clientSecret=b&refreshToken=c&ok=d",
    );
    expect(redacted).not.toMatch(/=a(&|$)|=b(&|$)|=c(&|$)/);
    expect(redacted).toContain("ok=d");
  });

  it("redacts text that is not a URL", () => {
    expect(redactUrl("not a url access_token=acctk123")).toBe(`not a url access_token=${REDACTED}`);
  });
});

describe("redactText", () => {
  it("redacts query pairs, JSON fields, token paths and known values", () => {
    const text = [
      "GET /api/v1/x?access_token=acctk1&x=1",
      '{"accessToken":"acctk2","librarySecret": "sec3"}',
      "DELETE /api/v1/token/smh1/acctk4",
      "the secret is sec5, encoded sec%2F5",
    ].join("\n");
    const redacted = redactText(text, ["sec5", "sec/5"]);
    for (const secret of ["acctk1", "acctk2", "sec3", "acctk4", "sec5", "sec%2F5"]) {
      expect(redacted).not.toContain(secret);
    }
    expect(redacted).toContain("x=1");
  });
});
