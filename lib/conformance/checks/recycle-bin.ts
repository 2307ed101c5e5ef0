import {
  answerReading,
  type Check,
  type CheckContext,
  errorReading,
  failureOf,
  notApplicable,
  type Reading,
} from "../check.ts";

const PURGED = "recycle.purged";

/** The readings both columns use for the two conflict strategies and purge-batch behaviours. */
const ASKS: Reading = { key: "ask", text: "409 SameNameDirectoryOrFileExists (ask)" };
const RENAMES: Reading = { key: "rename", text: "200, renamed (rename)" };
const IGNORES: Reading = { key: "ignore", text: "204, the gone item ignored (ignore)" };
const FAILS: Reading = { key: "fail", text: "500, fails as a whole (fail)" };

/** Creates `name` in the scratch directory and deletes it into the bin; returns its item. */
async function recycled(context: CheckContext, name: string) {
  const { session } = context;
  await session.mkdir(name);
  const path = session.path(name);
  const result = await session.remove(path);
  if (result.outcome !== "recycled") {
    throw new Error(`deleting ${name} into the bin answered ${result.outcome}`);
  }
  return { id: result.recycledItemId, path };
}

/** A recycled item whose original name is taken again: a restore of it clashes. */
async function clash(context: CheckContext, name: string) {
  const item = await recycled(context, name);
  await context.session.mkdir(name);
  return item;
}

function lastSegment(path: string | undefined): string {
  return path?.split("/").at(-1) ?? "";
}

export const RECYCLE_BIN_CHECKS: readonly Check[] = [
  {
    id: "restore-default-conflict",
    behaviour: "Restore onto a taken name, no strategy (defaultRestoreConflictStrategy)",
    needsRecycleBin: true,
    assumed: (a) => (a.defaultRestoreConflictStrategy === "ask" ? ASKS : RENAMES),
    observe: async (context) => {
      const { id } = await clash(context, "default-conflict");
      const answer = await context.session.restoreWithDefaultConflict(id);
      if (answer.status === 409 && answer.code === "SameNameDirectoryOrFileExists") return ASKS;
      if (answer.status === 200) return RENAMES;
      return answerReading(answer);
    },
    tune: (observed) =>
      observed.key === "ask" || observed.key === "rename"
        ? { options: { defaultRestoreConflictStrategy: observed.key } }
        : undefined,
  },
  {
    id: "restore-ask",
    behaviour: "Restore onto a taken name, strategy ask",
    needsRecycleBin: true,
    assumed: () => ({ key: "409 SameNameDirectoryOrFileExists" }),
    observe: async (context) => {
      const { id } = await clash(context, "ask");
      const error = await failureOf(context.session.restore(id, "ask"));
      return error ? errorReading(error) : { key: "restored" };
    },
  },
  {
    id: "restore-rename",
    behaviour: "Restore onto a taken name, strategy rename",
    needsRecycleBin: true,
    assumed: () => ({ key: "name (1)", text: 'restored as "name (1)"' }),
    observe: async (context) => {
      const { id } = await clash(context, "rename");
      const restored = await context.session.restore(id, "rename");
      const name = lastSegment(restored.path);
      return name === "rename (1)"
        ? { key: "name (1)", text: 'restored as "name (1)"' }
        : { key: `restored as ${JSON.stringify(name)}` };
    },
  },
  {
    id: "restore-batch-conflict",
    behaviour: "Batch restore onto a taken name",
    needsRecycleBin: true,
    assumed: () => ({ key: "renamed" }),
    observe: async (context) => {
      const { id } = await clash(context, "batch-conflict");
      const [item] = (await context.session.restoreBatch([id])).items;
      if (item?.outcome === "failed") return errorReading(item.error);
      if (item?.outcome !== "restored") return { key: `item ${item?.outcome ?? "missing"}` };
      return lastSegment(item.path) === "batch-conflict"
        ? { key: "overwritten" }
        : { key: "renamed" };
    },
  },
  {
    id: "restore-missing-parent",
    behaviour: "Restore after the parent was deleted (originalPath)",
    needsRecycleBin: true,
    assumed: () => ({ key: "404 DirectoryNotFound" }),
    observe: async (context) => {
      const { session } = context;
      await session.mkdir("orphan");
      const { id } = await recycled(context, "orphan/child");
      await session.remove(session.path("orphan"), true);
      const error = await failureOf(session.restore(id, "ask"));
      return error ? errorReading(error) : { key: "restored" };
    },
  },
  {
    id: "purge-twice",
    behaviour: "Purge an item twice",
    needsRecycleBin: true,
    assumed: () => ({ key: "204, then 404 RecycledItemNotFound" }),
    observe: async (context) => {
      const { id } = await recycled(context, "purge");
      await context.session.purge(id);
      context.memo.set(PURGED, id);
      const again = await failureOf(context.session.purge(id));
      return { key: `204, then ${again ? errorReading(again).key : "204"}` };
    },
  },
  {
    id: "restore-purged",
    behaviour: "Restore an item that was purged",
    needsRecycleBin: true,
    assumed: () => ({ key: "404 RecycledItemNotFound" }),
    observe: async ({ memo, session }) => {
      const id = memo.get(PURGED) as number | undefined;
      if (id === undefined) return notApplicable("needs purge-twice");
      const error = await failureOf(session.restore(id, "ask"));
      return error ? errorReading(error) : { key: "restored" };
    },
  },
  {
    id: "purge-batch-unknown",
    behaviour: "Batch purge naming a gone item (purgeBatchUnknownIds)",
    needsRecycleBin: true,
    assumed: (a) => (a.purgeBatchUnknownIds === "fail" ? FAILS : IGNORES),
    observe: async (context) => {
      const gone = context.memo.get(PURGED) as number | undefined;
      if (gone === undefined) return notApplicable("needs purge-twice");
      const { id } = await recycled(context, "purge-batch");
      const error = await failureOf(context.session.purgeBatch([id, gone]));
      if (error === undefined) return IGNORES;
      if (error.status === 500) return FAILS;
      return errorReading(error);
    },
    tune: (observed) =>
      observed.key === "ignore" || observed.key === "fail"
        ? { options: { purgeBatchUnknownIds: observed.key } }
        : undefined,
  },
];
