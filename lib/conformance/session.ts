import pMap from "p-map";
import type { SmhClient } from "../smh/client.ts";
import type { BatchDeleteResult } from "../smh/operations/batch-delete.ts";
import type { DeleteDirectoryResult } from "../smh/operations/delete-directory.ts";
import type {
  ConflictResolution,
  RestoreRecycledItemResult,
  RestoreRecycledItemsResult,
} from "../smh/operations/restore.ts";
import type { CallOptions } from "../smh/types.ts";
import { apiPath, encodeSegments, type LibraryProbe, type ProbeAnswer } from "./library-probe.ts";
import { OutsideScratchError, type ScratchArea } from "./scratch.ts";

/** Grants the raw requests of a run ask for (the client mints its own). */
export const CREATE_GRANTS = ["create_directory"] as const;

/**
 * Everything a conformance run may change, in one place: directories inside its scratch
 * directory, and recycle-bin items it put there itself. Every change is checked before it is
 * sent ({@link OutsideScratchError}); reads go straight to the client or the probe.
 */
export class ScratchSession {
  readonly client: SmhClient;
  readonly probe: LibraryProbe;
  readonly scratch: ScratchArea;
  readonly libraryId: string;
  readonly spaceId: string;
  readonly call: CallOptions;
  /** Recycle-bin items this run put in the bin (and may restore or purge). */
  readonly owned = new Set<number>();
  /** Of those, the ones it purged (or restored): no longer in the bin. */
  readonly settled = new Set<number>();

  constructor(init: {
    client: SmhClient;
    probe: LibraryProbe;
    scratch: ScratchArea;
    call: CallOptions;
  }) {
    this.client = init.client;
    this.probe = init.probe;
    this.scratch = init.scratch;
    this.libraryId = init.probe.libraryId;
    this.spaceId = init.probe.spaceId;
    this.call = init.call;
  }

  /** The full path of `relative` inside the scratch directory. */
  path(relative: string): string {
    return this.scratch.path(relative);
  }

  /** `{libraryId, spaceId}` for client requests. */
  get space(): { readonly libraryId: string; readonly spaceId: string } {
    return { libraryId: this.libraryId, spaceId: this.spaceId };
  }

  /** The API path of a directory (`/api/v1/directory/{L}/{S}/{path}`), encoded segment by segment. */
  directoryApiPath(path: string): string {
    return apiPath("directory", this.libraryId, this.spaceId, encodeSegments(path));
  }

  /**
   * Creates `path` (a full path; the scratch directory itself or below it) with
   * `conflict_resolution_strategy=ask`. A 409 after a retried attempt means the first attempt did
   * create it.
   */
  async createAt(path: string): Promise<ProbeAnswer> {
    this.scratch.assertInside(path);
    return this.#create(path);
  }

  /** Creates the scratch root's parent, the one directory a run may create outside it. */
  createParent(parent: string): Promise<ProbeAnswer> {
    if (`${parent}/${this.scratch.runId}` !== this.scratch.root) {
      throw new OutsideScratchError(`refusing to create ${JSON.stringify(parent)}`);
    }
    return this.#create(parent);
  }

