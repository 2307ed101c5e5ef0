import type { IncomingMessage, ServerResponse } from "node:http";
import * as z from "zod";
import type { SimCore } from "../core.ts";
import { SmhError } from "../errors.ts";
import { parseFaultsPatch } from "../faults.ts";
import { decodeSegment, integerParam, type RequestTarget, readBody } from "../http/request.ts";
import { type SimResponse, sendResponse } from "../http/response.ts";
import { parseBehaviourPatch } from "../options.ts";
import { decodePathSegments } from "../paths.ts";
import { applyFile } from "../seeds/apply.ts";
import {
  dumpRecycleBin,
  dumpTree,
  entryAt,
  groundTruth,
  inFlightPaths,
  libraryTasks,
  locateSpace,
  summarizeLibraries,
} from "./dumps.ts";

/** The inspection routes, as listed by `GET /_sim`. */
export const INSPECTION_ROUTES = [
  "GET /_sim/libraries",
  "GET /_sim/calls?limit=",
  "GET /_sim/stats",
  "POST /_sim/stats/reset",
  "GET /_sim/tree/{LibraryId}/{SpaceId}/{Path}?depth=",
  "GET /_sim/exists/{LibraryId}/{SpaceId}/{Path}",
  "PUT /_sim/files/{LibraryId}/{SpaceId}/{Path}",
  "GET /_sim/recycled/{LibraryId}/{SpaceId}",
  "GET /_sim/locks/{LibraryId}/{SpaceId}",
  "GET /_sim/tasks/{LibraryId}",
  "GET /_sim/tokens",
  "POST /_sim/tokens/invalidate?library_id=",
  "GET /_sim/faults",
  "GET /_sim/faults/{LibraryId}",
  "PUT /_sim/faults/{LibraryId|*}",
  "GET /_sim/options",
  "PUT /_sim/options",
  "GET /_sim/clock",
  "POST /_sim/clock/advance",
  "GET /_sim/ground-truth",
] as const;

const advanceBody = z.strictObject({ ms: z.number().int().min(0) });

async function jsonBody(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  try {
    return text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    throw new SmhError("ParamInvalid", "Body is not valid JSON.");
  }
}

/** Runs a body parser, turning its validation error into `400 ParamInvalid` (SMH errors pass). */
function validated<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof SmhError) throw error;
    throw new SmhError("ParamInvalid", error instanceof Error ? error.message : String(error));
  }
}

function ok(body: unknown): SimResponse {
  return { status: 200, body };
}

async function route(
  core: SimCore,
  req: IncomingMessage,
  method: string,
  parts: readonly string[],
  query: URLSearchParams,
): Promise<SimResponse> {
  const [resource, first, second] = parts.map(decodeSegment);
  const path = () => decodePathSegments(parts.slice(3));
  const now = () => new Date(core.clock.now()).toISOString();
  switch (`${method} ${resource ?? ""}`) {
    case "GET ":
      return ok({ routes: INSPECTION_ROUTES });
    case "GET libraries":
      return ok(summarizeLibraries(core));
    case "GET calls":
      return ok(core.callLog.recent(integerParam(query, "limit", core.behaviour.callLogSize)));
    case "GET stats":
      return ok(core.callLog.stats());
    case "POST stats":
      if (first !== "reset") break;
      core.callLog.reset();
      return { status: 204 };
    case "GET tree": {
      const tree = dumpTree(
        core,
        first ?? "",
        second ?? "",
        path(),
        integerParam(query, "depth", 1),
      );
      if (tree === null) throw new SmhError("PathNotFound");
      return ok(tree);
    }
    case "GET exists": {
      const type = entryAt(core, first ?? "", second ?? "", path());
      return ok({ exists: type !== null, type });
    }
    case "PUT files": {
      // A control route, like PUT /_sim/faults: SMH uploads are not simulated (docs/simulator.md).
      const [library, space] = locateSpace(core, first ?? "", second ?? "");
      const body = await jsonBody(req);
      const segments = path();
      validated(() => applyFile(core, library, space, segments, body));
      return { status: 201, body: { path: segments } };
    }
    case "GET recycled":
      return ok(dumpRecycleBin(core, first ?? "", second ?? ""));
    case "GET locks":
      return ok(inFlightPaths(core, first ?? "", second ?? ""));
    case "GET tasks":
      return ok(libraryTasks(core, first ?? ""));
    case "GET tokens":
      return ok(core.tokens.log(core.clock.now()));
    case "POST tokens": {
      if (first !== "invalidate") break;
      const libraryId = query.get("library_id");
      if (libraryId !== null) core.requireLibrary(libraryId);
      return ok({ invalidated: core.tokens.invalidateAll(libraryId, core.clock.now()) });
    }
    case "GET faults":
      if (first !== undefined) return ok(core.requireLibrary(first).faultState.faults);
      return ok({
        default: core.defaultFaults,
        libraries: Object.fromEntries(
          core.libraries().map((library) => [library.id, library.faultState.faults]),
        ),
      });
    case "PUT faults": {
      if (first === undefined) break;
      const body = await jsonBody(req);
      return ok(
        core.setFaults(
          first,
          validated(() => parseFaultsPatch(body)),
        ),
      );
    }
    case "GET options":
      return ok(core.behaviour);
    case "PUT options": {
      const body = await jsonBody(req);
      return ok(core.setBehaviour(validated(() => parseBehaviourPatch(body))));
    }
    case "GET clock":
      return ok({ now: now(), offsetMs: core.clock.offsetMs });
    case "POST clock": {
      if (first !== "advance") break;
      const body = await jsonBody(req);
      const { ms } = validated(() => advanceBody.parse(body));
      core.clock.advance(ms);
      return ok({ now: now(), offsetMs: core.clock.offsetMs });
    }
    case "GET ground-truth":
      return ok(groundTruth(core));
  }
  throw new SmhError("RouteNotFound");
}

/**
 * Serves `/_sim/…`: inspection and control of the simulator, apart from the SMH paths. No faults,
 * no latency, not in the call log. Answers never include a library secret or an access token.
 */
export async function handleInspection(
  core: SimCore,
  req: IncomingMessage,
  res: ServerResponse,
  target: RequestTarget,
  requestId: string,
): Promise<void> {
  const method = req.method ?? "GET";
  const parts = target.segments.slice(1);
  while (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  let response: SimResponse;
  try {
    response = await route(core, req, method, parts, target.query);
  } catch (error) {
    const smh =
      error instanceof SmhError ? error : new SmhError("InternalServerError", String(error));
    response = { status: smh.status, body: { code: smh.code, message: smh.message, requestId } };
  }
  await sendResponse(res, response, {
    requestId,
    head: method === "HEAD",
    slow: null,
    scheduler: core.scheduler,
  });
}
