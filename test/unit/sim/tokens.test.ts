import { describe, expect, it } from "vitest";
import {
  call,
  directoryPath,
  LIBRARY_ID,
  LIBRARY_SECRET,
  mintToken,
  OTHER_SPACE_ID,
  SINGLE_ID,
  SINGLE_SECRET,
  SPACE_ID,
  useSimulators,
} from "./helpers.ts";

const start = useSimulators();

describe("access tokens", () => {
  it("mints a token with GET or POST, returning accessToken and the default 86400 s expiresIn", async () => {
    const sim = await start();
    for (const method of ["GET", "POST"]) {
      const res = await call(sim, method, "/api/v1/token", {
        query: { library_id: LIBRARY_ID, library_secret: LIBRARY_SECRET, grant: "admin" },
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        accessToken: expect.stringMatching(/^acctk[0-9a-z]{40}$/),
        expiresIn: 86400,
      });
    }
  });

  it("uses the requested period, and falls back to 86400 for a non-positive or non-numeric period", async () => {
    const sim = await start();
    const query = { library_id: LIBRARY_ID, library_secret: LIBRARY_SECRET };
    expect(
      (await call(sim, "GET", "/api/v1/token", { query: { ...query, period: 60 } })).body.expiresIn,
    ).toBe(60);
    expect(
      (await call(sim, "GET", "/api/v1/token", { query: { ...query, period: 0 } })).body.expiresIn,
    ).toBe(86400);
    expect(
      (await call(sim, "GET", "/api/v1/token", { query: { ...query, period: "x" } })).body
        .expiresIn,
    ).toBe(86400);
  });

  it("refuses a wrong secret or unknown library with 404 WrongLibraryIdOrSecret, missing ones with 400", async () => {
    const sim = await start();
    const wrong = await call(sim, "GET", "/api/v1/token", {
      query: { library_id: LIBRARY_ID, library_secret: "nope" },
    });
    expect([wrong.status, wrong.body.code]).toEqual([404, "WrongLibraryIdOrSecret"]);
    const unknown = await call(sim, "GET", "/api/v1/token", {
      query: { library_id: "smhnone", library_secret: LIBRARY_SECRET },
    });
    expect([unknown.status, unknown.body.code]).toEqual([404, "WrongLibraryIdOrSecret"]);
    const none = await call(sim, "GET", "/api/v1/token");
    expect([none.status, none.body.code]).toEqual([400, "EmptyLibraryIdOrSecret"]);
    const noSecret = await call(sim, "GET", "/api/v1/token", { query: { library_id: LIBRARY_ID } });
    expect([noSecret.status, noSecret.body.code]).toEqual([400, "EmptyLibrarySecret"]);
  });

  it("refuses unknown grant names and unknown spaces when minting", async () => {
    const sim = await start();
    const query = { library_id: LIBRARY_ID, library_secret: LIBRARY_SECRET };
    const grant = await call(sim, "GET", "/api/v1/token", {
      query: { ...query, grant: "delete_everything" },
    });
    expect([grant.status, grant.body.code]).toEqual([400, "ParamInvalid"]);
    const space = await call(sim, "GET", "/api/v1/token", {
      query: { ...query, space_id: "spacenope" },
    });
    expect([space.status, space.body.code]).toEqual([404, "SpaceNotFound"]);
  });

  it("answers 400 EmptyAccessToken without a token and 403 InvalidAccessToken for an unknown one", async () => {
    const sim = await start();
    const missing = await call(sim, "GET", directoryPath("events"));
    expect([missing.status, missing.body.code]).toEqual([400, "EmptyAccessToken"]);
    const unknown = await call(sim, "GET", directoryPath("events"), {
      query: { access_token: "acctkdoesnotexist" },
    });
    expect([unknown.status, unknown.body.code]).toEqual([403, "InvalidAccessToken"]);
  });

  it("treats another library's token as 403 InvalidAccessToken", async () => {
    const sim = await start();
    const singleToken = await mintToken(sim, { libraryId: SINGLE_ID, secret: SINGLE_SECRET });
    const res = await call(sim, "GET", directoryPath("events"), {
      query: { access_token: singleToken },
    });
    expect([res.status, res.body.code]).toEqual([403, "InvalidAccessToken"]);
  });

  it("slides the expiry on every use and expires a token left unused for its period", async () => {
    const sim = await start();
    const token = await mintToken(sim, { period: 60 });
    const list = () =>
      call(sim, "GET", directoryPath("events"), { query: { access_token: token } });
    sim.advanceClock(50_000);
    expect((await list()).status).toBe(200);
    sim.advanceClock(50_000); // 100 s after minting, but only 50 s after the last use
    expect((await list()).status).toBe(200);
    sim.advanceClock(60_001);
    const expired = await list();
    expect([expired.status, expired.body.code]).toEqual([403, "InvalidAccessToken"]);
    expect(sim.tokens().at(-1)?.status).toBe("expired");
  });

  it("renews a token for its original period, and refuses to renew an expired one", async () => {
    const sim = await start();
    const token = await mintToken(sim, { period: 100 });
    sim.advanceClock(90_000);
    const renewed = await call(sim, "POST", `/api/v1/token/${LIBRARY_ID}/${token}`);
    expect(renewed.status).toBe(200);
    expect(renewed.body).toEqual({ accessToken: token, expiresIn: 100 });
    sim.advanceClock(90_000);
    expect(
      (await call(sim, "GET", directoryPath("events"), { query: { access_token: token } })).status,
    ).toBe(200);
    sim.advanceClock(100_001);
    const late = await call(sim, "POST", `/api/v1/token/${LIBRARY_ID}/${token}`);
    expect([late.status, late.body.code]).toEqual([403, "InvalidAccessToken"]);
  });

  it("deletes one token with 204, after which it no longer works", async () => {
    const sim = await start();
    const token = await mintToken(sim);
    const deleted = await call(sim, "DELETE", `/api/v1/token/${LIBRARY_ID}/${token}`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe("");
    const res = await call(sim, "GET", directoryPath("events"), { query: { access_token: token } });
    expect(res.status).toBe(403);
  });

  it("deletes all tokens of a user (optionally only some client ids), with the library secret", async () => {
    const sim = await start();
    const mint = (userId: string, clientId: string) =>
      call(sim, "GET", "/api/v1/token", {
        query: {
          library_id: LIBRARY_ID,
          library_secret: LIBRARY_SECRET,
          grant: "admin",
          user_id: userId,
          client_id: clientId,
        },
      }).then((r) => r.body.accessToken as string);
    const carolWeb = await mint("carol", "web");
    const carolApp = await mint("carol", "app");
    const dave = await mint("dave", "web");
    const works = async (token: string) =>
      (await call(sim, "GET", directoryPath("events"), { query: { access_token: token } }))
        .status === 200;

    const noSecret = await call(sim, "DELETE", `/api/v1/token/${LIBRARY_ID}`, {
      query: { user_id: "carol" },
    });
    expect([noSecret.status, noSecret.body.code]).toEqual([400, "EmptyLibrarySecret"]);
    const noUser = await call(sim, "DELETE", `/api/v1/token/${LIBRARY_ID}`, {
      query: { library_secret: LIBRARY_SECRET },
    });
    expect(noUser.status).toBe(400);

    const byClient = await call(sim, "DELETE", `/api/v1/token/${LIBRARY_ID}`, {
      query: { library_secret: LIBRARY_SECRET, user_id: "carol", client_id: "web" },
    });
    expect(byClient.status).toBe(204);
    expect([await works(carolWeb), await works(carolApp), await works(dave)]).toEqual([
      false,
      true,
      true,
    ]);
    await call(sim, "DELETE", `/api/v1/token/${LIBRARY_ID}`, {
      query: { library_secret: LIBRARY_SECRET, user_id: "carol" },
    });
    expect([await works(carolApp), await works(dave)]).toEqual([false, true]);
  });

  it("keeps a space-bound token to its spaces: another space is 403 AccessTokenNotMatchSpace", async () => {
    const sim = await start();
    const token = await mintToken(sim, { grant: "", spaceId: SPACE_ID });
    expect(
      (await call(sim, "GET", directoryPath("events"), { query: { access_token: token } })).status,
    ).toBe(200);
    const other = await call(sim, "GET", directoryPath("other", OTHER_SPACE_ID), {
      query: { access_token: token },
    });
    expect([other.status, other.body.code]).toEqual([403, "AccessTokenNotMatchSpace"]);
  });

  it("binds a token to several spaces from a comma list, encoded or not", async () => {
    const sim = await start();
    const res = await fetch(
      `${sim.url}/api/v1/token?library_id=${LIBRARY_ID}&library_secret=${LIBRARY_SECRET}&space_id=${SPACE_ID}%2C${OTHER_SPACE_ID}`,
    );
    const token = ((await res.json()) as { accessToken: string }).accessToken;
    for (const [path, space] of [
      ["events", SPACE_ID],
      ["other", OTHER_SPACE_ID],
    ] as const) {
      expect(
        (await call(sim, "GET", directoryPath(path, space), { query: { access_token: token } }))
          .status,
      ).toBe(200);
    }
  });

  it("gives an unbound token without admin no space of a multi-tenant library", async () => {
    const sim = await start();
    const token = await mintToken(sim, { grant: "delete_directory" });
    const res = await call(sim, "GET", directoryPath("events"), { query: { access_token: token } });
    expect([res.status, res.body.code]).toEqual([403, "AccessTokenNotMatchSpace"]);
  });

  it("lets a single-tenant token without space_id work on space -", async () => {
    const sim = await start();
    const token = await mintToken(sim, { libraryId: SINGLE_ID, secret: SINGLE_SECRET, grant: "" });
    const res = await call(sim, "GET", directoryPath("projects", "-", SINGLE_ID), {
      query: { access_token: token },
    });
    expect(res.status).toBe(200);
    expect(res.body.contents.map((e: { name: string }) => e.name)).toEqual(["apollo"]);
  });

  it("accepts Authorization: Bearer by default, and refuses it when acceptBearerToken is off", async () => {
    const sim = await start();
    const token = await mintToken(sim);
    const headers = { authorization: `Bearer ${token}` };
    expect((await call(sim, "GET", directoryPath("events"), { headers })).status).toBe(200);
    sim.setOptions({ acceptBearerToken: false });
    const refused = await call(sim, "GET", directoryPath("events"), { headers });
    expect([refused.status, refused.body.code]).toEqual([400, "EmptyAccessToken"]);
  });

  it("stops every current token on invalidateTokens while new tokens keep working", async () => {
    const sim = await start();
    const before = await mintToken(sim);
    expect(sim.invalidateTokens(LIBRARY_ID)).toBeGreaterThanOrEqual(1);
    expect(
      (await call(sim, "GET", directoryPath("events"), { query: { access_token: before } })).status,
    ).toBe(403);
    const after = await mintToken(sim);
    expect(
      (await call(sim, "GET", directoryPath("events"), { query: { access_token: after } })).status,
    ).toBe(200);
  });

  it("puts X-Request-Id on every answer and {code, message, requestId} in every error body", async () => {
    const sim = await start();
    const token = await mintToken(sim);
    const ok = await call(sim, "GET", directoryPath("events"), { query: { access_token: token } });
    const noContent = await call(sim, "DELETE", `/api/v1/token/${LIBRARY_ID}/${token}`);
    const error = await call(sim, "GET", "/api/v1/nowhere");
    for (const res of [ok, noContent, error])
      expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-z]+$/);
    expect(error.body).toEqual({
      code: "NotSupportedBySimulator",
      message: expect.any(String),
      requestId: error.headers.get("x-request-id"),
    });
  });
});

