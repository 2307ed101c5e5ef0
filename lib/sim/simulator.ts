import type { Faults, FaultsPatch } from "./faults.ts";
import type { SIMULATOR_HOST } from "./http/server.ts";
import type { CallRecord, CallStats } from "./inspection/call-log.ts";
import type {
  GroundTruth,
  LibrarySummary,
  RecycledItemDump,
  TreeDump,
} from "./inspection/dumps.ts";
import type { Behaviour, BehaviourPatch } from "./options.ts";
import type { SeedDirectoryInput, SeedInput, SeedLibraryInput } from "./seeds/schema.ts";
import type { SpaceKind } from "./state/space.ts";
import type { TaskRecord } from "./state/tasks.ts";
import type { TokenLogEntry } from "./state/tokens.ts";

/** A time accepted by the seeding helpers: epoch ms, ISO-8601 string or Date. */
export type TimeInput = number | string | Date;

/** Options of {@link startSimulator}. Every field is optional. */
export interface SimulatorOptions {
  /** Port on 127.0.0.1; 0, the default, picks a free port. */
  port?: number;
  /** Always 127.0.0.1: the simulator never listens beyond loopback. Any other value is refused. */
  host?: typeof SIMULATOR_HOST;
  /** `"empty"` (default: one library, one empty space), `"demo"`, or a seed object. */
  seed?: "demo" | "empty" | SeedInput;
  /** Seed of the PRNG behind fault draws, jitter and generated space ids. Default `"smh-sim"`. */
  randomSeed?: string | number;
  /** Faults of every library, including libraries added later. Default: none. */
  faults?: FaultsPatch;
  /** Faults per library id, applied over `faults`. */
  libraryFaults?: Record<string, FaultsPatch>;
  /** Behaviour options: how [GUESS] points are resolved, call-log size. */
  options?: BehaviourPatch;
}

/** Credentials of a seeded library: what a client needs to mint tokens. */
export interface LibraryCredentials {
  readonly libraryId: string;
  readonly librarySecret: string;
  readonly multiSpace: boolean;
  readonly recycleBin: boolean;
  readonly retentionDays: number;
  readonly spaceIds: string[];
}

/** A token minted in-process, for tests and benchmarks that skip the token API. */
export interface IssueTokenOptions {
  grants?: string[];
  spaceIds?: string[] | null;
  userId?: string;
  periodSeconds?: number;
}

/** A running SMH simulator. See docs/simulator.md. */
export interface Simulator {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly port: number;
  /** Closes the server and every open socket, and cancels timers. Idempotent. */
  close(): Promise<void>;

  /** Libraries with their spaces and sizes (no secrets). */
  libraries(): LibrarySummary[];
  /** Ids, secrets and spaces of every library (the one in-process place secrets are given out). */
  credentials(): LibraryCredentials[];
  /** The subtree at `path` ("" = space root) down to `depth` levels (default 1), or null. */
  tree(libraryId: string, spaceId: string, path?: string, depth?: number): TreeDump | null;
  /** Whether a directory or file exists at `path`. */
  exists(libraryId: string, spaceId: string, path: string): boolean;
  /** The recycle bin of a space, in id order (expired items already dropped). */
  recycleBin(libraryId: string, spaceId: string): RecycledItemDump[];
  /** Recycled items whose original path is `path` (how a lost recycledItemId is found again). */
  findRecycled(libraryId: string, spaceId: string, path: string): RecycledItemDump[];
  /** Paths with a mutating request or task in flight. */
  inFlight(libraryId: string, spaceId: string): string[];
  /** The asynchronous tasks of a library. */
  tasks(libraryId: string): TaskRecord[];
  /** Every token ever minted, fingerprinted (never the token). */
  tokens(): TokenLogEntry[];
  /** The most recent SMH calls, oldest first. */
  calls(limit?: number): CallRecord[];
  /** Exact call counts per route and status since the last reset. */
  stats(): CallStats;
  /** Clears the call log and counters. */
  resetStats(): void;
  /** Live trees, recycle bins and the applied deletion/restore/purge logs. */
  groundTruth(): GroundTruth;
  /** The current simulated time (ms since epoch). */
  now(): number;

  /** Faults of a library, or the defaults for new libraries when omitted. */
  faults(libraryId?: string): Faults;
  /** Patches the faults of a library, or of all libraries with `"*"`. Returns the result. */
  setFaults(libraryId: string, faults: FaultsPatch): Faults;
  options(): Behaviour;
  setOptions(options: BehaviourPatch): Behaviour;
  /** Invalidates every live token (of one library, or all); returns how many. */
  invalidateTokens(libraryId?: string): number;
  /** Moves the simulated clock forward; returns the new time. */
  advanceClock(ms: number): number;

  /** Adds a library (same format as a seed library). */
  addLibrary(library: SeedLibraryInput): LibrarySummary;
  /** Adds a space to a multi-tenant library; returns its id. */
  addSpace(
    libraryId: string,
    space?: { id?: string; kind?: SpaceKind; userId?: string; creationTime?: TimeInput },
  ): string;
  /** Creates a directory like `mkdir -p`, with optional times and files. */
  createDirectory(
    libraryId: string,
    spaceId: string,
    path: string,
    init?: Omit<SeedDirectoryInput, "path">,
  ): void;
  /** Adds a file (metadata only), creating missing parent directories. */
  addFile(
    libraryId: string,
    spaceId: string,
    path: string,
    file?: {
      size?: number;
      contentType?: string;
      creationTime?: TimeInput;
      modificationTime?: TimeInput;
    },
  ): void;
  /** Mints a token without the HTTP API. */
  issueToken(libraryId: string, options?: IssueTokenOptions): string;
}
