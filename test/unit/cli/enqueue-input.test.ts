// How `smh-cleaner enqueue` reads and validates its input: plain lists, CSV and NDJSON.
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { JobDefaults } from "../../../lib/cli/input/jobs.ts";
import { readJobsFrom, readJobsFromArguments } from "../../../lib/cli/input/read.ts";
import { formatOf, type InputFormat } from "../../../lib/cli/input/records.ts";
import { deriveJobId } from "../../../lib/messages/delete-job.ts";
import { parseJobBody } from "../../../lib/messages/job-body.ts";

const defaults: JobDefaults = { libraryId: "smh1", requestedBy: "ops" };

/** Reads `text` as `format`, delivered in chunks of `chunk` characters (to cross line ends). */
function read(
  text: string,
  format: InputFormat,
  options: { chunk?: number; defaults?: JobDefaults } = {},
) {
  const size = options.chunk ?? text.length;
  const chunks: Buffer[] = [];
  const bytes = Buffer.from(text, "utf8");
  for (let start = 0; start < bytes.length; start += size) {
    chunks.push(bytes.subarray(start, start + size));
  }
  return readJobsFrom(Readable.from(chunks), format, options.defaults ?? defaults);
}

function bodies(jobs: { body: string }[]) {
  return jobs.map((job) => {
    const parsed = parseJobBody(job.body);
    if (!parsed.ok) throw new Error(`invalid body ${job.body}`);
    return parsed.job;
  });
}

describe("enqueue input: plain path lists", () => {
  it("makes one job per path with the flags' defaults, valid for the delete function", async () => {
    const { jobs, problems, records } = await read("events/2019\nevents/2020/\n", "plain");
    expect(problems).toEqual([]);
    expect(records).toBe(2);
    expect(bodies(jobs)).toEqual([
      expect.objectContaining({
        v: 1,
        libraryId: "smh1",
        spaceId: "-",
        path: "events/2019",
        permanent: false,
        source: "cli",
        requestedBy: "ops",
        jobId: deriveJobId({ libraryId: "smh1", path: "events/2019" }),
      }),
      // Sent exactly as written: the slash at the end changes nothing SMH is asked.
      expect.objectContaining({ path: "events/2020/" }),
    ]);
    expect(jobs.map((job) => job.line)).toEqual([1, 2]);
  });

  it("refuses a line whose path only looks like the directory, and says what to write instead", async () => {
    const { jobs, problems } = await read(
      "scratch/1 \n\u00a0scratch/2\u3000\nprojects/apollo\u200b\nscratch\\3\nok/4\n",
      "plain",
    );
    expect(jobs.map((job) => job.line)).toEqual([5]);
    expect(problems).toEqual([
      {
        line: 1,
        field: "path",
        message: expect.stringMatching(
          /^segment 2 \("1 "\) begins or ends with whitespace\..*If you mean "scratch\/1", send that \(edge-whitespace\)$/,
        ),
      },
      {
        line: 2,
        field: "path",
        message: expect.stringContaining('If you mean "scratch/2", send that (edge-whitespace)'),
      },
      {
        line: 3,
        field: "path",
        message: expect.stringContaining("contains U+200B, an invisible character"),
      },
      {
        line: 4,
        field: "path",
        message: expect.stringContaining('If you mean "scratch/3", send that (backslash)'),
      },
    ]);
  });

  it("skips blank lines and # comments but keeps counting them in line numbers", async () => {
    const { jobs, problems } = await read("# albums to purge\n\n  \na\n# b\n/\n", "plain");
    expect(jobs.map((job) => job.line)).toEqual([4]);
    expect(problems).toEqual([
      { line: 6, field: "path", message: expect.stringContaining("root") },
    ]);
  });

  it("strips a byte order mark and accepts CRLF line ends, across chunk boundaries", async () => {
    const { jobs, problems } = await read("\ufeffa/b\r\nc/d\r\n", "plain", { chunk: 3 });
    expect(problems).toEqual([]);
    expect(bodies(jobs).map((job) => job.path)).toEqual(["a/b", "c/d"]);
  });

  it("reports every bad line with its number, including line 1000 of 1000", async () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `dir/${i + 1}`);
    lines[0] = "..";
    lines[499] = "a/./b";
    lines[999] = "/";
    const { jobs, problems } = await read(`${lines.join("\n")}\n`, "plain", { chunk: 4096 });
    expect(jobs).toHaveLength(997);
    expect(problems.map((problem) => [problem.line, problem.field])).toEqual([
      [1, "path"],
      [500, "path"],
      [1000, "path"],
    ]);
  });

  it("refuses a JSON object line instead of taking it as a path", async () => {
    const { problems } = await read('{"v":1,"libraryId":"smh1","path":"a"}\n', "plain");
    expect(problems).toEqual([
      { line: 1, field: "", message: expect.stringContaining("--format ndjson") },
    ]);
  });

  it("names the missing flag when a job has no library", async () => {
    const { problems } = await read("a\n", "plain", { defaults: {} });
    expect(problems).toEqual([
      { line: 1, field: "libraryId", message: expect.stringContaining("--library") },
    ]);
  });

  it("applies --space, --permanent, --source, --reason and --plan-id to every line", async () => {
    const { jobs } = await read("a\n", "plain", {
      defaults: {
        libraryId: "smh1",
        spaceId: "space1",
        permanent: true,
        source: "crm-sync",
        reason: "GDPR request 42",
        planId: "plan-7",
      },
    });
    expect(bodies(jobs)[0]).toMatchObject({
      spaceId: "space1",
      permanent: true,
      source: "crm-sync",
      reason: "GDPR request 42",
      planId: "plan-7",
    });
  });
});

