import type { SmhError } from "../../smh/errors/smh-error.ts";
import {
  type Check,
  type CheckContext,
  errorReading,
  failureOf,
  notApplicable,
  type Reading,
  type Tuning,
} from "../check.ts";

/** A lookup of our own deletion looks this far back, so a clock skew cannot hide the item. */
const LOOKBACK_MS = 10 * 60_000;
/** Entries below the directory the single-delete check removes (`a`, `a/b`, `c`). */
const TREE_ENTRIES = 3;
const MISSING_CODES = ["DirectoryNotFound", "PathNotFound"];

/** The simulator's `missingPathCode` for a 404 code it can answer with. */
function missingCodeTuning(observed: Reading): Tuning | undefined {
  const [status, code] = observed.key.split(" ");
  if (status === "404" && code !== undefined && MISSING_CODES.includes(code)) {
    return { options: { missingPathCode: code } };
  }
  return { note: `the simulator has no option for ${observed.key}` };
}

async function tree(context: CheckContext, name: string): Promise<string> {
  const { session } = context;
  for (const relative of [name, `${name}/a`, `${name}/a/b`, `${name}/c`]) {
    await session.mkdir(relative);
  }
  return session.path(name);
}

async function findOwn(context: CheckContext, path: string) {
  const { session } = context;
  const found = await session.client.findRecycledItem(
    { ...session.space, path, removedAfter: context.startedAt - LOOKBACK_MS },
    session.call,
  );
  return found.item;
}

/** Counts outcomes in the order first seen: `["recycled", "recycled", "failed"]` → "2 recycled, 1 failed". */
function tally(outcomes: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const outcome of outcomes) counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
  return [...counts].map(([outcome, count]) => `${count} ${outcome}`).join(", ");
}

const SINGLE_DELETE = "deletion.single";
const RECYCLED: Reading = { key: "recycled", text: "200 {recycledItemId}, subtree gone" };
const DELETED: Reading = { key: "deleted", text: "204, subtree gone" };
const BATCH_MISSING = "deletion.batchMissing";

export const DELETION_CHECKS: readonly Check[] = [
  {
    id: "delete-to-bin",
    behaviour: "DELETE a directory with a subtree",
    assumed: (_a, facts) => (facts.recycleBin ? RECYCLED : DELETED),
    observe: async (context) => {
      const path = await tree(context, "delete");
      const result = await context.session.remove(path);
      context.memo.set(SINGLE_DELETE, result);
      const gone = !(
        await context.session.client.directoryExists(
          { ...context.session.space, path: `${path}/a/b` },
          context.session.call,
        )
      ).exists;
      if (!gone) return { key: "subtree still there" };
      if (result.outcome === "recycled") return RECYCLED;
      if (result.outcome === "deleted") return DELETED;
      return { key: "done by a task, no id" };
    },
  },
  {
    id: "delete-sync",
    behaviour: `DELETE ${TREE_ENTRIES} entries: at once or a task (singleDeleteAsyncAboveEntries)`,
    assumed: (a) =>
      a.singleDeleteAsyncAboveEntries > 0 && TREE_ENTRIES > a.singleDeleteAsyncAboveEntries
        ? { key: "202 task" }
        : { key: "synchronous" },
    observe: async ({ memo }) => {
      const result = memo.get(SINGLE_DELETE) as { taskId?: unknown } | undefined;
      if (result === undefined) return notApplicable("needs delete-to-bin");
      return { key: result.taskId === undefined ? "synchronous" : "202 task" };
    },
    tune: (observed) =>
      observed.key === "202 task"
        ? {
            options: { singleDeleteAsyncAboveEntries: 1 },
            note: `the library ran a ${TREE_ENTRIES}-entry delete as a task`,
          }
        : { options: { singleDeleteAsyncAboveEntries: 0 } },
  },
  {
    id: "missing-path-code",
    behaviour: "DELETE of a missing directory (missingPathCode)",
    assumed: (a) => ({ key: `404 ${a.missingPathCode}` }),
    observe: async ({ session }) => {
      const error = await failureOf(session.remove(session.path("absent")));
      return error ? errorReading(error) : { key: "succeeded" };
    },
    tune: missingCodeTuning,
  },
  {
    id: "recovery",
    behaviour: "Repeated DELETE: 404, id recovered from the bin",
    needsRecycleBin: true,
    assumed: () => ({ key: "recovered" }),
    observe: async (context) => {
      const { session } = context;
      await session.mkdir("recovery");
      const path = session.path("recovery");
      const first = await session.remove(path);
      if (first.outcome !== "recycled") return { key: `first delete: ${first.outcome}` };
      const again = await failureOf(session.remove(path));
      if (again?.kind !== "notFound") {
        return { key: again ? errorReading(again).key : "second delete succeeded" };
      }
      const item = await findOwn(context, path);
      if (item === undefined) return { key: "not in the bin" };
      return item.recycledItemId === first.recycledItemId
        ? { key: "recovered" }
        : { key: "another id in the bin" };
    },
  },
  {
    id: "delete-permanent",
    behaviour: "DELETE permanent=1",
    assumed: () => ({ key: "204, not in the bin" }),
    observe: async (context) => {
      const { session } = context;
      await session.mkdir("permanent");
      const path = session.path("permanent");
      const result = await session.remove(path, true);
      if (result.outcome === "recycled") return { key: "200, put in the bin" };
      if (!context.facts.recycleBin) return { key: "204, not in the bin" };
      return (await findOwn(context, path)) === undefined
        ? { key: "204, not in the bin" }
        : { key: "204, but in the bin" };
    },
  },
  {
    id: "batch-delete",
    behaviour: "Batch delete 3 directories and a missing one",
    assumed: (a, facts) => {
      const mode = 4 > a.asyncBatchThreshold ? "202 task" : "synchronous";
      return { key: `${mode}: 3 ${facts.recycleBin ? "recycled" : "deleted"}, 1 not found` };
    },
    observe: async (context) => {
      const { session } = context;
      await session.mkdir("batch");
      const paths = ["x1", "x2", "x3"].map((name) => `batch/${name}`);
      for (const relative of paths) await session.mkdir(relative);
      const absent = session.path("batch/absent");
      const result = await session.removeBatch([
        ...paths.map((relative) => session.path(relative)),
        absent,
      ]);
      const missing = result.items.find((item) => item.path === absent);
      if (missing?.outcome === "failed") context.memo.set(BATCH_MISSING, missing.error);
      const done = tally(result.items.filter((item) => item.path !== absent).map((i) => i.outcome));
      const absentOutcome =
        missing?.outcome === "failed" && missing.error.kind === "notFound"
          ? "1 not found"
          : `missing one ${missing?.outcome ?? "not reported"}`;
      const mode = result.taskId === undefined ? "synchronous" : "202 task";
      return { key: `${mode}: ${done}, ${absentOutcome}` };
    },
  },
  {
    id: "batch-missing-code",
    behaviour: "Batch item for a missing directory (missingPathCode)",
    assumed: (a) => ({ key: `404 ${a.missingPathCode}` }),
    observe: async ({ memo }) => {
      const error = memo.get(BATCH_MISSING) as SmhError | undefined;
      return error ? errorReading(error) : notApplicable("no not-found item in batch-delete");
    },
    tune: missingCodeTuning,
  },
];
