import type { DirectoryEntry } from "../../smh/operations/list-directory.ts";
import {
  answerReading,
  type Check,
  type CheckContext,
  errorReading,
  failureOf,
  type Reading,
} from "../check.ts";

/** How many directories the listing fixture holds: one more than a page of 100. */
export const LISTING_SIZE = 101;
/** The memo key of the listing fixture's paths (the large batch delete removes them). */
export const LISTING_PATHS = "listing.paths";

/** Names a user may give that URL encoding must carry exactly. */
const AWKWARD_NAMES = ["with space", "hash#and?query", "100% + plus", "日本語の名前", "emoji 📷"];

async function listAll(context: CheckContext, path: string): Promise<DirectoryEntry[][]> {
  const { session } = context;
  const pages: DirectoryEntry[][] = [];
  for await (const page of session.client.listDirectory(
    { ...session.space, path, filter: "all", pageSize: 100 },
    session.call,
  )) {
    pages.push([...page.entries]);
  }
  return pages;
}

/** Creates the listing fixture once (`listing/d-000` … `d-100`) and returns its directory. */
async function listingFixture(context: CheckContext): Promise<string> {
  const { session, memo } = context;
  const parent = session.path("listing");
  if (!memo.has(LISTING_PATHS)) {
    await session.mkdir("listing");
    const names = Array.from({ length: LISTING_SIZE }, (_, i) => `d-${String(i).padStart(3, "0")}`);
    await session.mkdirs(names.map((name) => `listing/${name}`));
    memo.set(
      LISTING_PATHS,
      names.map((name) => `${parent}/${name}`),
    );
  }
  return parent;
}

/** Raw `GET` of a scratch directory with a read-only token. */
async function rawList(context: CheckContext, path: string, query: Record<string, string>) {
  const { session } = context;
  return session.probe.send({
    method: "GET",
    path: session.directoryApiPath(path),
    route: "GET directory",
    query,
    auth: { kind: "query", token: await session.probe.token([]) },
    idempotent: true,
  });
}

