/**
 * Arbitrary input files for `smh-cleaner enqueue` — plain path lists, CSV and NDJSON — each with
 * good lines, lines to skip (blank, comments) and bad lines at known line numbers. A reader must
 * report every bad line by its number and no other.
 */
import fc from "fast-check";
import type { InputFormat } from "../../lib/cli/input/records.ts";

/** A generated input file. */
export interface InputFile {
  readonly format: InputFormat;
  readonly text: string;
  /** 1-based numbers of the lines that must be reported. */
  readonly badLines: readonly number[];
  /** A line after which nothing can be read (an unclosed CSV quote): later lines are not checked. */
  readonly fatalLine?: number;
  /** How many good jobs it holds (when nothing is bad). */
  readonly goodJobs: number;
}

/** The library the flags give every line that names none. */
export const DEFAULT_LIBRARY = "smhfuzz01";

type Line =
  | { kind: "good"; text: string; path: string }
  | { kind: "skip"; text: string }
  | { kind: "bad"; text: string; fatal?: boolean };

const nameChar = fc.constantFrom(...Array.from("abcxyz019-_.éж日🙂 "));
const name = fc
  .array(nameChar, { minLength: 1, maxLength: 10 })
  .map((chars) => chars.join("").trim())
  .filter((text) => text !== "" && text !== "." && text !== "..");
/** A valid path under `jobs/`; uniqueness is enforced where files are assembled. */
const goodPath = fc
  .array(name, { minLength: 1, maxLength: 3 })
  .map((segments) => `jobs/${segments.join("/")}`);

/** Paths the DeleteJob schema refuses (no line breaks: they would split the line). */
const badPath = fc.oneof(
  fc.constantFrom("/", "//", " / ", "..", "jobs/..", "../x", "jobs/./a", "jobs/a/../../b"),
  fc
    .tuple(goodPath, fc.constantFrom("\u0001", "\u0007", "\u001b", "\u007f", "\u0085", "\u009f"))
    .map(([path, control]) => `${path}${control}x`),
  fc.integer({ min: 256, max: 400 }).map((n) => `jobs/${"n".repeat(n)}`),
);

const skipLine = fc.constantFrom("", "   ", "\t");

function plainLine(): fc.Arbitrary<Line> {
  return fc.oneof(
    { weight: 6, arbitrary: goodPath.map((path): Line => ({ kind: "good", text: path, path })) },
    {
      weight: 1,
      arbitrary: fc.oneof(
        skipLine.map((text): Line => ({ kind: "skip", text })),
        fc.string({ maxLength: 20 }).map((text): Line => ({ kind: "skip", text: `# ${text}` })),
      ),
    },
    {
      weight: 2,
      arbitrary: fc.oneof(
        badPath.map((text): Line => ({ kind: "bad", text })),
        goodPath.map(
          (path): Line => ({ kind: "bad", text: JSON.stringify({ v: 1, path, source: "x" }) }),
        ),
      ),
    },
  );
}

const CSV_HEADER = "path,libraryId,permanent,jobId";

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) || value !== value.trim()
    ? `"${value.replaceAll('"', '""')}"`
    : value;
}

function csvLine(): fc.Arbitrary<Line> {
  const good = fc
    .tuple(
      goodPath,
      fc.constantFrom("", DEFAULT_LIBRARY, "smhother02"),
      fc.constantFrom("", "false", "FALSE", "true"),
    )
    .map(
      ([path, library, permanent]): Line => ({
        kind: "good",
        text: [csvCell(path), library, permanent, ""].join(","),
        path: `${library || DEFAULT_LIBRARY}|${path}|${permanent.toLowerCase() === "true"}`,
      }),
    );
  const bad = fc.oneof(
    badPath.map((path): Line => ({ kind: "bad", text: `${csvCell(path)},,,` })),
    goodPath.map((path): Line => ({ kind: "bad", text: `${csvCell(path)},,yes,` })),
    goodPath.map((path): Line => ({ kind: "bad", text: `${csvCell(path)},,1,` })),
    goodPath.map((path): Line => ({ kind: "bad", text: `${csvCell(path)},a b,,` })),
    goodPath.map((path): Line => ({ kind: "bad", text: `${csvCell(path)},,,has space` })),
    goodPath.map((path): Line => ({ kind: "bad", text: `${csvCell(path)},,` })),
    goodPath.map((path): Line => ({ kind: "bad", text: `${csvCell(path)},,,,extra` })),
    goodPath.map((path): Line => ({ kind: "bad", text: `${csvCell(path)},,,x"y`, fatal: true })),
    goodPath.map((path): Line => ({ kind: "bad", text: `"${path},,,`, fatal: true })),
  );
  return fc.oneof(
    { weight: 6, arbitrary: good },
    {
      weight: 1,
      arbitrary: fc.constantFrom<Line>({ kind: "skip", text: "" }, { kind: "skip", text: ",,," }),
    },
    { weight: 2, arbitrary: bad },
  );
}

