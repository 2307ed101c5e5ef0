import { SimClock } from "./clock.ts";
import { SmhError } from "./errors.ts";
import { FaultState } from "./fault-state.ts";
import { DEFAULT_FAULTS, type Faults, type FaultsPatch } from "./faults.ts";
import { newSpaceId, RequestIds } from "./ids.ts";
import { CallLog } from "./inspection/call-log.ts";
import type { Behaviour, BehaviourPatch } from "./options.ts";
import { createRandom } from "./random.ts";
import { Scheduler } from "./scheduler.ts";
import { AppliedLog } from "./state/applied-log.ts";
import { Library, type LibrarySettings } from "./state/library.ts";
import { SINGLE_TENANT_SPACE_ID, Space, type SpaceKind } from "./state/space.ts";
import { type PeriodicInvalidation, TokenStore } from "./state/tokens.ts";

/** What a space is created with; a missing id is drawn from the library's seeded id stream. */
export interface SpaceInit {
  readonly id?: string;
  readonly kind?: SpaceKind;
  readonly userId?: string;
  readonly creationTime?: number;
}

/**
 * The simulator's whole state and shared machinery: clock, libraries, tokens, logs, timers and
 * options. Route handlers, operations and inspection all work on one `SimCore`.
 */
export class SimCore {
  readonly clock = new SimClock();
  readonly tokens = new TokenStore();
  readonly applied = new AppliedLog();
  readonly scheduler = new Scheduler();
  readonly requestIds = new RequestIds();
  readonly callLog: CallLog;
  readonly randomSeed: string;
  readonly #libraries = new Map<string, Library>();
  #behaviour: Behaviour;
  #defaultFaults: Faults;
  /** Faults used for requests naming a library that does not exist. */
  readonly defaultFaultState: FaultState;

  constructor(init: { randomSeed: string; behaviour: Behaviour; faults: Faults }) {
    this.randomSeed = init.randomSeed;
    this.#behaviour = init.behaviour;
    this.#defaultFaults = init.faults;
    this.callLog = new CallLog(init.behaviour.callLogSize);
    this.defaultFaultState = new FaultState(
      init.faults,
      createRandom(`${init.randomSeed}:*`),
      this.clock.now(),
    );
  }

  get behaviour(): Behaviour {
    return this.#behaviour;
  }

  /** Applies a behaviour patch (already validated) and returns the result. */
  setBehaviour(patch: BehaviourPatch): Behaviour {
    this.#behaviour = { ...this.#behaviour, ...patch };
    this.callLog.resize(this.#behaviour.callLogSize);
    return this.#behaviour;
  }

  /** The faults new libraries start with. */
  get defaultFaults(): Faults {
    return this.#defaultFaults;
  }

  /**
   * Patches the faults of one library, or with `"*"` of every library and of libraries added later.
   * @throws SmhError LibraryNotFound for an unknown library id.
   */
  setFaults(libraryId: string, patch: FaultsPatch): Faults {
    const now = this.clock.now();
    if (libraryId === "*") {
      this.#defaultFaults = { ...this.#defaultFaults, ...patch };
      this.defaultFaultState.update(patch, now);
      for (const library of this.#libraries.values()) library.faultState.update(patch, now);
      return this.#defaultFaults;
    }
    return this.requireLibrary(libraryId).faultState.update(patch, now);
  }

  libraries(): Library[] {
    return [...this.#libraries.values()];
  }

  library(id: string): Library | undefined {
    return this.#libraries.get(id);
  }

  /** @throws SmhError `404 LibraryNotFound`. */
  requireLibrary(id: string): Library {
    const library = this.#libraries.get(id);
    if (library === undefined) throw new SmhError("LibraryNotFound");
    return library;
  }

  /** @throws SmhError `404 SpaceNotFound`. */
  requireSpace(library: Library, spaceId: string): Space {
    const space = library.spaces.get(spaceId);
    if (space === undefined) throw new SmhError("SpaceNotFound");
    return space;
  }

  /**
   * Adds a library. A single-tenant library gets its one space `-` at once.
   * @throws Error when the id is taken.
   */
  addLibrary(settings: LibrarySettings, faults: FaultsPatch = {}): Library {
    if (this.#libraries.has(settings.id)) throw new Error(`library ${settings.id} already exists`);
    const now = this.clock.now();
    const faultState = new FaultState(
      { ...DEFAULT_FAULTS, ...this.#defaultFaults, ...faults },
      createRandom(`${this.randomSeed}:faults:${settings.id}`),
      now,
    );
    const library = new Library(
      settings,
      faultState,
      createRandom(`${this.randomSeed}:ids:${settings.id}`),
    );
    this.#libraries.set(library.id, library);
    if (!library.multiSpace) this.addSpace(library, { id: SINGLE_TENANT_SPACE_ID });
    return library;
  }

  /**
   * Adds a space to a library.
   * @throws Error for a second space in a single-tenant library, `-` in a multi-tenant one, or a taken id.
   */
  addSpace(library: Library, init: SpaceInit = {}): Space {
    if (!library.multiSpace && library.spaces.size > 0) {
      throw new Error(`library ${library.id} is single-tenant: its only space is "-"`);
    }
    let id = init.id;
    if (id === undefined) {
      do id = newSpaceId(library.idRandom);
      while (library.spaces.has(id));
    }
    if (library.multiSpace && id === SINGLE_TENANT_SPACE_ID) {
      throw new Error(`"-" is the space of single-tenant libraries only`);
    }
    if (library.spaces.has(id)) throw new Error(`space ${id} already exists in ${library.id}`);
    const space = new Space({
      id,
      kind: init.kind ?? "files",
      userId: init.userId ?? "",
      creationTime: init.creationTime ?? this.clock.now(),
      retentionDays: library.retentionDays,
      rootInode: library.allocateInode(),
    });
    library.spaces.set(id, space);
    return space;
  }

  /** The periodic token invalidation in force for a library, if any. */
  periodicInvalidation(library: Library): PeriodicInvalidation | null {
    const everyMs = library.faultState.faults.tokenInvalidationEveryMs;
    return everyMs > 0 ? { everyMs, sinceMs: library.faultState.invalidationSince } : null;
  }

  /** Drops the recycled items of a space whose retention has run out, logging them as purged. */
  expireRecycled(library: Library, space: Space): void {
    const now = this.clock.now();
    for (const item of space.recycleBin.sweep(now)) {
      this.applied.purges.push({
        libraryId: library.id,
        spaceId: space.id,
        recycledItemId: item.id,
        originalPath: item.originalPath,
        time: new Date(item.expiresAt).toISOString(),
        reason: "expired",
      });
    }
  }
}
