/**
 * The services the local stack runs against: each one embedded in this process (fauxqs, which
 * serves SQS and S3 on one endpoint), or an endpoint of the user's own that speaks the same AWS API
 * (`smh-cleaner local --sqs-endpoint URL`, `--s3-endpoint URL`). One shape for every service.
 */

/** The services whose endpoint a user may give. */
export const SERVICE_NAMES = ["sqs", "s3"] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Endpoints of the user's own services, by service; the others are embedded. */
export type ServiceEndpoints = Partial<Record<ServiceName, string>>;

/** A service the stack uses. */
export interface StackService {
  readonly endpoint: string;
  /**
   * `embedded`: started by the stack, which owns everything in it and stops it;
   * `external`: the user's, left running; the stack removes only what it created there.
   */
  readonly origin: "embedded" | "external";
  /** Stops an embedded service; does nothing for an external one. */
  stop(): Promise<void>;
}

/** A `--<service>-endpoint` that is not an http(s) URL. */
export class ServiceEndpointError extends Error {
  readonly kind = "invalid-endpoint";
  readonly service: ServiceName;

  constructor(service: ServiceName, endpoint: string) {
    super(
      `the ${service.toUpperCase()} endpoint ${JSON.stringify(endpoint)} is not an http(s) URL`,
    );
    this.name = "ServiceEndpointError";
    this.service = service;
  }
}

/**
 * The user's endpoint for `service` when one was given (checked: an http or https URL, used as
 * given), otherwise the embedded service `startEmbedded` starts.
 *
 * @example const sqs = await useOrStart("sqs", options.endpoints?.sqs, startEmbeddedSqs);
 */
export async function useOrStart(
  service: ServiceName,
  endpoint: string | undefined,
  startEmbedded: () => Promise<{ endpoint: string; stop(): Promise<void> }>,
): Promise<StackService> {
  if (endpoint === undefined) {
    const started = await startEmbedded();
    return { endpoint: started.endpoint, origin: "embedded", stop: () => started.stop() };
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ServiceEndpointError(service, endpoint);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ServiceEndpointError(service, endpoint);
  }
  return { endpoint, origin: "external", stop: async () => undefined };
}