describe("permissions", () => {
  it("lets any valid token list, but deleting needs delete_directory", async () => {
    const sim = await start();
    const reader = await mintToken(sim, { grant: "", spaceId: SPACE_ID });
    expect(
      (await call(sim, "GET", directoryPath("events"), { query: { access_token: reader } })).status,
    ).toBe(200);
    const denied = await call(sim, "DELETE", directoryPath("events/2024-02-launch"), {
      query: { access_token: reader },
    });
    expect([denied.status, denied.body.code]).toEqual([403, "NoPermission"]);
    expect(sim.exists(LIBRARY_ID, SPACE_ID, "events/2024-02-launch")).toBe(true);
    const deleter = await mintToken(sim, { grant: "delete_directory", spaceId: SPACE_ID });
    expect(
      (
        await call(sim, "DELETE", directoryPath("events/2024-02-launch"), {
          query: { access_token: deleter },
        })
      ).status,
    ).toBe(200);
  });

  it("needs delete_directory_permanent for permanent=1 when the recycle bin is on", async () => {
    const sim = await start();
    const deleter = await mintToken(sim, { grant: "delete_directory", spaceId: SPACE_ID });
    const denied = await call(sim, "DELETE", directoryPath("events"), {
      query: { access_token: deleter, permanent: 1 },
    });
    expect([denied.status, denied.body.code]).toEqual([403, "NoPermission"]);
    const permanent = await mintToken(sim, {
      grant: "delete_directory_permanent",
      spaceId: SPACE_ID,
    });
    const recycleDenied = await call(sim, "DELETE", directoryPath("events"), {
      query: { access_token: permanent },
    });
    expect(recycleDenied.status).toBe(403);
    expect(
      (
        await call(sim, "DELETE", directoryPath("events"), {
          query: { access_token: permanent, permanent: 1 },
        })
      ).status,
    ).toBe(204);
  });

  it("needs only delete_directory for permanent=1 when the recycle bin is off", async () => {
    const sim = await start();
    const token = await mintToken(sim, {
      libraryId: SINGLE_ID,
      secret: SINGLE_SECRET,
      grant: "delete_directory",
    });
    const res = await call(sim, "DELETE", directoryPath("projects", "-", SINGLE_ID), {
      query: { access_token: token, permanent: 1 },
    });
    expect(res.status).toBe(204);
  });

  it("needs restore_recycled to restore and delete_recycled to purge; space_admin covers both", async () => {
    const sim = await start();
    const admin = await mintToken(sim);
    const first = await call(sim, "DELETE", directoryPath("events/2024-01-party"), {
      query: { access_token: admin },
    });
    const second = await call(sim, "DELETE", directoryPath("events/2024-02-launch"), {
      query: { access_token: admin },
    });
    const base = `/api/v1/recycled/${LIBRARY_ID}/${SPACE_ID}`;
    const plain = await mintToken(sim, { grant: "delete_directory", spaceId: SPACE_ID });
    const restoreDenied = await call(sim, "POST", `${base}/${first.body.recycledItemId}`, {
      query: { restore: true, access_token: plain },
    });
    expect([restoreDenied.status, restoreDenied.body.code]).toEqual([403, "NoPermission"]);
    const purgeDenied = await call(sim, "DELETE", `${base}/${first.body.recycledItemId}`, {
      query: { access_token: plain },
    });
    expect(purgeDenied.status).toBe(403);
    const restorer = await mintToken(sim, { grant: "restore_recycled", spaceId: SPACE_ID });
    expect(
      (
        await call(sim, "POST", `${base}/${first.body.recycledItemId}`, {
          query: { restore: true, access_token: restorer },
        })
      ).status,
    ).toBe(200);
    const spaceAdmin = await mintToken(sim, { grant: "space_admin", spaceId: SPACE_ID });
    expect(
      (
        await call(sim, "DELETE", `${base}/${second.body.recycledItemId}`, {
          query: { access_token: spaceAdmin },
        })
      ).status,
    ).toBe(204);
  });
});
