import ky from "ky";
import * as z from "zod";
import defaults from "../sim/defaults.json" with { type: "json" };

/**
 * What the simulator assumes where SMH's documentation leaves a choice open: its `[GUESS]`
 * behaviour options, and `asyncBatchThreshold` (a fault setting that models an undocumented
 * threshold). Unknown keys are ignored, so a newer simulator's extra options do not break it.
 */
export const SimulatorAssumptionsSchema = z.object({
  missingPathCode: z.string(),
  defaultRestoreConflictStrategy: z.string(),
  listLimitMax: z.number().int().positive(),
  listLimitOverflow: z.string(),
  singleDeleteAsyncAboveEntries: z.number().int().min(0),
  serverOverloadedStatus: z.number().int(),
  acceptBearerToken: z.boolean(),
  unknownTaskIdStatus: z.number().int(),
  purgeBatchUnknownIds: z.string(),
  asyncBatchThreshold: z.number().int().min(0),
});

/** The simulator's assumptions, and where they were read. */
export type SimulatorAssumptions = z.infer<typeof SimulatorAssumptionsSchema> & {
  /** Shown in the report: the documented defaults, or a running simulator's URL. */
  readonly source: string;
};

/**
 * The simulator's documented defaults, read as data from `lib/sim/defaults.json` (the file the
 * simulator itself takes its defaults from): no simulator code runs.
 */
export function documentedAssumptions(): SimulatorAssumptions {
  return {
    ...SimulatorAssumptionsSchema.parse({ ...defaults.behaviour, ...defaults.faults }),
    source: "the simulator's documented defaults (lib/sim/defaults.json)",
  };
}

const FaultsAnswerSchema = z.object({
  default: z.record(z.string(), z.unknown()),
  libraries: z.record(z.string(), z.record(z.string(), z.unknown())),
});

/**
 * The options a running simulator (`smh-cleaner sim`) works with: `GET /_sim/options`, and the
 * faults of `libraryId` (or, when it has no such library, its default faults) from `/_sim/faults`.
 * @throws Error when the simulator cannot be read.
 */
export async function assumptionsOfSimulator(
  url: string,
  libraryId: string,
  signal?: AbortSignal,
): Promise<SimulatorAssumptions> {
  const base = url.endsWith("/") ? url : `${url}/`;
  const get = (path: string) =>
    ky(new URL(path, base), { retry: 1, timeout: 10_000, ...(signal ? { signal } : {}) }).json();
  const [options, faults] = await Promise.all([get("_sim/options"), get("_sim/faults")]);
  const { default: fallback, libraries } = FaultsAnswerSchema.parse(faults);
  const libraryFaults = libraries[libraryId] ?? fallback;
  return {
    ...SimulatorAssumptionsSchema.parse({ ...libraryFaults, ...(options as object) }),
    source: `the simulator at ${base.replace(/\/$/, "")}`,
  };
}
