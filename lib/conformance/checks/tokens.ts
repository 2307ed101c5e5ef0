import { answerReading, type Check, errorReading, failureOf, type Reading } from "../check.ts";

const PERIOD_SECONDS = 3600;
/** A task id no library is likely to have; reading it is harmless even if one does. */
const UNKNOWN_TASK_ID = 999_999_999_999;
const UNKNOWN_TASK_CODES: Readonly<Record<number, string>> = {
  400: "ParamInvalid",
  403: "NoPermission",
  404: "TaskNotFound",
};

const ACCEPTED: Reading = { key: "accepted", text: "accepted (200)" };

export const TOKEN_CHECKS: readonly Check[] = [
  {
    id: "token-period",
    behaviour: `Mint a token with period=${PERIOD_SECONDS}`,
    assumed: () => ({ key: "200, expiresIn = period" }),
    observe: async ({ session }) => {
      const answer = await session.probe.mint([], { period: PERIOD_SECONDS });
      if (answer.status !== 200 || answer.token === undefined) return answerReading(answer);
      const expiresIn = (answer.body as { expiresIn?: unknown }).expiresIn;
      return expiresIn === PERIOD_SECONDS
        ? { key: "200, expiresIn = period" }
        : { key: `200, expiresIn ${JSON.stringify(expiresIn)}` };
    },
  },
  {
    id: "token-invalid",
    behaviour: "An unknown access token",
    assumed: () => ({ key: "403 InvalidAccessToken" }),
    observe: async ({ session }) =>
      answerReading(
        await session.probe.send({
          method: "GET",
          path: session.directoryApiPath(session.scratch.root),
          route: "GET directory",
          auth: { kind: "query", token: "acctkconformanceunknowntoken000000" },
          idempotent: true,
        }),
      ),
  },
  {
    id: "token-bearer",
    behaviour: "Token as Authorization: Bearer (acceptBearerToken)",
    assumed: (a) =>
      a.acceptBearerToken ? ACCEPTED : { key: "refused", text: "400 EmptyAccessToken (refused)" },
    observe: async ({ session }) => {
      const answer = await session.probe.send({
        method: "GET",
        path: session.directoryApiPath(session.scratch.root),
        route: "GET directory",
        auth: { kind: "bearer", token: await session.probe.token([]) },
        idempotent: true,
      });
      return answer.status === 200
        ? ACCEPTED
        : { key: "refused", text: `${answerReading(answer).key} (refused)` };
    },
    tune: (observed) =>
      observed.key === "accepted" || observed.key === "refused"
        ? { options: { acceptBearerToken: observed.key === "accepted" } }
        : undefined,
  },
  {
    id: "token-read-only",
    behaviour: "DELETE with a read-only token (no grant)",
    assumed: () => ({ key: "403 NoPermission, kept" }),
    observe: async ({ session }) => {
      await session.mkdir("guarded");
      const path = session.path("guarded");
      const answer = await session.removeWithToken(path, await session.probe.token([]));
      const kept = (await session.client.directoryExists({ ...session.space, path }, session.call))
        .exists;
      return { key: `${answerReading(answer).key}, ${kept ? "kept" : "deleted"}` };
    },
  },
  {
    id: "unknown-space",
    behaviour: "Mint a token for an unknown space",
    assumed: () => ({ key: "404 SpaceNotFound" }),
    observe: async ({ session }) =>
      answerReading(
        await session.probe.mint([], { spaceId: `${session.scratch.runId}-absent`.toLowerCase() }),
      ),
  },
  {
    id: "task-unknown-id",
    behaviour: "Query an unknown task id (unknownTaskIdStatus)",
    assumed: (a) => ({
      key: String(a.unknownTaskIdStatus),
      text: `${a.unknownTaskIdStatus} ${UNKNOWN_TASK_CODES[a.unknownTaskIdStatus] ?? ""}`.trim(),
    }),
    observe: async ({ session }) => {
      const error = await failureOf(
        session.client.queryTasks({ ...session.space, taskIds: [UNKNOWN_TASK_ID] }, session.call),
      );
      if (error === undefined) return { key: "answered as a task" };
      return { key: String(error.status ?? "none"), text: errorReading(error).key };
    },
    tune: (observed) => {
      const status = Number(observed.key);
      return status in UNKNOWN_TASK_CODES
        ? { options: { unknownTaskIdStatus: status } }
        : { note: `the simulator has no option for ${observed.text ?? observed.key}` };
    },
  },
];

/** Behaviours the product depends on that a check cannot provoke without harming the library. */
export const UNOBSERVABLE_CHECKS: readonly Check[] = [
  {
    id: "server-overloaded",
    behaviour: "ServerOverloaded status (serverOverloadedStatus)",
    assumed: (a) => ({ key: `${a.serverOverloadedStatus} ServerOverloaded` }),
    unobservable: "not provoked (would overload the library)",
  },
  {
    id: "throttling",
    behaviour: "Throttling",
    assumed: () => ({ key: "429 RateLimitExceeded with Retry-After" }),
    unobservable: "not provoked (would exceed its rate limit)",
  },
  {
    id: "path-conflict",
    behaviour: "Two changes of one path at once",
    assumed: () => ({ key: "409 PathConflict" }),
    unobservable: "not provoked (needs two racing clients)",
  },
];
