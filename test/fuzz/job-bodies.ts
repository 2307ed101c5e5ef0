/**
 * Arbitrary jobs-queue message bodies that must all be refused: each is a valid job with at least
 * one defect, or not a job at all. Built so that no body can be valid by accident — every branch
 * carries a defect the DeleteJob contract names (see lib/messages/delete-job.ts) — while the rest
 * of the body is as valid as possible, so a defect that slipped through would reach SMH.
 */
import fc from "fast-check";
import { MAX_JOB_BODY_BYTES } from "../../lib/messages/job-body.ts";

/** A body and what is wrong with it (for failure messages). */
export interface BadBody {
  readonly body: string;
  readonly defect: string;
}

/** The fields a DeleteJob may have. */
const KNOWN_FIELDS = new Set([
  "v",
  "jobId",
  "libraryId",
  "spaceId",
  "path",
  "permanent",
  "userId",
  "source",
  "requestedBy",
  "reason",
  "ruleId",
  "planId",
]);
const STRING_FIELDS = [
  "jobId",
  "libraryId",
  "spaceId",
  "path",
  "userId",
  "source",
  "requestedBy",
  "reason",
  "ruleId",
  "planId",
] as const;
const REQUIRED_FIELDS = ["v", "libraryId", "path", "source"] as const;

/** Characters a name may have, some of them far from ASCII. */
const nameChar = fc.constantFrom(...Array.from("abcxyz019-_ .éßж日本🙂'\""));
// Taken exactly as written: no whitespace at either end (a look-alike; see badPath).
const segment = fc
  .array(nameChar, { minLength: 1, maxLength: 12 })
  .map((chars) => chars.join(""))
  .filter((name) => name.trim() === name && name !== "" && name !== "." && name !== "..");

/** A valid path under `jobs/`, as a producer could write it (slashes doubled or trailing). */
export const validPath = fc
  .tuple(fc.array(segment, { minLength: 1, maxLength: 3 }), fc.constantFrom("", "/", "//"))
  .map(([segments, edge]) => `${edge}jobs/${segments.join(edge === "//" ? "//" : "/")}${edge}`);

/** A valid DeleteJob for `libraryId` (jobId `fuzz-…`), with some optional fields. */
export function validJob(libraryId: string): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .record(
      {
        jobId: fc.integer({ min: 0, max: 1e9 }).map((n) => `fuzz-${n}`),
        path: validPath,
        spaceId: fc.constant("-"),
        permanent: fc.constant(false),
        reason: fc.string({ maxLength: 40 }).filter((text) => /^[^\p{Cc}]+$/u.test(text)),
        requestedBy: fc.constantFrom("fuzz", "ops@example.com"),
      },
      { requiredKeys: ["jobId", "path"] },
    )
    .map((fields) => ({ v: 1, ...fields, libraryId, source: "fuzz" }));
}

const wrongForString = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 }), { maxKeys: 2 }),
);

