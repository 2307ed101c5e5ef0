import type { SmhClient } from "../smh/client.ts";
import type { SecretSource } from "../smh/config.ts";
import { SmhError, SmhErrorKind } from "../smh/errors/smh-error.ts";
import { redactText } from "../smh/redact.ts";
import type { SimulatorAssumptions } from "./assumptions.ts";
import type { Check, CheckContext, CheckResult, LibraryFacts } from "./check.ts";
import { CHECKS } from "./checks/all.ts";
import { type CleanupReport, cleanUp } from "./cleanup.ts";
import { LibraryProbe, ProbeError } from "./library-probe.ts";
import { newRunId, SCRATCH_PARENT, ScratchArea } from "./scratch.ts";
import { ScratchSession } from "./session.ts";

export interface ConformanceOptions {
  /** The product's SMH client, configured for the library. */
  readonly client: SmhClient;
  /** The library's base URL (for the raw requests). */
  readonly baseUrl: URL;
  readonly secret: SecretSource;
  readonly libraryId: string;
  readonly spaceId: string;
  readonly assumptions: SimulatorAssumptions;
  /** Stops the checks (Ctrl-C); cleanup still runs. */
  readonly signal?: AbortSignal | undefined;
  /** @default a new one ({@link newRunId}) */
  readonly runId?: string;
  /** @default every check ({@link CHECKS}) */
  readonly checks?: readonly Check[];
  readonly onProgress?: (event: ConformanceProgress) => void;
  /** How long cleanup may take. @default 120_000 */
  readonly cleanupTimeoutMs?: number;
  readonly now?: () => number;
}

/** What a run reports while it works. */
export type ConformanceProgress =
  | { readonly type: "scratchCreated"; readonly path: string }
  | {
      readonly type: "checkStarted";
      readonly id: string;
      readonly index: number;
      readonly total: number;
    }
  | { readonly type: "checkFinished"; readonly result: CheckResult }
  | { readonly type: "cleanupStarted" };

/** The simulator settings that make it behave like the library, gathered from every difference. */
export interface SuggestedSettings {
  readonly options: Readonly<Record<string, unknown>>;
  readonly faults: Readonly<Record<string, unknown>>;
  readonly notes: readonly string[];
}

export interface ConformanceReport {
  readonly runId: string;
  readonly scratch: string;
  readonly libraryId: string;
  readonly spaceId: string;
  /** Whether the space has a recycle bin; null when the run stopped before it learned. */
  readonly recycleBin: boolean | null;
  /** Where the "simulator assumes" column comes from. */
  readonly assumptionsSource: string;
  readonly checks: readonly CheckResult[];
  readonly summary: Readonly<Record<CheckResult["verdict"], number>>;
  readonly suggested: SuggestedSettings;
  /** Why the run could not start its checks (the library unreachable, the scratch not created). */
  readonly setupError: string | undefined;
  /**
   * What kind of setup failure: `unreachable` (network, throttled, 5xx, the token refused),
   * `configuration` (wrong library, space, secret or base URL, or missing permission), `other`.
   */
  readonly setupFailure: "unreachable" | "configuration" | "other" | undefined;
  readonly interrupted: boolean;
  readonly cleanup: CleanupReport;
}

/** The cleanup of a run that stopped before it sent any change. */
const NOTHING_TO_CLEAN: CleanupReport = {
  scratchRemoved: true,
  parent: "kept",
  purged: 0,
  leftovers: [],
};

function setupFailureOf(error: unknown): ConformanceReport["setupFailure"] {
  if (error instanceof ProbeError) return "unreachable";
  if (!(error instanceof SmhError)) return "other";
  switch (error.kind) {
    case SmhErrorKind.retryable:
    case SmhErrorKind.auth:
      return "unreachable";
    case SmhErrorKind.configuration:
    case SmhErrorKind.permission:
      return "configuration";
    default:
      return "other";
  }
}

function describe(error: unknown): string {
  if (error instanceof SmhError) return redactText(error.message);
  return redactText(error instanceof Error ? error.message : String(error));
}

async function learnFacts(session: ScratchSession): Promise<LibraryFacts> {
  try {
    for await (const _page of session.client.listRecycleBin(
      { ...session.space, pageSize: 1 },
      session.call,
    )) {
      break;
    }
    return { recycleBin: true };
  } catch (error) {
    if (error instanceof SmhError && error.code === "RecycleBinNotEnabled") {
      return { recycleBin: false };
    }
    throw error;
  }
}

async function runCheck(
  check: Check,
  context: CheckContext,
  assumptions: SimulatorAssumptions,
  signal: AbortSignal | undefined,
): Promise<CheckResult> {
  const assumed = check.assumed(assumptions, context.facts);
  const row = { id: check.id, behaviour: check.behaviour, simulator: assumed.text ?? assumed.key };
  if (check.observe === undefined) {
    return { ...row, library: check.unobservable ?? "not observed", verdict: "not checked" };
  }
  if (check.needsRecycleBin && !context.facts.recycleBin) {
    return {
      ...row,
      library: "not applicable: the space has no recycle bin",
      verdict: "not checked",
    };
  }
  try {
    const observed = await check.observe(context);
    if ("notApplicable" in observed) {
      return { ...row, library: observed.notApplicable, verdict: "not checked" };
    }
    const library = observed.text ?? observed.key;
    if (observed.key === assumed.key) return { ...row, library, verdict: "agree" };
    const tuning = check.tune?.(observed);
    return { ...row, library, verdict: "differ", ...(tuning ? { tuning } : {}) };
  } catch (error) {
    if (signal?.aborted) throw error;
    return { ...row, library: `error: ${describe(error)}`, verdict: "failed" };
  }
}