function ndjsonLine(): fc.Arbitrary<Line> {
  const job = (path: string) => ({ v: 1, libraryId: DEFAULT_LIBRARY, path, source: "fuzz" });
  const good = goodPath.map(
    (path): Line => ({ kind: "good", text: JSON.stringify(job(path)), path }),
  );
  const bad = fc.oneof(
    goodPath.map((path): Line => ({ kind: "bad", text: JSON.stringify(job(path)).slice(0, -2) })),
    goodPath.map((path): Line => ({ kind: "bad", text: JSON.stringify([job(path)]) })),
    fc.constantFrom<Line>(
      { kind: "bad", text: "null" },
      { kind: "bad", text: "42" },
      { kind: "bad", text: '"jobs/a"' },
      { kind: "bad", text: "{}" },
    ),
    badPath.map((path): Line => ({ kind: "bad", text: JSON.stringify(job(path)) })),
    goodPath.map(
      (path): Line => ({
        kind: "bad",
        text: `${JSON.stringify(job(path)).slice(0, -1)},"__proto__":{"permanent":true}}`,
      }),
    ),
    fc.tuple(goodPath, fc.constantFrom("constructor", "dryRun", "permanant", "prototype")).map(
      ([path, key]): Line => ({
        kind: "bad",
        text: JSON.stringify({ ...job(path), [key]: true }),
      }),
    ),
    fc.tuple(goodPath, fc.constantFrom("true", 1, null, "false")).map(
      ([path, permanent]): Line => ({
        kind: "bad",
        text: JSON.stringify({ ...job(path), permanent }),
      }),
    ),
    fc
      // The flags fill in libraryId and source; a line must carry its path and its "v".
      .tuple(goodPath, fc.constantFrom("path", "v"))
      .map(([path, missing]): Line => {
        const { [missing as keyof ReturnType<typeof job>]: _gone, ...rest } = job(path);
        return { kind: "bad", text: JSON.stringify(rest) };
      }),
    goodPath.map((path): Line => ({ kind: "bad", text: JSON.stringify({ ...job(path), v: 2 }) })),
    goodPath.map(
      (path): Line => ({ kind: "bad", text: JSON.stringify({ ...job(path), libraryId: 7 }) }),
    ),
  );
  return fc.oneof(
    { weight: 6, arbitrary: good },
    { weight: 1, arbitrary: skipLine.map((text): Line => ({ kind: "skip", text })) },
    { weight: 2, arbitrary: bad },
  );
}

/**
 * An input file of `format`: up to `maxLines` lines, line ends `\n` or `\r\n` (mixed), sometimes a
 * BOM. A good line whose job (target) already appeared earlier is bad: a jobId given twice.
 */
export function inputFile(format: InputFormat, maxLines = 40): fc.Arbitrary<InputFile> {
  const line = format === "plain" ? plainLine() : format === "csv" ? csvLine() : ndjsonLine();
  return fc
    .tuple(
      fc.array(line, { minLength: 1, maxLength: maxLines }),
      fc.array(fc.boolean(), { minLength: maxLines + 1, maxLength: maxLines + 1 }),
      fc.boolean(),
    )
    .map(([lines, crlf, bom]) => {
      const all: Line[] = format === "csv" ? [{ kind: "skip", text: CSV_HEADER }, ...lines] : lines;
      const seen = new Set<string>();
      const badLines: number[] = [];
      let fatalLine: number | undefined;
      let goodJobs = 0;
      all.forEach((entry, index) => {
        const number = index + 1;
        if (entry.kind === "bad") {
          badLines.push(number);
          if (entry.fatal && fatalLine === undefined) fatalLine = number;
        } else if (entry.kind === "good") {
          // The same target twice: the second line is a duplicate jobId.
          if (seen.has(entry.path)) badLines.push(number);
          else goodJobs++;
          seen.add(entry.path);
        }
      });
      const text = all
        .map((entry, index) => `${entry.text}${crlf[index] ? "\r\n" : "\n"}`)
        .join("");
      const fatal = fatalLine;
      return {
        format,
        text: bom ? `\ufeff${text}` : text,
        badLines: fatal === undefined ? badLines : badLines.filter((n) => n <= fatal),
        ...(fatal === undefined ? {} : { fatalLine: fatal }),
        goodJobs,
      };
    });
}
