/**
 * The local stack file: how `smh-cleaner` commands find the queues and the SMH simulator of a
 * running local stack (`npm start`) without being told.
 *
 * The local stack writes it when everything is listening and removes it when it stops; a stack that
 * died leaves it behind, so a reader checks that the writing process is still alive. The file holds
 * **no secrets**: the schema is strict (no field can carry a library secret or a token) and its URLs
 * may not carry `access_token` or `library_secret`; the local stack hands secrets to its child
 * processes through their environment instead.
 *
 * Location: `$SMH_CLEANER_STATE_DIR/local-stack.json`, by default `.smh-cleaner/local-stack.json`
 * under the current working directory. Written with mode 0600 in a 0700 directory, atomically
 * (a temporary file, fsynced, renamed over the old one), so a reader never sees half a file.
 *
 * @example
 * await writeStackFile(stateDir(), { v: 1, pid: process.pid, startedAt: new Date().toISOString(), sqs, queues, smh });
 * const stack = await readStackFile(stateDir()); // throws StackFileError when missing, stale or invalid
 */
import { readFile, unlink } from "node:fs/promises";
import { join, resolve } from "node:path";
import * as z from "zod";
import { libraryId as LibraryIdSchema, spaceId as SpaceIdSchema } from "../messages/fields.ts";
import { writeFileAtomically } from "./atomic-file.ts";

/** The file name inside the state directory. */
export const STACK_FILE_NAME = "local-stack.json";

/** The state directory under the working directory when `SMH_CLEANER_STATE_DIR` is not set. */
export const DEFAULT_STATE_DIR_NAME = ".smh-cleaner";

/** The queues of a stack, by the key `serverless.yml` gives them (its name without the prefix). */
export const STACK_QUEUE_KEYS = [
  "jobs",
  "jobs-dlq",
  "results",
  "recycle-actions",
  "recycle-actions-dlq",
  "retention-continuations",
  "retention-continuations-dlq",
] as const;

/** One of {@link STACK_QUEUE_KEYS}. */
export type StackQueueKey = (typeof STACK_QUEUE_KEYS)[number];

const CREDENTIAL_IN_URL = /[?&](access_token|library_secret)=/i;

const httpUrl = z.url({ protocol: /^https?$/ }).refine((url) => !CREDENTIAL_IN_URL.test(url), {
  error: "must not carry access_token or library_secret: the stack file holds no secrets",
});

const queueRef = z.strictObject({
  url: httpUrl,
  arn: z.string().min(1),
  name: z.string().regex(/^[A-Za-z0-9_-]{1,80}$/, { error: "must be an SQS queue name" }),
});

/** The stack file, version 1. Strict: an unknown field (a secret, say) makes the file invalid. */
export const StackFileSchema = z.strictObject({
  v: z.literal(1),
  /** The local stack's process; the file is stale once it has exited. */
  pid: z.int().positive(),
  startedAt: z.iso.datetime(),
  sqs: z.strictObject({ endpoint: httpUrl, region: z.string().min(1) }),
  queues: z.strictObject({
    jobs: queueRef,
    "jobs-dlq": queueRef,
    results: queueRef,
    "recycle-actions": queueRef,
    "recycle-actions-dlq": queueRef,
    "retention-continuations": queueRef,
    "retention-continuations-dlq": queueRef,
  }),
  /**
   * Where the stack keeps the ledger (docs/ledger.md): its S3 endpoint, bucket and prefix. Optional,
   * so a file written before the ledger existed still reads.
   */
  ledger: z
    .strictObject({
      s3Endpoint: httpUrl,
      region: z.string().min(1),
      bucket: z.string().min(3).max(63),
      prefix: z.string(),
    })
    .optional(),
  smh: z.strictObject({
    /** The simulator's base URL (what `SMH_BASE_URL` would be set to). */
    baseUrl: httpUrl,
    libraries: z.array(
      z.strictObject({ libraryId: LibraryIdSchema, spaceIds: z.array(SpaceIdSchema) }),
    ),
  }),
});

/** What the local stack file says. */
export type StackInfo = z.output<typeof StackFileSchema>;

/**
 * The stack file's `queues`: the URL, ARN and name of each of {@link STACK_QUEUE_KEYS} among the
 * created queues. Throws when one is missing.
 */
