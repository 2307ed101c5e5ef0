/**
 * The chaos run's jobs: which directories exist, which jobs are sent, how, and what each must end
 * as. Everything is drawn from one seeded PRNG, so the same `--seed` and `--jobs` give the same
 * plan (the same bodies, in the same order, with the same duplicates).
 *
 * The mix, of `jobs` distinct jobs:
 * - **valid** (the rest): a directory under `jobs/` of one of the run's libraries, which exists;
 *   most carry a jobId, a fifth have it derived. 5 % of them are sent a second time with the same
 *   body: half next to the first in one SendMessageBatch (so usually in one Lambda batch), half
 *   much later. 5 % are enqueued by the real CLI (`smh-cleaner enqueue --format ndjson`).
 * - **absent** (0.5 %): a valid job for a directory that never existed (`already_absent`).
 * - **invalid** (2 %): bodies the schema must refuse (not JSON, `..`, the root, a control
 *   character, `permanent: "true"`, an unknown key, `__proto__`, a number for a string, `v: 2`,
 *   an array, `null`, a body over 64 KiB, …).
 * - **forbidden** (2 %): valid bodies the policy must refuse; each names a directory that exists
 *   (outside `jobs/`, `jobs` itself, a permanent delete, a library not in the policy) or a space
 *   that is not allowed. None of them may be deleted.
 *
 * Every library also holds untouched directories under `jobs/` that no job names.
 */
import { deriveJobId } from "../lib/messages/delete-job.ts";
import { bodyId } from "../lib/messages/digest.ts";
import { createRandom, type Random } from "../lib/sim/random.ts";

/** What a planned job is, and so what it must end as. */
export type PlannedKind = "valid" | "absent" | "invalid" | "forbidden";

/** A directory a job names. */
export interface Target {
  readonly libraryId: string;
  readonly spaceId: string;
  readonly path: string;
  readonly permanent: boolean;
}

/** One distinct job of the run. */
export interface PlannedJob {
  readonly index: number;
  readonly kind: PlannedKind;
  /** The jobId its results carry (its own, derived, or `body-…` for a body that names none). */
  readonly jobId: string;
  /** The message body as sent (the CLI re-serialises its jobs; the jobId is the same). */
  readonly body: string;
  /** What the job names, when it names a directory at all. */
  readonly target?: Target;
  /** How the invalid or forbidden job breaks the rules (for the report). */
  readonly flaw?: string;
  /** Sent through the CLI instead of SendMessageBatch. */
  readonly viaCli: boolean;
  /** Sent a second time: next to the first, or much later. */
  readonly duplicate: "none" | "same-batch" | "later";
}

/** A library of the run: in the policy (`jobs/` allowed), or not. */
export interface PlannedLibrary {
  readonly libraryId: string;
  /** The testLibrary name (`e2e<name>` is the id). */
  readonly name: string;
  /** Directories to seed, each with one file. */
  readonly directories: string[];
}

/** The whole plan. */
export interface ChaosPlan {
  readonly seed: string;
  readonly jobs: PlannedJob[];
  /** Libraries in the policy. */
  readonly libraries: PlannedLibrary[];
  /** A library that exists in SMH, with directories, but is not in the policy. */
  readonly foreignLibrary: PlannedLibrary;
  /**
   * What to send through SendMessageBatch at the start, in order: each unit is one body, or a
   * job's body twice (a same-batch duplicate). Units are packed into calls of at most 10 entries.
   */
  readonly units: string[][];
  /** Bodies sent again much later. */
  readonly lateDuplicates: string[];
  /** NDJSON lines for the CLI. */
  readonly cliLines: string[];
}

const SHARES = { invalid: 0.02, forbidden: 0.02, absent: 0.005, cli: 0.05, duplicate: 0.05 };
const DEFAULT_SPACE = "-";
const SOURCE = "chaos";

/** The libraries a run of `jobs` jobs spreads over: 2 to 8, about one per 500 jobs. */
export function libraryCount(jobs: number): number {
  return Math.min(8, Math.max(2, Math.ceil(jobs / 500)));
}

/**
 * Plans a run of `jobs` distinct jobs (at least 50) from `seed`.
 *
 * @example const plan = planChaos({ jobs: 2000, seed: "chaos" });
 */
