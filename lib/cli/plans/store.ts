/**
 * Where plans are kept: `<state dir>/plans/<planId>.json` (and a copy at `--plan-out`), and next to
 * each plan its journal, `<planId>.enqueued`: the job IDs already accepted by the jobs queue, one
 * per line, appended and fsynced after each send. A confirmation of the same plan skips them, so
 * running `--confirm` twice (after a crash, a Ctrl-C, a partial failure) sends nothing twice.
 */
import { mkdir, open, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomically } from "../../local/atomic-file.ts";
import type { AlbumPlan } from "./plan.ts";

/** The plans directory inside the state directory. */
export function plansDir(stateDirectory: string): string {
  return join(stateDirectory, "plans");
}

/** Writes `plan` to `path` atomically (a temporary file, fsynced, renamed). */
export async function writePlanFile(path: string, plan: AlbumPlan): Promise<void> {
  await writeFileAtomically(path, `${JSON.stringify(plan, null, 2)}\n`, {
    mode: 0o644,
    createDirectory: true,
  });
}

/** The newest stored plan with this hash, if any (plans that cannot be read are skipped). */
export async function findPlanByHash(
  dir: string,
  planHash: string,
): Promise<AlbumPlan | undefined> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  let newest: AlbumPlan | undefined;
  for (const name of names.filter((n) => n.startsWith("plan-") && n.endsWith(".json"))) {
    try {
      const plan = JSON.parse(await readFile(join(dir, name), "utf8")) as AlbumPlan;
      if (plan.kind !== "purge-albums" || plan.planHash !== planHash) continue;
      if (!newest || plan.createdAt > newest.createdAt) newest = plan;
    } catch {
      // Not a plan of ours; ignore it.
    }
  }
  return newest;
}

/** The job IDs already enqueued for a plan. */
export async function readJournal(dir: string, planId: string): Promise<Set<string>> {
  try {
    const text = await readFile(join(dir, `${planId}.enqueued`), "utf8");
    return new Set(text.split("\n").filter((line) => line.trim() !== ""));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return new Set();
    throw error;
  }
}

/** Appends job IDs to a plan's journal, durably. */
export async function appendJournal(
  dir: string,
  planId: string,
  jobIds: readonly string[],
): Promise<void> {
  if (jobIds.length === 0) return;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = await open(join(dir, `${planId}.enqueued`), "a", 0o644);
  try {
    await file.writeFile(`${jobIds.join("\n")}\n`, "utf8");
    await file.sync();
  } finally {
    await file.close();
  }
}
