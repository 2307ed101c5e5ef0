import * as z from "zod";
import { SmhUnexpectedResponseError } from "./errors/unexpected-response-error.ts";
import type { AttemptLog, HttpAnswer } from "./http-call.ts";
import type { Library } from "./library.ts";

/**
 * Schemas of the SMH answers this client reads (see `/work/shared/smh-api.md`). Objects are not
 * strict: SMH adds fields over time, and a field this client does not read must not fail a call.
 */

const segments = z.array(z.string());
/** SMH documents a number and the SDK a string for markers; either is opaque to the client. */
const marker = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((value) =>
    value === null || value === undefined || value === "" ? undefined : String(value),
  );
const recycledItemId = z.number().int().nonnegative();

/** `{ taskId }`, the body of a 202 Accepted. */
export const AcceptedSchema = z.object({ taskId: z.union([z.number().int(), z.string().min(1)]) });

/** `POST /api/v1/token`. `expiresIn` is seconds. */
export const TokenSchema = z.object({
  accessToken: z.string().min(1),
  expiresIn: z.number().positive().optional(),
});

/** 200 of a directory delete: the item went to the recycle bin. */
export const RecycledSchema = z.object({ recycledItemId });

/** One entry of a batch answer (200/207 `result[]`, or a task's `result`). */
export const BatchItemSchema = z.object({
  status: z.number().int(),
  path: segments.optional(),
  recycledItemId: recycledItemId.optional(),
  code: z.string().optional(),
  message: z.string().optional(),
});
export type BatchItem = z.infer<typeof BatchItemSchema>;

/** 200/207 of a batch delete or batch restore. */
export const BatchAnswerSchema = z.object({ result: z.array(BatchItemSchema) });

/** `GET /api/v1/task/…`: one status per task. */
export const TaskListSchema = z.array(
  z.object({
    taskId: z.union([z.number().int(), z.string().min(1)]),
    status: z.number().int(),
    result: z.unknown().optional(),
  }),
);

/** One entry of a directory listing. */
const DirectoryEntrySchema = z.object({
  name: z.string(),
  type: z.string(),
  path: segments.optional(),
  creationTime: z.string().optional(),
  modificationTime: z.string().optional(),
  size: z.union([z.string(), z.number()]).optional(),
});

/** A marker page of `GET /api/v1/directory/…`. */
export const DirectoryPageSchema = z.object({
  path: segments.optional(),
  nextMarker: marker,
  contents: z.array(DirectoryEntrySchema).default([]),
});

/** `GET /api/v1/directory/…?info`. */
export const DirectoryInfoSchema = z.object({
  type: z.string().optional(),
  path: segments.optional(),
  creationTime: z.string().optional(),
  modificationTime: z.string().optional(),
  size: z.union([z.string(), z.number()]).optional(),
  fileCount: z.number().optional(),
  subDirCount: z.number().optional(),
});

/** One item of the recycle bin. */
const RecycledItemSchema = z.object({
  recycledItemId,
  originalPath: segments,
  name: z.string().optional(),
  type: z.string().optional(),
  spaceId: z.string().optional(),
  removalTime: z.string().optional(),
  remainingTime: z.number().optional(),
  creationTime: z.string().optional(),
  modificationTime: z.string().optional(),
  size: z.union([z.string(), z.number()]).optional(),
});

/** A marker page of `GET /api/v1/recycled/…`. */
export const RecycleBinPageSchema = z.object({
  totalNum: z.number().optional(),
  nextMarker: marker,
  contents: z.array(RecycledItemSchema).default([]),
});

/** 200 of a single restore: the path the item now has (shows a rename). */
export const RestoredSchema = z.object({ path: segments });

/** A page of `GET /api/v1/space/{LibraryId}/list`. */
export const SpacePageSchema = z.object({
  list: z
    .array(
      z.object({
        spaceId: z.string().min(1),
        userId: z.string().optional(),
        creationTime: z.string().optional(),
      }),
    )
    .default([]),
  nextMarker: marker,
});

/** The error body SMH documents (`{ code, message, requestId? }`), read leniently. */
const ErrorBodySchema = z.object({
  code: z.string().optional(),
  message: z.string().optional(),
  requestId: z.string().optional(),
  reqId: z.string().optional(),
  requestID: z.string().optional(),
});

/** What an error body says, when it says anything. */
export interface ErrorBody {
  readonly code: string | undefined;
  readonly message: string | undefined;
  readonly requestId: string | undefined;
}

/** Reads `{ code, message, requestId }` from an error body that may be JSON, text or nothing. */
export function readErrorBody(data: unknown): ErrorBody {
  let value = data;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      return { code: undefined, message: undefined, requestId: undefined };
    }
  }
  const parsed = ErrorBodySchema.safeParse(value);
  if (!parsed.success) return { code: undefined, message: undefined, requestId: undefined };
  const body = parsed.data;
  return {
    code: body.code,
    message: body.message,
    requestId: body.requestId ?? body.reqId ?? body.requestID,
  };
}

/** The facts an unexpected-response error needs, which the schema helpers do not know. */
export interface AnswerContext {
  readonly operation: string;
  readonly libraryId: string;
  readonly status: number;
  readonly requestId: string | undefined;
  readonly attempts: number;
  readonly mayHaveApplied?: boolean | undefined;
  /** Secrets to scrub from any server text quoted in an error (the request's token). */
  readonly secrets?: readonly string[] | undefined;
}

/** The facts an error about `answer` needs. */
export function contextOf(
  operation: string,
  library: Library,
  answer: HttpAnswer,
  log: AttemptLog,
): AnswerContext {
  return {
    operation,
    libraryId: library.libraryId,
    status: answer.status,
    requestId: answer.requestId,
    attempts: log.attempts,
    secrets: answer.secrets,
  };
}

/**
 * Parses an answer body with `schema`.
 * @throws SmhUnexpectedResponseError naming the fields that did not match (never their values).
 */
export function parseAnswer<T extends z.ZodType>(
  schema: T,
  body: unknown,
  context: AnswerContext,
): z.output<T> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join(".") || "(body)"}: ${issue.code}`)
    .join("; ");
  throw new SmhUnexpectedResponseError(
    { ...context, mayHaveApplied: context.mayHaveApplied ?? false },
    `the answer does not have the documented shape (${fields})`,
  );
}

/** An answer with a status the operation does not document. */
export function unexpectedStatus(context: AnswerContext): SmhUnexpectedResponseError {
  return new SmhUnexpectedResponseError(
    { ...context, mayHaveApplied: context.mayHaveApplied ?? false },
    `status ${context.status} is not documented for this operation`,
  );
}

/**
 * The body of an answer whose status is one of `expected`, parsed with `schema`.
 * @throws SmhUnexpectedResponseError for any other status ({@link unexpectedStatus}) or body.
 */
export function readAnswer<T extends z.ZodType>(
  schema: T,
  answer: HttpAnswer,
  context: AnswerContext,
  expected: readonly number[] = [200],
): z.output<T> {
  if (!expected.includes(answer.status)) throw unexpectedStatus(context);
  return parseAnswer(schema, answer.body, context);
}