describe("enqueue input: duplicate jobs", () => {
  it("reports a path listed twice with both line numbers", async () => {
    const { jobs, problems } = await read("a/b\nc\n/a//b/\n", "plain");
    expect(jobs).toHaveLength(2);
    expect(problems).toEqual([
      {
        line: 3,
        field: "jobId",
        message: expect.stringMatching(/line 1 has it too.*same library, space, path/),
      },
    ]);
  });

  it("refuses a CSV path cell with whitespace at its end, quoted or not", async () => {
    const { jobs, problems } = await read('path\nscratch/1 \n"scratch/2 "\nscratch/3\n', "csv");
    expect(jobs.map((job) => job.line)).toEqual([4]);
    expect(
      problems.map(({ line, message }) => [line, message.endsWith("(edge-whitespace)")]),
    ).toEqual([
      [2, true],
      [3, true],
    ]);
  });

  it("refuses an NDJSON job whose path percent-decodes to a climb out of the directory", async () => {
    const { jobs, problems } = await read(
      '{"v":1,"path":"scratch/..%2Fprojects%2Fapollo"}\n{"v":1,"path":"scratch/%252e%252e"}\n',
      "ndjson",
    );
    expect(jobs).toEqual([]);
    expect(problems.map(({ message }) => message.match(/\(([a-z-]+)\)$/)?.[1])).toEqual([
      "encoded-separator",
      "encoded-dot-segment",
    ]);
  });

  it("reports a jobId given twice, even for different paths", async () => {
    const { problems } = await read("path,jobId\na,job-1\nb,job-2\nc,job-1\n", "csv");
    expect(problems).toEqual([
      { line: 4, field: "jobId", message: expect.stringContaining("line 2 has it too") },
    ]);
  });

  it("treats the same path in another space as another job", async () => {
    const { jobs, problems } = await read("path,spaceId\na,s1\na,s2\n", "csv");
    expect(problems).toEqual([]);
    expect(jobs).toHaveLength(2);
  });
});