export function stackQueueRefs(
  queues: ReadonlyMap<
    string,
    { readonly url: string; readonly arn: string; readonly name: string }
  >,
): StackInfo["queues"] {
  const ref = (key: StackQueueKey) => {
    const queue = queues.get(key);
    if (!queue) throw new Error(`serverless.yml defines no ${key} queue`);
    return { url: queue.url, arn: queue.arn, name: queue.name };
  };
  return {
    jobs: ref("jobs"),
    "jobs-dlq": ref("jobs-dlq"),
    results: ref("results"),
    "recycle-actions": ref("recycle-actions"),
    "recycle-actions-dlq": ref("recycle-actions-dlq"),
    "retention-continuations": ref("retention-continuations"),
    "retention-continuations-dlq": ref("retention-continuations-dlq"),
  };
}

/** Why {@link readStackFile} found no usable stack. */
export type StackFileProblem = "missing" | "stale" | "invalid";

/**
 * Thrown by {@link readStackFile}. `problem` says which case it is; the message says what to do
 * (for a stale file: "the local stack is not running: start it with npm start").
 */
export class StackFileError extends Error {
  override readonly name = "StackFileError";
  readonly problem: StackFileProblem;
  readonly path: string;
  constructor(problem: StackFileProblem, path: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.problem = problem;
    this.path = path;
  }
}

/**
 * The state directory: `env.SMH_CLEANER_STATE_DIR` when set (relative to `cwd`), otherwise
 * `<cwd>/.smh-cleaner`.
 */
export function stateDir(
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): string {
  const configured = env.SMH_CLEANER_STATE_DIR;
  return configured ? resolve(cwd, configured) : join(cwd, DEFAULT_STATE_DIR_NAME);
}

/** The stack file's path inside `dir`. */
export function stackFilePath(dir: string): string {
  return join(dir, STACK_FILE_NAME);
}

/**
 * Validates `info` and writes it to `<dir>/local-stack.json` atomically, mode 0600 (creating `dir`
 * with mode 0700 when missing). Resolves to the file's path. Throws a `ZodError` for invalid info,
 * before anything is written.
 */
export async function writeStackFile(dir: string, info: StackInfo): Promise<string> {
  const text = `${JSON.stringify(StackFileSchema.parse(info), null, 2)}\n`;
  const path = stackFilePath(dir);
  await writeFileAtomically(path, text, {
    mode: 0o600,
    createDirectory: true,
    syncDirectory: true,
  });
  return path;
}

/** Options for {@link readStackFile}. */
export interface ReadStackFileOptions {
  /** Whether a process is alive. Default: `process.kill(pid, 0)` (EPERM counts as alive). */
  isAlive?: (pid: number) => boolean;
}

/**
 * Reads and validates `<dir>/local-stack.json` and checks that the stack that wrote it is still
 * running. Throws {@link StackFileError}: `missing` (no file), `invalid` (unreadable or not a v1
 * stack file; the message names the fields), `stale` (its process has exited).
 */
export async function readStackFile(
  dir: string,
  options: ReadStackFileOptions = {},
): Promise<StackInfo> {
  const path = stackFilePath(dir);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new StackFileError(
        "missing",
        path,
        `no local stack file at ${path}: start the local stack with npm start`,
      );
    }
    throw new StackFileError("invalid", path, `cannot read ${path}: ${String(error)}`, {
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new StackFileError("invalid", path, `${path} is not JSON: delete it and run npm start`, {
      cause: error,
    });
  }
  const parsed = StackFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new StackFileError(
      "invalid",
      path,
      `${path} is not a valid stack file (${z.prettifyError(parsed.error).replaceAll("\n", " ")}): delete it and run npm start`,
    );
  }
  const isAlive = options.isAlive ?? processIsAlive;
  if (!isAlive(parsed.data.pid)) {
    throw new StackFileError(
      "stale",
      path,
      `the local stack is not running: start it with npm start (${path} was left by process ${parsed.data.pid}, which has exited)`,
    );
  }
  return parsed.data;
}

/**
 * Removes `<dir>/local-stack.json` when it was written by process `pid` (so a stack that stops does
 * not remove the file of another one started since). Resolves to whether it removed the file.
 */
export async function removeStackFile(dir: string, pid: number = process.pid): Promise<boolean> {
  const path = stackFilePath(dir);
  try {
    const current = StackFileSchema.safeParse(JSON.parse(await readFile(path, "utf8")));
    if (!current.success || current.data.pid !== pid) return false;
    await unlink(path);
    return true;
  } catch {
    return false;
  }
}

/** True when a process with this id exists (signal 0 checks without signalling). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