export const DIRECTORY_CHECKS: readonly Check[] = [
  {
    id: "create-directory",
    behaviour: "Create a directory (PUT, strategy ask)",
    assumed: () => ({ key: "201" }),
    observe: async ({ session }) => answerReading(await session.createAt(session.path("created"))),
  },
  {
    id: "exact-names",
    behaviour: "Names with space # ? % + CJK emoji: kept exactly",
    assumed: () => ({ key: "exact" }),
    observe: async (context) => {
      const { session } = context;
      await session.mkdir("names");
      for (const name of AWKWARD_NAMES) {
        const answer = await session.createAt(session.path(`names/${name}`));
        if (answer.status !== 201) {
          return { key: "refused", text: `${JSON.stringify(name)}: ${answerReading(answer).key}` };
        }
      }
      const listed = (await listAll(context, session.path("names"))).flat().map((e) => e.name);
      const missing = AWKWARD_NAMES.filter((name) => !listed.includes(name));
      if (missing.length > 0 || listed.length !== AWKWARD_NAMES.length) {
        return { key: "changed", text: `listed ${JSON.stringify(listed)}` };
      }
      for (const name of AWKWARD_NAMES) {
        const path = session.path(`names/${name}`);
        await session.remove(path, true);
        if (
          (await session.client.directoryExists({ ...session.space, path }, session.call)).exists
        ) {
          return { key: "changed", text: `${JSON.stringify(name)} still there after its delete` };
        }
      }
      return { key: "exact" };
    },
  },
  {
    id: "list-pages",
    behaviour: `List ${LISTING_SIZE} directories, 100 a page`,
    assumed: () => ({ key: "100+1, each once" }),
    observe: async (context) => {
      const pages = await listAll(context, await listingFixture(context));
      const names = pages.flat().map((entry) => entry.name);
      const once = new Set(names).size === names.length && names.length === LISTING_SIZE;
      const sizes = pages.map((page) => page.length).join("+");
      return { key: `${sizes}, ${once ? "each once" : "not each once"}` };
    },
  },
  {
    id: "list-last-page",
    behaviour: "nextMarker on the last page",
    assumed: () => ({ key: "absent" }),
    observe: async (context) => {
      const parent = await listingFixture(context);
      const first = await rawList(context, parent, { limit: "100" });
      const marker = (first.body as { nextMarker?: unknown } | undefined)?.nextMarker;
      if (first.status !== 200 || marker === undefined || marker === "" || marker === null) {
        return { key: "no second page", text: `first page: ${answerReading(first).key}` };
      }
      const last = await rawList(context, parent, { limit: "100", marker: String(marker) });
      const body = (last.body ?? {}) as { nextMarker?: unknown };
      if (!("nextMarker" in body) || body.nextMarker === null) return { key: "absent" };
      return { key: body.nextMarker === "" ? "empty" : "present" };
    },
  },
  {
    id: "list-limit-above-100",
    behaviour: `List with limit=${LISTING_SIZE} (listLimitMax, listLimitOverflow)`,
    assumed: (a) => {
      if (a.listLimitMax >= LISTING_SIZE) return { key: `${LISTING_SIZE} entries` };
      return a.listLimitOverflow === "reject"
        ? { key: "refused", text: "400 ParamInvalid (refused)" }
        : { key: `clamped to ${a.listLimitMax}` };
    },
    observe: async (context) => {
      const answer = await rawList(context, await listingFixture(context), {
        limit: String(LISTING_SIZE),
      });
      if (answer.status >= 400 && answer.status < 500) {
        return { key: "refused", text: `${answerReading(answer).key} (refused)` };
      }
      const contents = (answer.body as { contents?: unknown[] } | undefined)?.contents;
      if (answer.status !== 200 || !Array.isArray(contents)) return answerReading(answer);
      return contents.length >= LISTING_SIZE
        ? { key: `${LISTING_SIZE} entries` }
        : { key: `clamped to ${contents.length}` };
    },
    tune: (observed) => {
      if (observed.key === "refused") {
        return { options: { listLimitOverflow: "reject", listLimitMax: 100 } };
      }
      if (observed.key === `${LISTING_SIZE} entries`) {
        return {
          options: { listLimitMax: 1000 },
          note: `the library allows at least ${LISTING_SIZE}; the SDK docs say 1000`,
        };
      }
      const clamped = /^clamped to (\d+)$/.exec(observed.key);
      if (clamped)
        return { options: { listLimitMax: Number(clamped[1]), listLimitOverflow: "clamp" } };
      return undefined;
    },
  },
  {
    id: "list-missing",
    behaviour: "List a missing directory",
    assumed: () => ({ key: "404 DirectoryNotFound" }),
    observe: async (context) => {
      const error = await failureOf(listAll(context, context.session.path("absent")));
      return error ? errorReading(error) : { key: "listed" };
    },
  },
  {
    id: "head",
    behaviour: "HEAD an existing / a missing directory",
    assumed: () => ({ key: "exists / missing" }),
    observe: async ({ session }) => {
      const exists = async (path: string) =>
        (await session.client.directoryExists({ ...session.space, path }, session.call)).exists;
      const present = await exists(session.scratch.root);
      const absent = await exists(session.path("absent"));
      return { key: `${present ? "exists" : "missing"} / ${absent ? "exists" : "missing"}` };
    },
  },
  {
    id: "batch-async",
    behaviour: `Batch delete ${LISTING_SIZE} directories (asyncBatchThreshold)`,
    assumed: (a) =>
      LISTING_SIZE > a.asyncBatchThreshold
        ? { key: "202 task", text: "202 task, every item reported" }
        : { key: "synchronous", text: "synchronous, every item reported" },
    observe: async (context) => {
      await listingFixture(context);
      const paths = context.memo.get(LISTING_PATHS) as string[];
      const result = await context.session.removeBatch(paths);
      const done = result.items.filter(
        (item) => item.outcome === "recycled" || item.outcome === "deleted",
      );
      const reported =
        done.length === paths.length
          ? "every item reported"
          : `${done.length} of ${paths.length} reported done`;
      const key = result.taskId === undefined ? "synchronous" : "202 task";
      return { key, text: `${key}, ${reported}` } satisfies Reading;
    },
    tune: (observed) =>
      observed.key === "synchronous"
        ? {
            faults: { asyncBatchThreshold: 1000 },
            note: `the library ran ${LISTING_SIZE} items synchronously: its threshold is at least ${LISTING_SIZE}`,
          }
        : {
            faults: { asyncBatchThreshold: 100 },
            note: `the library started a task for ${LISTING_SIZE} items: its threshold is at most 100`,
          },
  },
  {
    id: "create-in-missing-parent",
    behaviour: "Create a directory whose parent is missing",
    assumed: () => ({ key: "201", text: "201 (parents created)" }),
    observe: async ({ session }) => {
      const answer = await session.createAt(session.path("parentless/a/b"));
      if (answer.status !== 201) return answerReading(answer);
      const parent = await session.client.directoryExists(
        { ...session.space, path: session.path("parentless/a") },
        session.call,
      );
      return parent.exists
        ? { key: "201", text: "201 (parents created)" }
        : { key: "201, parent missing" };
    },
  },
];