/** Paths the schema must refuse, each with the problem's name. */
const badPath: fc.Arbitrary<[string, unknown]> = fc.oneof(
  fc.constantFrom<[string, unknown]>(
    ["empty path", ""],
    ["root", "/"],
    ["root", "//"],
    ["blank around the root", " / "],
    ["dot", "."],
    ["dot", "jobs/./x"],
    ["dot-dot", ".."],
    ["dot-dot", "jobs/.."],
    ["dot-dot", "../jobs/x"],
    ["dot-dot", "jobs/../../etc"],
    ["dot-dot", "jobs/x/../.."],
  ),
  fc
    .tuple(
      validPath,
      fc
        .integer({ min: 0, max: 0x1f })
        .chain((low) =>
          fc.constantFrom(low, 0x7f, 0x85, 0x9f).map((code) => String.fromCharCode(code)),
        ),
      fc.nat(),
    )
    .map(([path, control, at]): [string, unknown] => {
      const i = 5 + (at % Math.max(1, path.length - 5));
      return ["control character", `${path.slice(0, i)}${control}${path.slice(i)}`];
    }),
  fc
    .integer({ min: 256, max: 600 })
    .map((n): [string, unknown] => ["long segment", `jobs/${"s".repeat(n)}`]),
  fc
    .integer({ min: 4097, max: 9000 })
    .map((n): [string, unknown] => ["long path", `jobs/${"ab/".repeat(Math.ceil(n / 3))}`]),
  fc.constantFrom<[string, unknown]>(
    ["lone surrogate", "jobs/\ud800x"],
    ["lone surrogate", "jobs/x\udfff"],
    ["edge whitespace", "jobs/x "],
    ["edge whitespace", "\u00a0jobs/x"],
    ["edge whitespace", "jobs/x\u3000"],
    ["edge whitespace", "jobs/ /x"],
    ["invisible character", "jobs/x\u200b"],
    ["invisible character", "jobs/\u202ex"],
    ["invisible character", "jobs/\ufeffx"],
    ["backslash", "jobs\\x"],
    ["encoded dot-dot", "jobs/%2e%2e/x"],
    ["encoded dot-dot", "jobs/%252E%252E"],
    ["encoded separator", "jobs/..%2Fx"],
    ["encoded separator", "jobs/a%5Cb"],
    ["encoded control character", "jobs/a%00"],
  ),
);

/** Identifiers the schema must refuse. */
const badIdentifier: fc.Arbitrary<[string, string, unknown]> = fc.oneof(
  fc
    .constantFrom("", "-x", "a b", "smh库", "a/b", "a".repeat(65), "..", "lib\u0000")
    .map((value): [string, string, unknown] => ["bad libraryId", "libraryId", value]),
  fc
    .constantFrom("", "a/b", "..", " ", "sp\u00e4ce", "x".repeat(65))
    .map((value): [string, string, unknown] => ["bad spaceId", "spaceId", value]),
  fc
    .constantFrom("", "has space", "ü-umlaut", "x".repeat(129), "tab\there")
    .map((value): [string, string, unknown] => ["bad jobId", "jobId", value]),
  fc
    .constantFrom("", "x".repeat(65), "ctl\u0007", "line\nbreak")
    .map((value): [string, string, unknown] => ["bad source", "source", value]),
);

/** A key that is not a DeleteJob field: misspellings, prototype names, anything. */
const unknownKey = fc
  .oneof(
    fc.constantFrom(
      "__proto__",
      "constructor",
      "prototype",
      "toString",
      "hasOwnProperty",
      "dryRun",
      "permanant",
      "Path",
      "recursive",
      "",
    ),
    fc.string({ minLength: 1, maxLength: 20 }),
  )
  .filter((key) => !KNOWN_FIELDS.has(key));

/** JSON text of `object` with `key: value` appended (written by hand: `__proto__` stays a key). */
function withKey(object: Record<string, unknown>, key: string, value: unknown): string {
  const text = JSON.stringify(object);
  return `${text.slice(0, -1)},${JSON.stringify(key)}:${JSON.stringify(value) ?? "null"}}`;
}