export function planChaos(options: { jobs: number; seed: string }): ChaosPlan {
  const { jobs, seed } = options;
  if (!Number.isInteger(jobs) || jobs < 50) {
    throw new RangeError(`a chaos run needs at least 50 jobs, got ${jobs}`);
  }
  const random = createRandom(`chaos-plan:${seed}`);
  const libraries: PlannedLibrary[] = Array.from({ length: libraryCount(jobs) }, (_, i) => ({
    name: `chaos${i}`,
    libraryId: `e2echaos${i}`,
    directories: [],
  }));
  const foreignLibrary: PlannedLibrary = {
    name: "chaosforeign",
    libraryId: "e2echaosforeign",
    directories: [],
  };
  const counts = {
    invalid: Math.max(1, Math.round(jobs * SHARES.invalid)),
    forbidden: Math.max(1, Math.round(jobs * SHARES.forbidden)),
    absent: Math.max(1, Math.round(jobs * SHARES.absent)),
  };
  const kinds: PlannedKind[] = [
    ...Array<PlannedKind>(counts.invalid).fill("invalid"),
    ...Array<PlannedKind>(counts.forbidden).fill("forbidden"),
    ...Array<PlannedKind>(counts.absent).fill("absent"),
  ];
  while (kinds.length < jobs) kinds.push("valid");
  shuffle(kinds, random);

  const planned: PlannedJob[] = kinds.map((kind, index) => {
    const library = libraries[index % libraries.length] as PlannedLibrary;
    switch (kind) {
      case "valid":
        return validJob(index, library, random);
      case "absent":
        return absentJob(index, library);
      case "invalid":
        return invalidJob(index, library, random);
      default:
        return forbiddenJob(index, library, foreignLibrary, random);
    }
  });
  // Directories no job names: they must all still be there at the end.
  for (const library of libraries) {
    for (let k = 0; k < Math.ceil(jobs / 200) + 1; k++) {
      library.directories.push(`jobs/untouched-${k}`, `keep/untouched-${k}`);
    }
  }

  // The CLI takes some valid jobs; duplicates are drawn from the rest (the CLI refuses a jobId
  // twice in one file, and its jobs are not ours to send twice).
  const valid = planned.filter((job) => job.kind === "valid");
  const cliCount = Math.max(1, Math.round(valid.length * SHARES.cli));
  const duplicateCount = Math.max(2, Math.round(valid.length * SHARES.duplicate));
  const picked = sample(valid, cliCount + duplicateCount, random);
  const viaCli = new Set(picked.slice(0, cliCount).map((job) => job.index));
  const duplicated = picked.slice(cliCount);
  const sameBatch = new Set(
    duplicated.slice(0, Math.ceil(duplicated.length / 2)).map((job) => job.index),
  );
  const later = new Set(duplicated.slice(Math.ceil(duplicated.length / 2)).map((job) => job.index));
  const jobsWithRoles = planned.map(
    (job): PlannedJob => ({
      ...job,
      viaCli: viaCli.has(job.index),
      duplicate: sameBatch.has(job.index) ? "same-batch" : later.has(job.index) ? "later" : "none",
    }),
  );

  const units: string[][] = [];
  for (const job of jobsWithRoles) {
    if (job.viaCli) continue;
    units.push(job.duplicate === "same-batch" ? [job.body, job.body] : [job.body]);
  }
  return {
    seed,
    jobs: jobsWithRoles,
    libraries,
    foreignLibrary,
    units,
    lateDuplicates: jobsWithRoles.filter((job) => job.duplicate === "later").map((j) => j.body),
    cliLines: jobsWithRoles.filter((job) => job.viaCli).map((job) => job.body),
  };
}

/** The most body bytes one SendMessageBatch call carries here (SQS allows 256 KiB in all). */
const MAX_CALL_BYTES = 200 * 1024;

/**
 * Packs units into SendMessageBatch calls of at most 10 entries and {@link MAX_CALL_BYTES} of
 * bodies, never splitting a unit.
 */
export function packUnits(units: readonly string[][]): string[][] {
  const calls: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const unit of units) {
    const size = unit.reduce((sum, body) => sum + Buffer.byteLength(body), 0);
    if (
      current.length > 0 &&
      (current.length + unit.length > 10 || bytes + size > MAX_CALL_BYTES)
    ) {
      calls.push(current);
      current = [];
      bytes = 0;
    }
    current.push(...unit);
    bytes += size;
  }
  if (current.length > 0) calls.push(current);
  return calls;
}

function validJob(index: number, library: PlannedLibrary, random: Random): PlannedJob {
  const path = `jobs/d${index}`;
  library.directories.push(path);
  const target = { libraryId: library.libraryId, spaceId: DEFAULT_SPACE, path, permanent: false };
  // A fifth leave the jobId to be derived from the target (and write the defaults out or not).
  const derived = random.chance(0.2);
  const body: Record<string, unknown> = { v: 1 };
  if (!derived) body.jobId = `chaos-${index}`;
  body.libraryId = library.libraryId;
  if (random.chance(0.5)) body.spaceId = DEFAULT_SPACE;
  body.path = random.chance(0.1) ? `/${path}/` : path;
  if (random.chance(0.3)) body.permanent = false;
  body.source = SOURCE;
  if (random.chance(0.3)) body.reason = `chaos run, job ${index}`;
  return {
    index,
    kind: "valid",
    jobId: derived ? deriveJobId(target) : `chaos-${index}`,
    body: JSON.stringify(body),
    target,
    viaCli: false,
    duplicate: "none",
  };
}

function absentJob(index: number, library: PlannedLibrary): PlannedJob {
  const path = `jobs/never-${index}`;
  const jobId = `chaos-${index}`;
  return {
    index,
    kind: "absent",
    jobId,
    body: JSON.stringify({ v: 1, jobId, libraryId: library.libraryId, path, source: SOURCE }),
    target: { libraryId: library.libraryId, spaceId: DEFAULT_SPACE, path, permanent: false },
    viaCli: false,
    duplicate: "none",
  };
}

