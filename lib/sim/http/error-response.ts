import { SmhError } from "../errors.ts";
import type { SimResponse } from "./response.ts";

/**
 * The SMH error answer for a thrown value: `{code, message, requestId}` with the error's status and
 * headers. Anything that is not an {@link SmhError} is a simulator bug: it is reported on stderr
 * and answered `500 InternalServerError`.
 */
export function errorResponse(error: unknown, requestId: string, where: string): SimResponse {
  let smh: SmhError;
  if (error instanceof SmhError) {
    smh = error;
  } else {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`smh-sim: unexpected error in ${where}: ${detail}\n`);
    smh = new SmhError("InternalServerError");
  }
  return {
    status: smh.status,
    body: { code: smh.code, message: smh.message, requestId },
    headers: smh.headers,
  };
}