describe("enqueue input: CSV", () => {
  it("reads quoted fields with commas and doubled quotes, and checks the field count", async () => {
    const csv = 'path,reason,permanent\n"events/a, b","said ""no"", twice",TRUE\n"x",\n';
    const { jobs, problems } = await read(csv, "csv");
    expect(problems).toEqual([
      { line: 3, field: "", message: expect.stringContaining("2 fields") },
    ]);
    expect(bodies(jobs)).toEqual([
      expect.objectContaining({ path: "events/a, b", reason: 'said "no", twice', permanent: true }),
    ]);
  });

  it("numbers lines after a multi-line quoted field by the file's own lines", async () => {
    // A line break is a control character, which no job field accepts: line 2 is bad too.
    const csv = 'path,reason\na,"one\ntwo\nthree"\n/,x\n';
    const { problems } = await read(csv, "csv");
    expect(problems).toEqual([
      { line: 2, field: "reason", message: "must not contain control characters" },
      { line: 5, field: "path", message: expect.stringContaining("root") },
    ]);
  });

  it("accepts a BOM and CRLF, and skips blank lines", async () => {
    const { jobs, problems } = await read("\ufeffpath,libraryId\r\n\r\na,smh2\r\nb,\r\n", "csv", {
      chunk: 5,
    });
    expect(problems).toEqual([]);
    expect(bodies(jobs).map((job) => [job.path, job.libraryId])).toEqual([
      ["a", "smh2"],
      ["b", "smh1"],
    ]);
    expect(jobs.map((job) => job.line)).toEqual([3, 4]);
  });

  it("accepts LF and CRLF line ends mixed in one file, quoted fields included", async () => {
    const csv = 'path,reason\n"a","x, y"\r\nb,z\n"c","w"\r\n';
    const { jobs, problems } = await read(csv, "csv");
    expect(problems).toEqual([]);
    expect(bodies(jobs).map((job) => [job.path, job.reason])).toEqual([
      ["a", "x, y"],
      ["b", "z"],
      ["c", "w"],
    ]);
    expect(jobs.map((job) => job.line)).toEqual([2, 3, 4]);
  });

  it("lets a row's values win over the flags and empty cells take the flags' defaults", async () => {
    const csv =
      "path,libraryId,spaceId,permanent,source,requestedBy\na,smh9,s9,true,retention,alice\nb,,,,,\n";
    const { jobs } = await read(csv, "csv", { defaults: { ...defaults, permanent: false } });
    expect(bodies(jobs)).toEqual([
      expect.objectContaining({
        libraryId: "smh9",
        spaceId: "s9",
        permanent: true,
        source: "retention",
        requestedBy: "alice",
      }),
      expect.objectContaining({
        libraryId: "smh1",
        spaceId: "-",
        permanent: false,
        source: "cli",
        requestedBy: "ops",
      }),
    ]);
  });

  it("refuses permanent values other than true and false", async () => {
    const { problems } = await read("path,permanent\na,yes\nb,1\nc,False\n", "csv");
    expect(problems).toEqual([
      { line: 2, field: "permanent", message: 'must be true or false, got "yes"' },
      { line: 3, field: "permanent", message: 'must be true or false, got "1"' },
    ]);
  });

  it("refuses unknown and repeated columns, and a header without path", async () => {
    const unknown = await read("path,permanant\na,true\n", "csv");
    expect(unknown.problems).toEqual([
      { line: 1, field: "permanant", message: expect.stringContaining("unknown column") },
    ]);
    const repeated = await read("path,path\na,b\n", "csv");
    expect(repeated.problems[0]).toMatchObject({
      line: 1,
      message: expect.stringContaining("twice"),
    });
    const noPath = await read("libraryId\nsmh1\n", "csv");
    expect(noPath.problems).toEqual([
      { line: 1, field: "", message: 'the header has no "path" column' },
    ]);
  });

  it("reports a broken quote on the line where its record starts, after all earlier problems", async () => {
    const csv = 'path\n/\nok\n"never closed\nmore\n';
    const { problems } = await read(csv, "csv");
    expect(problems).toEqual([
      { line: 2, field: "path", message: expect.any(String) },
      { line: 4, field: "", message: expect.stringContaining("never closed") },
    ]);
  });

  it("reports each field problem of a line", async () => {
    const { problems } = await read("path,libraryId,spaceId\n/,bad id!,also bad!\n", "csv");
    expect(problems.map((problem) => problem.field).sort()).toEqual([
      "libraryId",
      "path",
      "spaceId",
    ]);
    expect(new Set(problems.map((problem) => problem.line))).toEqual(new Set([2]));
  });
});

