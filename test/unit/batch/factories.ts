/**
 * What the delete and recycle pipelines' unit tests build alike: the instant every test starts at,
 * a clock moved by hand, SMH errors as the client builds them, circuit breakers from the test
 * settings, a publisher that keeps the results it is given and a parker that keeps what is parked
 * or dead-lettered.
 */

import { CircuitBreakers } from "../../../lib/batch/circuit.ts";
import type { Outgoing, Parker, SendOutcome } from "../../../lib/batch/parking.ts";
import type { PublishedResults, ResultPublisher } from "../../../lib/batch/results.ts";
import type { CircuitSettings } from "../../../lib/batch/settings.ts";
import {
  DELIVERY_ATTRIBUTE,
  type DeliveryState,
  readDeliveryState,
} from "../../../lib/messages/delivery.ts";
import type { ResultMessage } from "../../../lib/messages/result-message.ts";
import { createSmhError } from "../../../lib/smh/errors/classify.ts";
import type { SmhError } from "../../../lib/smh/errors/smh-error.ts";

/** The instant every test starts at. */
export const T0 = Date.parse("2025-06-01T12:00:00.000Z");

/** A clock the test moves by hand; SMH stubs may advance it to model slow calls. */
export class FakeClock {
  ms = T0;
  readonly now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

/**
 * A builder of SMH errors as the client builds them from an error answer of library `smh1`: of
 * `defaultOperation` unless the test names another.
 */
export function smhErrorOf(defaultOperation: string) {
  return (
    status: number,
    code: string | undefined,
    extras: { mayHaveApplied?: boolean; attempts?: number; operation?: string } = {},
  ): SmhError =>
    createSmhError({
      operation: extras.operation ?? defaultOperation,
      libraryId: "smh1",
      status,
      code,
      serverMessage: `${code ?? "error"} from the stub`,
      requestId: `req-${status}`,
      attempts: extras.attempts ?? 1,
      mayHaveApplied: extras.mayHaveApplied,
    });
}

/** Circuit breakers with the settings' threshold and cooldown, on the test's clock. */
export function circuitsOf(settings: CircuitSettings, clock: FakeClock): CircuitBreakers {
  return new CircuitBreakers({
    threshold: settings.circuitFailureThreshold,
    cooldownMs: settings.circuitCooldownMs,
    now: clock.now,
  });
}

/** A publisher that keeps what it is given; `refuse` decides which results are not written. */
export class CapturingPublisher<R extends ResultMessage> implements ResultPublisher {
  readonly published: R[] = [];
  readonly refused: R[] = [];
  refuse: (result: R) => boolean = () => false;

  async publish(results: readonly ResultMessage[]): Promise<PublishedResults> {
    const written = new Set<number>();
    const failures: { index: number; code: string; message: string }[] = [];
    results.forEach((message, index) => {
      const result = message as R;
      if (this.refuse(result)) {
        this.refused.push(result);
        failures.push({ index, code: "InternalError", message: "refused by the test" });
      } else {
        this.published.push(result);
        written.add(index);
      }
    });
    return { written, failures };
  }
}

/** A parker that keeps what it is given; `refuse` decides which messages are not accepted. */
export class CapturingParker implements Parker {
  readonly parked: Outgoing[] = [];
  readonly deadLettered: Outgoing[] = [];
  refuse: (message: Outgoing, queue: "park" | "dead-letter") => boolean = () => false;

  park(messages: readonly Outgoing[]): Promise<SendOutcome> {
    return Promise.resolve(this.#take(messages, "park", this.parked));
  }

  deadLetter(messages: readonly Outgoing[]): Promise<SendOutcome> {
    return Promise.resolve(this.#take(messages, "dead-letter", this.deadLettered));
  }

  /** The delivery state a parked or dead-lettered message carries. */
  static stateOf(message: Outgoing | undefined): DeliveryState | undefined {
    const value = message?.attributes[DELIVERY_ATTRIBUTE]?.StringValue;
    return value === undefined ? undefined : readDeliveryState({ [DELIVERY_ATTRIBUTE]: value });
  }

  #take(messages: readonly Outgoing[], queue: "park" | "dead-letter", into: Outgoing[]) {
    const sent = new Set<number>();
    const failures: { index: number; code: string; message: string }[] = [];
    messages.forEach((message, index) => {
      if (this.refuse(message, queue)) {
        failures.push({ index, code: "InternalError", message: "refused by the test" });
      } else {
        into.push(message);
        sent.add(index);
      }
    });
    return { sent, failures };
  }
}