/** Bodies the job schema must refuse. Those that are JSON objects name their jobId. */
const INVALID: ReadonlyArray<{
  flaw: string;
  make: (base: Record<string, unknown>, index: number) => string;
}> = [
  { flaw: "not JSON", make: (base) => JSON.stringify(base).slice(0, -7) },
  { flaw: "empty body", make: () => " " },
  { flaw: "JSON array", make: (base) => JSON.stringify([base]) },
  { flaw: "JSON null", make: () => "null" },
  { flaw: "a number", make: (_, index) => String(index) },
  { flaw: "missing v", make: ({ v: _v, ...rest }) => JSON.stringify(rest) },
  { flaw: "v 2", make: (base) => JSON.stringify({ ...base, v: 2 }) },
  { flaw: "path ..", make: (base) => JSON.stringify({ ...base, path: "jobs/../keep" }) },
  { flaw: "root path", make: (base) => JSON.stringify({ ...base, path: "/" }) },
  { flaw: "empty path", make: (base) => JSON.stringify({ ...base, path: "" }) },
  {
    flaw: "control character",
    make: (base, index) => JSON.stringify({ ...base, path: `jobs/d${index}\u0007` }),
  },
  { flaw: "permanent as a string", make: (base) => JSON.stringify({ ...base, permanent: "true" }) },
  { flaw: "unknown key", make: (base) => JSON.stringify({ ...base, dryRun: true }) },
  {
    flaw: "__proto__ key",
    make: (base) => `${JSON.stringify(base).slice(0, -1)},"__proto__":{"permanent":true}}`,
  },
  {
    flaw: "constructor key",
    make: (base) => JSON.stringify({ ...base, constructor: { prototype: { x: 1 } } }),
  },
  { flaw: "number for a string", make: (base) => JSON.stringify({ ...base, libraryId: 12345 }) },
  { flaw: "path as a number", make: (base) => JSON.stringify({ ...base, path: 42 }) },
  {
    flaw: "over 64 KiB",
    make: (base) => JSON.stringify({ ...base, reason: "x".repeat(70 * 1024) }),
  },
  { flaw: "unicode dot-dot", make: (base) => JSON.stringify({ ...base, path: "jobs/\u2024/.." }) },
];

function invalidJob(index: number, library: PlannedLibrary, random: Random): PlannedJob {
  // The directory it would name exists: a schema bug that let it through would delete it.
  const path = `jobs/d${index}`;
  library.directories.push(path);
  const base = {
    v: 1,
    jobId: `chaos-${index}`,
    libraryId: library.libraryId,
    path,
    source: SOURCE,
  };
  const { flaw, make } = random.pick(INVALID);
  const body = make(base, index);
  return {
    index,
    kind: "invalid",
    jobId: namesItself(body) ? base.jobId : bodyId(body),
    body,
    flaw,
    target: { libraryId: library.libraryId, spaceId: DEFAULT_SPACE, path, permanent: false },
    viaCli: false,
    duplicate: "none",
  };
}

function namesItself(body: string): boolean {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === "object" && value !== null && !Array.isArray(value) && "jobId" in value;
  } catch {
    return false;
  }
}

function forbiddenJob(
  index: number,
  library: PlannedLibrary,
  foreign: PlannedLibrary,
  random: Random,
): PlannedJob {
  const jobId = `chaos-${index}`;
  const flaws = [
    "outside the allowed prefix",
    "the prefix itself",
    "permanent",
    "library",
    "space",
  ];
  const flaw = random.pick(flaws);
  let target: Target;
  switch (flaw) {
    case "outside the allowed prefix":
      target = {
        libraryId: library.libraryId,
        spaceId: "-",
        path: `keep/k${index}`,
        permanent: false,
      };
      library.directories.push(target.path);
      break;
    case "the prefix itself":
      // `jobs` holds every directory the run deletes: its deletion would be the worst bug.
      target = { libraryId: library.libraryId, spaceId: "-", path: "jobs", permanent: false };
      break;
    case "permanent":
      target = {
        libraryId: library.libraryId,
        spaceId: "-",
        path: `jobs/p${index}`,
        permanent: true,
      };
      library.directories.push(target.path);
      break;
    case "library":
      target = {
        libraryId: foreign.libraryId,
        spaceId: "-",
        path: `jobs/f${index}`,
        permanent: false,
      };
      foreign.directories.push(target.path);
      break;
    default:
      target = {
        libraryId: library.libraryId,
        spaceId: "spacenotallowed",
        path: `jobs/s${index}`,
        permanent: false,
      };
  }
  return {
    index,
    kind: "forbidden",
    jobId,
    body: JSON.stringify({ v: 1, jobId, ...target, source: SOURCE }),
    target,
    flaw,
    viaCli: false,
    duplicate: "none",
  };
}

function shuffle<T>(items: T[], random: Random): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
}

function sample<T>(items: readonly T[], count: number, random: Random): T[] {
  const copy = [...items];
  shuffle(copy, random);
  return copy.slice(0, Math.min(count, copy.length));
}
