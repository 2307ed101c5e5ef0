import type { RouteName } from "../route-names.ts";

/** Which fault shaped a call's answer, if any. */
export type FaultKind =
  | "rateLimited"
  | "throttleBurst"
  | "error500"
  | "error503"
  | "requestTimeout"
  | "reset"
  | "pathConflict"
  | "acceptThenFail"
  | "slowBody";

/**
 * One SMH call as the simulator saw it. It holds the route template, never the URL, so neither
 * the access token nor the library secret (both travel in the query string) can leak into it.
 */
export interface CallRecord {
  readonly requestId: string;
  readonly method: string;
  /** null when no SMH route matched. */
  readonly route: RouteName | null;
  readonly template: string;
  readonly libraryId: string | null;
  /** HTTP status, or "reset" when the connection was dropped without an answer. */
  readonly status: number | "reset";
  readonly fault: FaultKind | null;
  readonly durationMs: number;
  readonly timestamp: string;
}

/**
 * Exact call counts since the last reset: per route name, per status. Requests that reached no
 * route count under their template: "unsupported" (an operation outside the simulator's model, refused) or "unmatched".
 */
export interface CallStats {
  readonly total: number;
  readonly byRoute: Record<string, Record<string, number>>;
  readonly byFault: Record<string, number>;
}

/** A bounded ring buffer of recent calls plus exact, unbounded counters. */
export class CallLog {
  #ring: Array<CallRecord | undefined>;
  #next = 0;
  #stored = 0;
  #total = 0;
  #byRoute = new Map<string, Map<string, number>>();
  #byFault = new Map<string, number>();

  constructor(capacity: number) {
    this.#ring = new Array(capacity);
  }

  record(call: CallRecord): void {
    this.#ring[this.#next] = call;
    this.#next = (this.#next + 1) % this.#ring.length;
    this.#stored = Math.min(this.#stored + 1, this.#ring.length);
    this.#total += 1;
    const routeKey = call.route ?? call.template;
    let statuses = this.#byRoute.get(routeKey);
    if (statuses === undefined) {
      statuses = new Map();
      this.#byRoute.set(routeKey, statuses);
    }
    const statusKey = String(call.status);
    statuses.set(statusKey, (statuses.get(statusKey) ?? 0) + 1);
    if (call.fault !== null)
      this.#byFault.set(call.fault, (this.#byFault.get(call.fault) ?? 0) + 1);
  }

  /** The most recent calls, oldest first; at most `limit` (default: all that are kept). */
  recent(limit = this.#stored): CallRecord[] {
    const count = Math.max(0, Math.min(limit, this.#stored));
    const calls: CallRecord[] = [];
    const capacity = this.#ring.length;
    for (let i = count; i > 0; i--) {
      const call = this.#ring[(this.#next - i + capacity) % capacity];
      if (call !== undefined) calls.push(call);
    }
    return calls;
  }

  stats(): CallStats {
    const byRoute: Record<string, Record<string, number>> = {};
    for (const [route, statuses] of this.#byRoute) byRoute[route] = Object.fromEntries(statuses);
    return { total: this.#total, byRoute, byFault: Object.fromEntries(this.#byFault) };
  }

  /** Clears the counters and the kept calls. */
  reset(): void {
    this.#ring = new Array(this.#ring.length);
    this.#next = 0;
    this.#stored = 0;
    this.#total = 0;
    this.#byRoute = new Map();
    this.#byFault = new Map();
  }

  /** Changes the capacity, keeping the most recent calls that fit. */
  resize(capacity: number): void {
    if (capacity === this.#ring.length) return;
    const kept = this.recent(capacity);
    this.#ring = new Array(capacity);
    for (let i = 0; i < kept.length; i++) this.#ring[i] = kept[i];
    this.#stored = kept.length;
    this.#next = kept.length % capacity;
  }
}
