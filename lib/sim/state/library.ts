import type { FaultState } from "../fault-state.ts";
import type { Random } from "../random.ts";
import type { Space } from "./space.ts";
import { TaskRegistry } from "./tasks.ts";

/** What a media library is created with. */
export interface LibrarySettings {
  readonly id: string;
  /** The library secret. Only token minting compares it; inspection never shows it. */
  readonly secret: string;
  /** Multi-tenant (spaces created through the API) or single-tenant (one space, `-`). */
  readonly multiSpace: boolean;
  readonly recycleBin: boolean;
  /** Recycle-bin retention of new spaces, in days. */
  readonly retentionDays: number;
}

/** One media library and its spaces, tasks, id counters and fault state. */
export class Library {
  readonly id: string;
  readonly secret: string;
  readonly multiSpace: boolean;
  readonly recycleBinEnabled: boolean;
  readonly retentionDays: number;
  readonly spaces = new Map<string, Space>();
  readonly tasks = new TaskRegistry();
  readonly faultState: FaultState;
  /** Seeded stream for ids the library hands out (space ids), apart from the fault stream. */
  readonly idRandom: Random;
  #nextRecycledItemId = 1;
  #nextInode = 1;

  constructor(settings: LibrarySettings, faultState: FaultState, idRandom: Random) {
    this.id = settings.id;
    this.secret = settings.secret;
    this.multiSpace = settings.multiSpace;
    this.recycleBinEnabled = settings.recycleBin;
    this.retentionDays = settings.retentionDays;
    this.faultState = faultState;
    this.idRandom = idRandom;
  }

  /** The next recycled-item id: unique and increasing within the library. */
  allocateRecycledItemId(): number {
    return this.#nextRecycledItemId++;
  }

  /** The next inode (file/directory id) of the library. */
  allocateInode(): string {
    return String(this.#nextInode++);
  }
}