  async #create(path: string): Promise<ProbeAnswer> {
    const token = await this.probe.token(CREATE_GRANTS);
    return this.probe.send({
      method: "PUT",
      path: this.directoryApiPath(path),
      route: "PUT directory",
      query: { conflict_resolution_strategy: "ask" },
      auth: { kind: "query", token },
      idempotent: true,
    });
  }

  /**
   * Creates `relative` inside the scratch directory.
   * @throws Error when the library does not answer 201 (or 409 for one that already exists).
   */
  async mkdir(relative: string): Promise<ProbeAnswer> {
    const answer = await this.createAt(this.path(relative));
    if (answer.status !== 201 && answer.status !== 200 && answer.status !== 409) {
      throw new Error(
        `creating a scratch directory failed: ${answer.status} ${answer.code ?? ""}`.trim(),
      );
    }
    return answer;
  }

  /** Creates several directories inside the scratch directory, a few at a time. */
  async mkdirs(relatives: readonly string[], concurrency = 4): Promise<void> {
    await pMap(relatives, (relative) => this.mkdir(relative), {
      concurrency,
      ...(this.call.signal ? { signal: this.call.signal } : {}),
    });
  }

  #own(id: number): void {
    this.owned.add(id);
  }

  #requireOwned(ids: readonly number[]): void {
    for (const id of ids) {
      if (!this.owned.has(id)) {
        throw new OutsideScratchError(
          `refusing to act on recycle-bin item ${id}: this run did not put it there`,
        );
      }
    }
  }

  /** Deletes a directory inside the scratch directory with the client; records its item. */
  async remove(path: string, permanent = false): Promise<DeleteDirectoryResult> {
    this.scratch.assertInside(path);
    const result = await this.client.deleteDirectory({ ...this.space, path, permanent }, this.call);
    if (result.outcome === "recycled") this.#own(result.recycledItemId);
    return result;
  }

  /** Batch-deletes directories inside the scratch directory; records their items. */
  async removeBatch(paths: readonly string[], permanent = false): Promise<BatchDeleteResult> {
    for (const path of paths) this.scratch.assertInside(path);
    const result = await this.client.batchDelete(
      { ...this.space, items: paths.map((path) => ({ path, permanent })) },
      this.call,
    );
    for (const item of result.items)
      if (item.outcome === "recycled") this.#own(item.recycledItemId);
    return result;
  }

  /** Restores one of this run's items with the client (both strategies sent explicitly). */
  async restore(id: number, conflict: ConflictResolution): Promise<RestoreRecycledItemResult> {
    this.#requireOwned([id]);
    const result = await this.client.restoreRecycledItem(
      {
        ...this.space,
        recycledItemId: id,
        conflictResolution: conflict,
        restorePath: "originalPath",
      },
      this.call,
    );
    this.settled.add(id);
    return result;
  }

  /**
   * Restores one of this run's items the raw way, with only `restore_path_strategy=originalPath`:
   * no conflict strategy, so the library's default decides.
   */
  async restoreWithDefaultConflict(id: number): Promise<ProbeAnswer> {
    this.#requireOwned([id]);
    const token = await this.probe.token(["restore_recycled"]);
    const answer = await this.probe.send({
      method: "POST",
      path: apiPath("recycled", this.libraryId, this.spaceId, String(id)),
      route: "POST recycled item ?restore",
      flags: ["restore"],
      query: { restore_path_strategy: "originalPath" },
      auth: { kind: "query", token },
      idempotent: false,
    });
    if (answer.status === 200) this.settled.add(id);
    return answer;
  }

  /** Batch-restores this run's items with the client (the library renames on a clash). */
  async restoreBatch(ids: readonly number[]): Promise<RestoreRecycledItemsResult> {
    this.#requireOwned(ids);
    const result = await this.client.restoreRecycledItems(
      { ...this.space, recycledItemIds: ids },
      this.call,
    );
    for (const item of result.items)
      if (item.outcome === "restored") this.settled.add(item.recycledItemId);
    return result;
  }

  /** Purges one of this run's items. */
  async purge(id: number): Promise<void> {
    this.#requireOwned([id]);
    await this.client.purgeRecycledItem({ ...this.space, recycledItemId: id }, this.call);
    this.settled.add(id);
  }

  /** Batch-purges this run's items. */
  async purgeBatch(ids: readonly number[]): Promise<void> {
    this.#requireOwned(ids);
    await this.client.purgeRecycledItems({ ...this.space, recycledItemIds: ids }, this.call);
    for (const id of ids) this.settled.add(id);
  }

  /** Sends a DELETE of a scratch path with a given token, the raw way (to see a refusal). */
  async removeWithToken(path: string, token: string): Promise<ProbeAnswer> {
    this.scratch.assertInside(path);
    return this.probe.send({
      method: "DELETE",
      path: this.directoryApiPath(path),
      route: "DELETE directory",
      auth: { kind: "query", token },
      idempotent: false,
    });
  }
}
