import type { SimCore } from "./core.ts";
import { type Faults, type FaultsPatch, parseFaultsPatch } from "./faults.ts";
import { type ListeningServer, SIMULATOR_HOST } from "./http/server.ts";
import type { CallRecord, CallStats } from "./inspection/call-log.ts";
import {
  dumpRecycleBin,
  dumpTree,
  entryAt,
  type GroundTruth,
  groundTruth,
  inFlightPaths,
  type LibrarySummary,
  libraryTasks,
  locateSpace,
  type RecycledItemDump,
  summarizeLibraries,
  type TreeDump,
} from "./inspection/dumps.ts";
import { type Behaviour, type BehaviourPatch, parseBehaviourPatch } from "./options.ts";
import { splitPath } from "./paths.ts";
import { applyDirectory, applyFile, applyLibrary } from "./seeds/apply.ts";
import {
  type SeedDirectoryInput,
  type SeedLibraryInput,
  seedDirectorySchema,
  seedLibrarySchema,
} from "./seeds/schema.ts";
import type { IssueTokenOptions, LibraryCredentials, Simulator, TimeInput } from "./simulator.ts";
import { parseGrants } from "./state/grants.ts";
import type { SpaceKind } from "./state/space.ts";
import type { TaskRecord } from "./state/tasks.ts";
import { DEFAULT_TOKEN_PERIOD_SECONDS, type TokenLogEntry } from "./state/tokens.ts";

function toMs(time: TimeInput | undefined): number | undefined {
  if (time === undefined) return undefined;
  return typeof time === "number" ? time : new Date(time).getTime();
}

/**
 * The {@link Simulator} facade over a running server and its {@link SimCore}. Inputs from callers
 * (fault and option patches, seeds) are validated here exactly as they are over HTTP.
 */
export class RunningSimulator implements Simulator {
  readonly url: string;
  readonly port: number;
  readonly #core: SimCore;
  readonly #server: ListeningServer;

  constructor(core: SimCore, server: ListeningServer) {
    this.#core = core;
    this.#server = server;
    this.port = server.port;
    this.url = `http://${SIMULATOR_HOST}:${server.port}`;
  }

  close(): Promise<void> {
    this.#core.scheduler.close();
    return this.#server.close();
  }

  libraries(): LibrarySummary[] {
    return summarizeLibraries(this.#core);
  }

  credentials(): LibraryCredentials[] {
    return this.#core.libraries().map((library) => ({
      libraryId: library.id,
      librarySecret: library.secret,
      multiSpace: library.multiSpace,
      recycleBin: library.recycleBinEnabled,
      retentionDays: library.retentionDays,
      spaceIds: [...library.spaces.keys()],
    }));
  }

  tree(libraryId: string, spaceId: string, path = "", depth = 1): TreeDump | null {
    return dumpTree(this.#core, libraryId, spaceId, splitPath(path), depth);
  }

  exists(libraryId: string, spaceId: string, path: string): boolean {
    return entryAt(this.#core, libraryId, spaceId, splitPath(path)) !== null;
  }

  recycleBin(libraryId: string, spaceId: string): RecycledItemDump[] {
    return dumpRecycleBin(this.#core, libraryId, spaceId);
  }

  findRecycled(libraryId: string, spaceId: string, path: string): RecycledItemDump[] {
    const [, space] = locateSpace(this.#core, libraryId, spaceId);
    const ids = new Set(
      space.recycleBin.findByOriginalPath(splitPath(path)).map((item) => item.id),
    );
    return this.recycleBin(libraryId, spaceId).filter((item) => ids.has(item.recycledItemId));
  }

  inFlight(libraryId: string, spaceId: string): string[] {
    return inFlightPaths(this.#core, libraryId, spaceId);
  }

  tasks(libraryId: string): TaskRecord[] {
    return libraryTasks(this.#core, libraryId).map((task) => ({ ...task }));
  }

  tokens(): TokenLogEntry[] {
    return this.#core.tokens.log(this.#core.clock.now());
  }

  calls(limit?: number): CallRecord[] {
    return this.#core.callLog.recent(limit);
  }

  stats(): CallStats {
    return this.#core.callLog.stats();
  }

  resetStats(): void {
    this.#core.callLog.reset();
  }

  groundTruth(): GroundTruth {
    return groundTruth(this.#core);
  }

  now(): number {
    return this.#core.clock.now();
  }

  faults(libraryId?: string): Faults {
    if (libraryId === undefined) return this.#core.defaultFaults;
    return this.#core.requireLibrary(libraryId).faultState.faults;
  }

  setFaults(libraryId: string, faults: FaultsPatch): Faults {
    return this.#core.setFaults(libraryId, parseFaultsPatch(faults));
  }

  options(): Behaviour {
    return this.#core.behaviour;
  }

  setOptions(options: BehaviourPatch): Behaviour {
    return this.#core.setBehaviour(parseBehaviourPatch(options));
  }

  invalidateTokens(libraryId?: string): number {
    if (libraryId !== undefined) this.#core.requireLibrary(libraryId);
    return this.#core.tokens.invalidateAll(libraryId ?? null, this.#core.clock.now());
  }

  advanceClock(ms: number): number {
    return this.#core.clock.advance(ms);
  }

  addLibrary(library: SeedLibraryInput): LibrarySummary {
    const added = applyLibrary(this.#core, seedLibrarySchema.parse(library));
    return this.libraries().find((summary) => summary.libraryId === added.id) as LibrarySummary;
  }

  addSpace(
    libraryId: string,
    space: { id?: string; kind?: SpaceKind; userId?: string; creationTime?: TimeInput } = {},
  ): string {
    const library = this.#core.requireLibrary(libraryId);
    const creationTime = toMs(space.creationTime);
    return this.#core.addSpace(library, {
      ...(space.id === undefined ? {} : { id: space.id }),
      ...(space.kind === undefined ? {} : { kind: space.kind }),
      ...(space.userId === undefined ? {} : { userId: space.userId }),
      ...(creationTime === undefined ? {} : { creationTime }),
    }).id;
  }

  createDirectory(
    libraryId: string,
    spaceId: string,
    path: string,
    init: Omit<SeedDirectoryInput, "path"> = {},
  ): void {
    const [library, space] = locateSpace(this.#core, libraryId, spaceId);
    applyDirectory(this.#core, library, space, seedDirectorySchema.parse({ ...init, path }));
  }

  addFile(
    libraryId: string,
    spaceId: string,
    path: string,
    file: {
      size?: number;
      contentType?: string;
      creationTime?: TimeInput;
      modificationTime?: TimeInput;
    } = {},
  ): void {
    const [library, space] = locateSpace(this.#core, libraryId, spaceId);
    applyFile(this.#core, library, space, splitPath(path), file);
  }

  issueToken(libraryId: string, options: IssueTokenOptions = {}): string {
    const library = this.#core.requireLibrary(libraryId);
    const spaceIds = options.spaceIds ?? null;
    for (const spaceId of spaceIds ?? []) this.#core.requireSpace(library, spaceId);
    return this.#core.tokens.mint(
      {
        libraryId: library.id,
        spaceIds: library.multiSpace ? spaceIds : null,
        userId: options.userId ?? "",
        clientId: "",
        sessionId: "",
        grants: parseGrants((options.grants ?? []).join(",")),
        periodSeconds: options.periodSeconds ?? DEFAULT_TOKEN_PERIOD_SECONDS,
      },
      this.#core.clock.now(),
    ).token;
  }
}