describe("enqueue input: NDJSON", () => {
  const job = (fields: Record<string, unknown>) => JSON.stringify({ v: 1, ...fields });

  it("reads DeleteJob objects, taking missing fields from the flags", async () => {
    const text = `${job({ path: "a", jobId: "j-1" })}\n\n${job({ path: "b", libraryId: "smh2", permanent: true })}\n`;
    const { jobs, problems } = await read(text, "ndjson");
    expect(problems).toEqual([]);
    expect(bodies(jobs)).toEqual([
      expect.objectContaining({ jobId: "j-1", libraryId: "smh1", path: "a", source: "cli" }),
      expect.objectContaining({ libraryId: "smh2", path: "b", permanent: true }),
    ]);
  });

  it("reports lines that are not JSON objects, a missing v, unknown fields and string booleans", async () => {
    const text = [
      "not json",
      "[1,2]",
      JSON.stringify({ path: "a" }),
      job({ path: "b", permanant: true }),
      job({ path: "c", permanent: "false" }),
      job({ path: "d", __proto__: { x: 1 } }),
    ].join("\r\n");
    const { jobs, problems } = await read(`\ufeff${text}`, "ndjson");
    expect(jobs).toHaveLength(1);
    expect(problems.map((problem) => [problem.line, problem.field])).toEqual([
      [1, ""],
      [2, ""],
      [3, "v"],
      [4, "permanant"],
      [5, "permanent"],
    ]);
  });

  it("refuses a __proto__ key as an unknown field", async () => {
    const { problems } = await read(
      '{"v":1,"path":"d","__proto__":{"permanent":true}}\n',
      "ndjson",
    );
    expect(problems).toEqual([
      { line: 1, field: "__proto__", message: expect.stringContaining("unknown field") },
    ]);
  });
});

describe("enqueue input: arguments and formats", () => {
  it("numbers problems by argument position", async () => {
    const { jobs, problems } = await readJobsFromArguments(["a", "..", "b"], defaults);
    expect(jobs.map((job) => job.line)).toEqual([1, 3]);
    expect(problems).toEqual([{ line: 2, field: "path", message: expect.stringContaining("..") }]);
  });

  it("picks the format by extension unless --format is given", () => {
    expect(formatOf("jobs.csv")).toBe("csv");
    expect(formatOf("JOBS.NDJSON")).toBe("ndjson");
    expect(formatOf("jobs.jsonl")).toBe("ndjson");
    expect(formatOf("paths.txt")).toBe("plain");
    expect(formatOf("")).toBe("plain");
    expect(formatOf("jobs.csv", "plain")).toBe("plain");
  });

  it("validates 100,000 lines in one pass", async () => {
    const text = Array.from({ length: 100_000 }, (_, i) => `bulk/${i}`).join("\n");
    const { jobs, problems } = await read(text, "plain", { chunk: 64 * 1024 });
    expect(problems).toEqual([]);
    expect(jobs).toHaveLength(100_000);
    expect(jobs.at(-1)?.line).toBe(100_000);
  });
});

describe("enqueue input: NDJSON keys given twice", () => {
  it("refuses a line that gives a key twice, as the delete function would", async () => {
    const { jobs, problems } = await read(
      '{"v":1,"path":"projects/apollo","path":"scratch/x"}\n{"v":1,"path":"scratch/y"}\n',
      "ndjson",
    );
    expect(jobs.map((job) => job.line)).toEqual([2]);
    expect(problems).toEqual([
      { line: 1, field: "path", message: expect.stringContaining("(duplicate-key)") },
    ]);
  });
});
