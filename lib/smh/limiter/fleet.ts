/**
 * How the limiters of several containers share one library's limit: through a board (shared
 * state: a DynamoDB table in Lambda), where each busy container posts its rate once a period and
 * reads the others'. 429s alone tell a container that the library is full, not how many others
 * are filling it: independent limiters end up with lasting unequal shares, and a container left
 * alone does not know that the others' share is free (docs/benchmarks.md, scenario "fleet").
 *
 * The rule, applied by each busy container after every post (see `LibraryLimiter`):
 * - **balance**: the containers' rates add up to what the library takes; the fair share of that
 *   sum is the max-min one ({@link fairShare}: a container that needs less keeps what it uses,
 *   the others split the rest equally). A container at or above the fair share moves its rate a
 *   fraction ({@link BALANCING_PULL}) of the way to it; every one moving towards the same share
 *   leaves the sum unchanged, so the shares become equal without a 429;
 * - **take over**: when busy containers stop (their posts go stale: idle, frozen or gone), what
 *   they used is split among the saturated ones left ({@link releasedShare}), so a container left
 *   alone has the whole limit at once instead of climbing to it;
 * - **join quietly**: a container whose first request finds others sending to the library starts
 *   at the lowest rate and is pulled up to the fair share by the next balancing, instead of
 *   starting at the configured rate on top of them.
 * - **climb as one**: each of n busy containers climbs (`AdaptiveRate.shareClimb`) with 1/n of
 *   the climb a container alone would make, so that together they probe above the limit as gently
 *   as one container, not n times as fast (fewer 429s).
 * Decreases on 429 stay each container's own (`AdaptiveRate`); the next balancing shares them out.
 */

/** One container's word about its use of a library. */
export interface FleetPost {
  /** Names the container's limiter: random, one per limiter. */
  readonly memberId: string;
  /**
   * The rate it uses, requests/s: its adaptive rate while demand is at it, else what it sent over
   * the last second.
   */
  readonly rate: number;
  /** Whether its demand was at its adaptive rate (a request waited for a token) lately. */
  readonly saturated: boolean;
  /** When it was posted: milliseconds since the epoch (containers' clocks are NTP-synchronised). */
  readonly at: number;
}

/**
 * Shared state the containers' limiters post to and read from. Implementations must not throw
 * synchronously; a rejected promise makes the limiter act alone until the board answers again.
 */
export interface FleetBoard {
  /** Records `post` for `libraryId`. */
  post(libraryId: string, post: FleetPost): Promise<void>;
  /** The posts for `libraryId` made at or after `since` (epoch ms), in any order. */
  read(libraryId: string, since: number): Promise<readonly FleetPost[]>;
}

/** How often a busy limiter balances and posts: at every whole period of the wall clock. */
export const FLEET_PERIOD_MS = 1000;
/**
 * How long after posting a container reads the others' posts of the same round: time for theirs
 * to land (a DynamoDB write takes milliseconds), so that all balance from the same snapshot.
 */
export const FLEET_READ_DELAY_MS = 200;
/** A member whose last post is older than this has stopped (idle, frozen or gone). */
export const FLEET_STALE_AFTER_MS = 2.5 * FLEET_PERIOD_MS;
/**
 * The fraction of the distance to the fair share a container moves per round. Below 1 because
 * each balances against the others' posts of the same moment, before they moved: a full step by
 * all of them at once would overshoot. 0.8 settles a model fleet of five within two or three
 * rounds (test/unit/smh/fleet-model.test.ts).
 */
export const BALANCING_PULL = 0.8;

/**
 * The latest post of every other member made at or after `since` (the fresh ones).
 *
 * @example peersOf(posts, "me", Date.now() - FLEET_STALE_AFTER_MS)
 */
export function peersOf(posts: readonly FleetPost[], selfId: string, since: number): FleetPost[] {
  const latest = new Map<string, FleetPost>();
  for (const post of posts) {
    if (post.memberId === selfId || post.at < since) continue;
    const known = latest.get(post.memberId);
    if (!known || post.at > known.at) latest.set(post.memberId, post);
  }
  return [...latest.values()];
}

/**
 * The max-min fair share of the members' total rate: the rate every saturated member gets when
 * each unsaturated one keeps what it uses if that is less. Undefined for no members.
 *
 * @example fairShare([{ rate: 10, saturated: false }, { rate: 60, saturated: true }, { rate: 20, saturated: true }]) // 40
 */
export function fairShare(
  members: readonly Pick<FleetPost, "rate" | "saturated">[],
): number | undefined {
  if (members.length === 0) return undefined;
  let total = members.reduce((sum, member) => sum + member.rate, 0);
  let count = members.length;
  const modest = members
    .filter((member) => !member.saturated)
    .map((member) => member.rate)
    .sort((a, b) => a - b);
  for (const rate of modest) {
    if (count === 1 || rate >= total / count) break;
    total -= rate;
    count--;
  }
  return total / count;
}

/**
 * The rate a member that uses `own` moves to, given its fresh peers: {@link BALANCING_PULL} of the
 * way to the fair share when it is saturated or above that share; `own` when it needs less, or is
 * alone.
 *
 * @example balancedRate({ rate: 50, saturated: true }, [peer(30), peer(10)]) // 50 + 0.8 × (30 − 50) = 34
 */
export function balancedRate(
  own: Pick<FleetPost, "rate" | "saturated">,
  peers: readonly Pick<FleetPost, "rate" | "saturated">[],
): number {
  const share = fairShare([own, ...peers]);
  if (share === undefined || peers.length === 0) return own.rate;
  if (!own.saturated && own.rate < share) return own.rate;
  return own.rate + BALANCING_PULL * (share - own.rate);
}

/**
 * What a member gains because others stopped: the rates of the peers it saw in its previous round
 * (`previous`: member ID → rate) that are not among the fresh `peers` now, split equally among
 * the members left, itself included.
 *
 * @example releasedShare(new Map([["a", 30], ["b", 30]]), [peer("a")]) // 30 / 2 = 15
 */
export function releasedShare(
  previous: ReadonlyMap<string, number>,
  peers: readonly Pick<FleetPost, "memberId">[],
): number {
  const present = new Set(peers.map((peer) => peer.memberId));
  let released = 0;
  for (const [memberId, rate] of previous) if (!present.has(memberId)) released += rate;
  return released / (peers.length + 1);
}
