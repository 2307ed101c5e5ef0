/**
 * The SMH client's events as Powertools metrics, for every handler: requests, retries, throttles
 * and token mints, and a log line when the limiter changes its rate.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { SmhEvent } from "../smh/events.ts";

/** Turns SMH client events into metrics (and a log line for rate changes). */
export function smhEventMetrics(logger: Logger, metrics: Metrics): (event: SmhEvent) => void {
  return (event) => {
    switch (event.type) {
      case "request":
        metrics.addMetric("SmhRequests", MetricUnit.Count, 1);
        break;
      case "retry":
        metrics.addMetric("SmhRetries", MetricUnit.Count, 1);
        break;
      case "throttle":
        metrics.addMetric("SmhThrottles", MetricUnit.Count, 1);
        break;
      case "tokenMinted":
      case "tokenRefreshed":
        metrics.addMetric("SmhTokensMinted", MetricUnit.Count, 1);
        break;
      case "rateChanged":
        logger.info("SMH send rate changed", {
          libraryId: event.libraryId,
          previousRate: event.previousRate,
          rate: event.rate,
          reason: event.reason,
        });
        break;
      case "fleetBoardFailed":
        logger.warn("SMH fleet board failed; the limiter finds its share from 429s alone", {
          libraryId: event.libraryId,
          reason: event.reason,
        });
        break;
    }
  };
}