/** Every kind of body that must be refused. */
export function badJobBody(libraryId: string): fc.Arbitrary<BadBody> {
  const job = validJob(libraryId);
  return fc.oneof(
    // Not JSON: random text, a valid job cut short, JSON5-ish and friends.
    fc
      .string({ unit: "binary", maxLength: 300 })
      .filter((text) => !isJsonObject(text))
      .map((body) => ({ body, defect: "arbitrary text" })),
    fc.tuple(job, fc.nat()).map(([fields, cut]) => {
      const text = JSON.stringify(fields);
      return { body: text.slice(0, cut % text.length), defect: "truncated JSON" };
    }),
    fc.constantFrom(
      { body: "", defect: "empty body" },
      { body: " ", defect: "blank body" },
      { body: "\n\t", defect: "blank body" },
      { body: "{}", defect: "empty object" },
      { body: "{v:1}", defect: "JSON5" },
      { body: "{'v':1}", defect: "single quotes" },
      { body: `${"[".repeat(20_000)}${"]".repeat(20_000)}`, defect: "deep nesting" },
      { body: `${'{"a":'.repeat(5_000)}1${"}".repeat(5_000)}`, defect: "deep nesting" },
    ),
    // JSON, but not an object.
    fc
      .jsonValue({ maxDepth: 3 })
      .filter((value) => typeof value !== "object" || value === null || Array.isArray(value))
      .map((value) => ({ body: JSON.stringify(value), defect: "JSON that is not an object" })),
    job.map((fields) => ({ body: JSON.stringify([fields]), defect: "a job inside an array" })),
    // Huge: a valid job padded past the size limit, up to what SQS carries (256 KiB).
    fc
      .tuple(
        job,
        fc.integer({ min: MAX_JOB_BODY_BYTES + 1, max: 250 * 1024 }),
        // Characters JSON writes as they are, so the body stays within what SQS carries.
        fc.constantFrom("x", " ", "é", "日"),
      )
      .map(([fields, bytes, char]) => {
        const filler = char.repeat(Math.ceil(bytes / Buffer.byteLength(char)));
        return { body: JSON.stringify({ ...fields, reason: filler }), defect: "over 64 KiB" };
      }),
    // A field of the wrong type.
    fc
      .tuple(job, fc.constantFrom(...STRING_FIELDS), wrongForString)
      .map(([fields, field, value]) => ({
        body: JSON.stringify({ ...fields, [field]: value }),
        defect: `${field} is not a string`,
      })),
    fc
      .tuple(job, fc.constantFrom("true", "false", 1, 0, null, "yes", [true], {}))
      .map(([fields, value]) => ({
        body: JSON.stringify({ ...fields, permanent: value }),
        defect: "permanent is not a JSON boolean",
      })),
    fc
      .tuple(job, fc.constantFrom(0, 2, -1, 1.5, "1", "v1", null, true, [1]))
      .map(([fields, value]) => ({
        body: JSON.stringify({ ...fields, v: value }),
        defect: "unsupported v",
      })),
    // A path or identifier SMH must never see.
    fc.tuple(job, badPath).map(([fields, [problem, path]]) => ({
      body: JSON.stringify({ ...fields, path }),
      defect: problem,
    })),
    fc.tuple(job, badIdentifier).map(([fields, [problem, field, value]]) => ({
      body: JSON.stringify({ ...fields, [field]: value }),
      defect: problem,
    })),
    // A required field missing.
    fc.tuple(job, fc.constantFrom(...REQUIRED_FIELDS)).map(([fields, missing]) => {
      const { [missing]: _dropped, ...rest } = fields;
      return { body: JSON.stringify(rest), defect: `missing ${missing}` };
    }),
    // An unknown key, `__proto__` and `constructor` included, with any value.
    fc.tuple(job, unknownKey, fc.jsonValue({ maxDepth: 2 })).map(([fields, key, value]) => ({
      body: withKey(fields, key, value),
      defect: `unknown key ${JSON.stringify(key)}`,
    })),
    // A duplicate key whose last value is bad: JSON.parse keeps the last one.
    fc.tuple(job, badPath).map(([fields, [problem, path]]) => ({
      body: withKey(fields, "path", path),
      defect: `duplicate path key, the last ${problem}`,
    })),
    // Several defects at once.
    fc
      .tuple(job, badPath, unknownKey, fc.constantFrom(...STRING_FIELDS), wrongForString)
      .filter(([, , , field]) => field !== "path")
      .map(([fields, [problem, path], key, field, value]) => ({
        body: withKey({ ...fields, path, [field]: value }, key, true),
        defect: `${problem}, ${field} mistyped and an unknown key`,
      })),
  );
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/**
 * Whether the local SQS (fauxqs) carries `body`: at least one character, each of #x9, #xA, #xD,
 * #x20–#xD7FF or #xE000–#xFFFD. SQS refuses anything else with InvalidMessageContents, so such a
 * body never reaches the handler. SQS also accepts #x10000–#x10FFFF (emoji), but fauxqs 2.4.1
 * refuses them (its check has no `u` flag and no astral range), so they are left out here too.
 */
export function fauxqsCanCarry(body: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the allowed set starts with controls.
  return body.length > 0 && !/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD]/.test(body);
}