function suggest(results: readonly CheckResult[]): SuggestedSettings {
  const options: Record<string, unknown> = {};
  const faults: Record<string, unknown> = {};
  const notes: string[] = [];
  for (const { tuning, id } of results) {
    if (tuning === undefined) continue;
    Object.assign(options, tuning.options);
    Object.assign(faults, tuning.faults);
    if (tuning.note) notes.push(`${id}: ${tuning.note}`);
  }
  return { options, faults, notes };
}

function summarize(results: readonly CheckResult[]): Record<CheckResult["verdict"], number> {
  const summary = { agree: 0, differ: 0, "not checked": 0, failed: 0, "not run": 0 };
  for (const result of results) summary[result.verdict] += 1;
  return summary;
}

/**
 * Runs the conformance checks against a real library, inside a scratch directory of its own
 * (`__smh_cleaner_conformance__/<run id>`), and cleans up afterwards — also when `signal` aborts
 * (Ctrl-C) or a check fails. Each check provokes one behaviour the product depends on and compares
 * what the library did with what the simulator assumes. Nothing outside the scratch directory is
 * changed: every change passes {@link ScratchSession}'s checks before it is sent.
 *
 * @example
 * const report = await runConformance({ client, baseUrl, secret, libraryId, spaceId: "-", assumptions: documentedAssumptions() });
 * for (const row of report.checks) console.log(row.behaviour, row.verdict);
 */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const now = options.now ?? Date.now;
  const startedAt = now();
  const scratch = new ScratchArea(options.runId ?? newRunId(startedAt));
  const { signal, client, libraryId, spaceId, assumptions } = options;
  const probe = new LibraryProbe({
    baseUrl: options.baseUrl,
    libraryId,
    spaceId,
    secret: options.secret,
    signal,
  });
  const session = new ScratchSession({ client, probe, scratch, call: { signal } });
  const checks = options.checks ?? CHECKS;
  const results: CheckResult[] = [];
  let facts: LibraryFacts | undefined;
  let parentCreated = false;
  /** Whether anything that changes the library was sent (else there is nothing to clean up). */
  let changeSent = false;
  let setupError: string | undefined;
  let setupFailure: ConformanceReport["setupFailure"];
  try {
    facts = await learnFacts(session);
    const parentExists = await client.directoryExists(
      { libraryId, spaceId, path: SCRATCH_PARENT },
      session.call,
    );
    changeSent = true;
    if (!parentExists.exists) {
      const created = await session.createParent(SCRATCH_PARENT);
      parentCreated = created.status === 201;
    }
    const root = await session.createAt(scratch.root);
    if (root.status !== 201) {
      throw new Error(`creating ${scratch.root} answered ${root.status} ${root.code ?? ""}`.trim());
    }
    options.onProgress?.({ type: "scratchCreated", path: scratch.root });
    const context: CheckContext = { session, facts, memo: new Map(), startedAt };
    for (const [index, check] of checks.entries()) {
      signal?.throwIfAborted();
      options.onProgress?.({ type: "checkStarted", id: check.id, index, total: checks.length });
      const result = await runCheck(check, context, assumptions, signal);
      results.push(result);
      options.onProgress?.({ type: "checkFinished", result });
    }
  } catch (error) {
    if (!signal?.aborted) {
      setupError = describe(error);
      setupFailure = setupFailureOf(error);
    }
  }
  const interrupted = signal?.aborted === true;
  for (const check of checks.slice(results.length)) {
    const assumed = check.assumed(assumptions, facts ?? { recycleBin: true });
    results.push({
      id: check.id,
      behaviour: check.behaviour,
      library: interrupted ? "not run (interrupted)" : "not run",
      simulator: assumed.text ?? assumed.key,
      verdict: "not run",
    });
  }
  let cleanup = NOTHING_TO_CLEAN;
  if (changeSent) {
    options.onProgress?.({ type: "cleanupStarted" });
    cleanup = await cleanUp({
      client,
      scratch,
      libraryId,
      spaceId,
      unsettled: [...session.owned].filter((id) => !session.settled.has(id)),
      parentCreated,
      recycleBin: facts?.recycleBin ?? null,
      startedAt,
      timeoutMs: options.cleanupTimeoutMs ?? 120_000,
      now,
    });
  }
  return {
    runId: scratch.runId,
    scratch: scratch.root,
    libraryId,
    spaceId,
    recycleBin: facts?.recycleBin ?? null,
    assumptionsSource: assumptions.source,
    checks: results,
    summary: summarize(results),
    suggested: suggest(results),
    setupError,
    setupFailure,
    interrupted,
    cleanup,
  };
}
