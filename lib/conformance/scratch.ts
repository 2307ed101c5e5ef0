import { randomBytes } from "node:crypto";

/** The directory every conformance run works under, at the root of the space. */
export const SCRATCH_PARENT = "__smh_cleaner_conformance__";

/** Thrown before anything is sent for a change outside the run's scratch directory. */
export class OutsideScratchError extends Error {
  override readonly name = "OutsideScratchError";
}

/**
 * A run id: UTC time to the second plus 6 random hex digits, so two runs never share a scratch
 * directory and a left-over one tells when it was made.
 *
 * @example newRunId(Date.UTC(2026, 10, 27, 10, 15, 30)) // "20261127T101530Z-3f9a2c"
 */
export function newRunId(now = Date.now()): string {
  const stamp = new Date(now)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `${stamp}-${randomBytes(3).toString("hex")}`;
}

/**
 * The scratch directory of one run: `__smh_cleaner_conformance__/<run id>`. Every path a check
 * changes is built here, and every change is checked against it before it is sent.
 */
export class ScratchArea {
  readonly runId: string;
  /** `__smh_cleaner_conformance__/<run id>`. */
  readonly root: string;
  readonly #rootSegments: readonly string[];

  constructor(runId: string) {
    if (!/^[0-9A-Za-z_-]{1,64}$/.test(runId)) {
      throw new OutsideScratchError(`a run id has only letters, digits, _ and - (got a bad one)`);
    }
    this.runId = runId;
    this.root = `${SCRATCH_PARENT}/${runId}`;
    this.#rootSegments = [SCRATCH_PARENT, runId];
  }

  /** The path of `relative` (`list/d-001`) inside the scratch directory. */
  path(relative: string): string {
    const path = `${this.root}/${relative}`;
    this.assertInside(path);
    return path;
  }

  /** Whether `path` is the scratch directory itself or lies below it. */
  contains(path: string | readonly string[]): boolean {
    const segments = typeof path === "string" ? path.split("/") : path;
    if (segments.length < this.#rootSegments.length) return false;
    if (segments.some((segment) => segment === "" || segment === "." || segment === "..")) {
      return false;
    }
    return this.#rootSegments.every((segment, index) => segments[index] === segment);
  }

  /** @throws OutsideScratchError unless {@link contains}. */
  assertInside(path: string | readonly string[]): void {
    if (!this.contains(path)) {
      const shown = typeof path === "string" ? path : path.join("/");
      throw new OutsideScratchError(
        `refusing to change ${JSON.stringify(shown)}: it is outside the scratch directory ${this.root}`,
      );
    }
  }
}
