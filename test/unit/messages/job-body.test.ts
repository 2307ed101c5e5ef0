import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DeleteJobSchema } from "../../../lib/messages/delete-job.ts";
import {
  type JobBodyParse,
  MAX_JOB_BODY_BYTES,
  parseJobBody,
} from "../../../lib/messages/job-body.ts";
import { jobBody } from "./factories.ts";

/** The contract for every input: no throw; a refusal has reasons; an acceptance is a valid job. */
function expectWellFormed(parsed: JobBodyParse): void {
  if (parsed.ok) {
    expect(DeleteJobSchema.safeParse(parsed.job).success).toBe(true);
  } else {
    expect(parsed.reasons.length).toBeGreaterThan(0);
    for (const reason of parsed.reasons) {
      expect(typeof reason.path).toBe("string");
      expect(reason.message.length).toBeGreaterThan(0);
    }
    expect(parsed.identity.jobId).toMatch(/^[\x21-\x7e]{1,128}$/);
  }
}

function refused(body: string) {
  const parsed = parseJobBody(body);
  if (parsed.ok) throw new Error("expected a refusal");
  return parsed;
}

describe("parseJobBody on hostile input", () => {
  it("never throws on any string, and refuses with reasons", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), (body) => {
        expectWellFormed(parseJobBody(body));
      }),
      { numRuns: 500 },
    );
  });

  it("never throws on any JSON value, and refuses with reasons", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const parsed = parseJobBody(JSON.stringify(value) ?? "null");
        expectWellFormed(parsed);
        expect(parsed.ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it("never throws on objects with the job's own keys holding arbitrary values", () => {
    const keys = ["v", "jobId", "libraryId", "spaceId", "path", "permanent", "source", "reason"];
    const hostileKeys = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty"];
    const body = fc.dictionary(fc.constantFrom(...keys, ...hostileKeys), fc.jsonValue(), {
      maxKeys: 12,
    });
    fc.assert(
      fc.property(body, (value) => {
        expectWellFormed(parseJobBody(JSON.stringify({ ...jobBody(), ...value })));
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ["null", "null"],
    ["an array", '[{"v":1}]'],
    ["a number", "42"],
    ["a string", '"events/2024"'],
    ["true", "true"],
  ])("refuses %s as a whole-body problem", (_name, body) => {
    expect(refused(body).reasons).toEqual([
      { path: "", message: expect.stringContaining("expected object") },
    ]);
  });

  it.each([
    ["an empty body", ""],
    ["truncated JSON", '{"v":1,"libraryId":"smh1"'],
    ["YAML", "v: 1\nlibraryId: smh1"],
    ["a lone surrogate", "\ud800"],
  ])("refuses %s as not JSON", (_name, body) => {
    expect(refused(body).reasons).toEqual([
      { path: "", message: expect.stringMatching(/^body is not JSON/) },
    ]);
  });

  it("refuses absurdly deep nesting without a stack overflow escaping", () => {
    const deep = `${"[".repeat(200_000)}${"]".repeat(200_000)}`;
    expect(refused(deep).reasons).toHaveLength(1);
    const deepInField = `{"v":1,"path":${"[".repeat(50_000)}${"]".repeat(50_000)}}`;
    expectWellFormed(parseJobBody(deepInField));
  });

  it("refuses a 256 KB body by its size, and still says which job it was", () => {
    const body = JSON.stringify(jobBody({ jobId: "big-1", reason: "x".repeat(256 * 1024) }));
    const parsed = refused(body);
    expect(parsed.reasons).toEqual([
      { path: "", message: expect.stringContaining(`at most ${MAX_JOB_BODY_BYTES}`) },
    ]);
    expect(parsed.identity).toMatchObject({ jobId: "big-1", libraryId: "smh1" });
  });

  it("refuses a 256 KB body that is not JSON by its size", () => {
    expect(refused("x".repeat(256 * 1024)).reasons).toEqual([
      { path: "", message: expect.stringContaining("bytes") },
    ]);
  });

  it("counts the size in UTF-8 bytes, so multi-byte text cannot slip past the limit", () => {
    // 30,000 CJK characters are 90,000 bytes of UTF-8, under 64 Ki UTF-16 code units.
    const body = JSON.stringify(jobBody({ reason: "删".repeat(30_000) }));
    expect(refused(body).reasons[0]?.message).toContain("bytes");
  });

  it("refuses __proto__ and constructor keys by name and pollutes nothing", () => {
    const body = `{"v":1,"libraryId":"smh1","path":"a/b","source":"bulk","__proto__":{"polluted":true,"permanent":true},"constructor":{"prototype":{"polluted":true}}}`;
    const parsed = refused(body);
    expect(parsed.reasons.map((reason) => reason.path)).toEqual(["__proto__", "constructor"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
    expect(parsed.identity).not.toHaveProperty("polluted");
    expect(Object.getPrototypeOf(parsed.identity)).toBe(Object.prototype);
  });

  it("does not take permanent from a __proto__ object", () => {
    const parsed = refused(
      `{"v":1,"libraryId":"smh1","path":"a","source":"b","__proto__":{"permanent":true}}`,
    );
    expect(parsed.identity.permanent).toBeUndefined();
  });
});

describe("a refused job body still says which job it was", () => {
  it("keeps every identifying field that is valid", () => {
    const body = JSON.stringify(
      jobBody({ jobId: "job-7", spaceId: "space1", permanent: true, ruleId: "r1", bogus: 1 }),
    );
    expect(refused(body).identity).toEqual({
      jobId: "job-7",
      libraryId: "smh1",
      spaceId: "space1",
      path: "events/2024/party",
      permanent: true,
      source: "bulk",
      ruleId: "r1",
    });
  });

  it("keeps the invalid path as written, so the producer recognises it", () => {
    expect(refused(JSON.stringify(jobBody({ path: "/events/../users" }))).identity.path).toBe(
      "/events/../users",
    );
  });

  it("leaves out identifying fields that are themselves invalid", () => {
    const identity = refused(
      JSON.stringify({ jobId: 5, libraryId: "a b", spaceId: [], path: 3 }),
    ).identity;
    expect(identity).toEqual({ jobId: expect.stringMatching(/^body-[0-9a-f]{32}$/) });
  });

  it("is named after the body when it has no valid jobId: the same body, the same name", () => {
    const body = '{"v":1,"oops":true}';
    expect(refused(body).identity.jobId).toBe(refused(body).identity.jobId);
    expect(refused(body).identity.jobId).not.toBe(refused('{"v":1,"oops":false}').identity.jobId);
  });
});

describe("a job body that gives a key twice", () => {
  it("is refused, naming the key, whichever value a JSON reader would keep", () => {
    const body =
      '{"v":1,"libraryId":"smh1","path":"projects/apollo","source":"bulk","path":"scratch/x"}';
    const parsed = parseJobBody(body);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.reasons).toEqual([
      { path: "path", code: "duplicate-key", message: expect.stringContaining("given twice") },
    ]);
  });

  it("is refused for a key given twice inside a nested value too", () => {
    const parsed = parseJobBody(
      '{"v":1,"libraryId":"smh1","path":"a/b","source":"bulk","reason":{"x":1,"x":2}}',
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(
      parsed.reasons.map((reason) => [reason.path, "code" in reason ? reason.code : undefined]),
    ).toEqual([
      ["reason.x", "duplicate-key"],
      ["reason", undefined],
    ]);
  });

  it("is read when the same text appears as a key and as a value, or in two objects", () => {
    const parsed = parseJobBody(
      '{"v":1,"libraryId":"smh1","path":"path","source":"bulk","requestedBy":"v \\"path\\": x"}',
    );
    expect(parsed.ok).toBe(true);
  });
});
