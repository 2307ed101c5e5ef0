import { SmhError } from "../errors.ts";
import { pathKey } from "../paths.ts";

interface Hold {
  readonly owner: number;
  count: number;
}

/**
 * Paths with a mutating operation in flight, for `409 PathConflict` ("avoid operating on the same
 * path at the same time").
 *
 * An operation on a path conflicts with another operation in flight on the same path or on one of
 * its ancestors. Operations of one owner (one request or task) never conflict with each other, so
 * a batch may name both `a` and `a/b`.
 */
export class PathLocks {
  readonly #held = new Map<string, Hold>();
  #nextOwner = 1;

  /** A fresh owner id for one request or task. */
  newOwner(): number {
    return this.#nextOwner++;
  }

  /** Throws `PathConflict` if another owner holds `segments` or an ancestor; otherwise holds it. */
  acquire(owner: number, segments: readonly string[]): void {
    let prefix = "";
    for (let i = 0; i < segments.length; i++) {
      prefix = i === 0 ? (segments[0] as string) : `${prefix}/${segments[i]}`;
      const hold = this.#held.get(prefix);
      if (hold !== undefined && hold.owner !== owner) throw new SmhError("PathConflict");
    }
    const key = pathKey(segments);
    const hold = this.#held.get(key);
    if (hold) hold.count += 1;
    else this.#held.set(key, { owner, count: 1 });
  }

  /** Releases one hold of `owner` on `segments`. */
  release(owner: number, segments: readonly string[]): void {
    const key = pathKey(segments);
    const hold = this.#held.get(key);
    if (hold === undefined || hold.owner !== owner) return;
    hold.count -= 1;
    if (hold.count === 0) this.#held.delete(key);
  }

  /** The paths currently held, for inspection. */
  paths(): string[] {
    return [...this.#held.keys()].sort();
  }
}
