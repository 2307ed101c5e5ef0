import * as z from "zod";
import defaults from "./defaults.json" with { type: "json" };

/**
 * How the simulator resolves what smh-api.md marks as unknown ([GUESS]/[INFER]), plus inspection
 * settings. Every default is listed in docs/simulator.md.
 */
export const behaviourSchema = z.strictObject({
  /** Code of the 404 for a directory DELETE (and a batch item) whose path does not exist. Default "DirectoryNotFound". */
  missingPathCode: z.enum(["DirectoryNotFound", "PathNotFound"]),
  /**
   * Conflict strategy of a single restore that names none. The REST page says `rename`, SDK
   * comments say `ask`. A batch restore always defaults to `rename` (its page says so). Default
   * "rename".
   */
  defaultRestoreConflictStrategy: z.enum(["rename", "ask"]),
  /** Largest `limit` of marker paging (directory and recycle-bin lists). Docs say 100 or 1000. Default 100. */
  listLimitMax: z.number().int().min(1).max(100_000),
  /** What a larger `limit`/`page_size` gets: `clamp` to the maximum, or `reject` with 400 ParamInvalid. Default "clamp". */
  listLimitOverflow: z.enum(["clamp", "reject"]),
  /**
   * A single directory DELETE whose subtree has more entries than this answers `202 {taskId}`;
   * 0 = never (the documented behaviour: only 200/204). Default 0.
   */
  singleDeleteAsyncAboveEntries: z.number().int().min(0),
  /** HTTP status of `ServerOverloaded` (the 5xx rows of the error table were unreadable). Default 503. */
  serverOverloadedStatus: z.number().int().min(500).max(599),
  /** Accept `Authorization: Bearer <token>` as well as `access_token`. Default true. */
  acceptBearerToken: z.boolean(),
  /** Status for a task query naming an unknown task id (SDK tests saw 400/403/404). Default 404. */
  unknownTaskIdStatus: z.union([z.literal(400), z.literal(403), z.literal(404)]),
  /** Batch purge naming unknown ids: `ignore` them (204) or `fail` the whole call (500, nothing purged). Default "ignore". */
  purgeBatchUnknownIds: z.enum(["ignore", "fail"]),
  /** Capacity of the call-log ring buffer (the per-route counters are unbounded). Default 10,000. */
  callLogSize: z.number().int().min(1).max(10_000_000),
});

/** The simulator's behaviour options. */
export type Behaviour = z.infer<typeof behaviourSchema>;

export const behaviourPatchSchema = behaviourSchema.partial();
/** A partial update of {@link Behaviour}. */
export type BehaviourPatch = z.infer<typeof behaviourPatchSchema>;

/**
 * The defaults: the documented behaviour where there is one, the safer reading where there is not.
 * They live in `defaults.json`, as data, so that tools comparing the simulator with a real library
 * (`smh-cleaner conformance`) read the same values without running simulator code.
 */
export const DEFAULT_BEHAVIOUR: Readonly<Behaviour> = Object.freeze(
  behaviourSchema.parse(defaults.behaviour),
);

/**
 * Parses an untrusted behaviour patch (HTTP body, CLI flag).
 * @throws Error with zod's readable description of what is wrong.
 */
export function parseBehaviourPatch(input: unknown): BehaviourPatch {
  const parsed = behaviourPatchSchema.safeParse(input);
  if (!parsed.success) throw new Error(`invalid options: ${z.prettifyError(parsed.error)}`);
  // An explicit `undefined` means "leave as is", never "set to undefined".
  return Object.fromEntries(
    Object.entries(parsed.data).filter(([, value]) => value !== undefined),
  ) as BehaviourPatch;
}
