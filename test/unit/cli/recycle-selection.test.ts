/**
 * What restore and purge take from results exports: the items deletions put in the recycle bin,
 * less those a recycle action already settled, read from NDJSON or CSV exactly as
 * `smh-cleaner results --out` writes them.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readExports } from "../../../lib/cli/recycle/selection.ts";
import { writeResultsFile } from "../../../lib/cli/results/archive.ts";
import { createDeleteJob } from "../../../lib/messages/delete-job.ts";
import { deletionResult } from "../../../lib/messages/deletion-result.ts";
import { recycleActionResult } from "../../../lib/messages/recycle-action-result.ts";
import { createRecycleCommand } from "../../../lib/messages/recycle-command.ts";
import type { ResultMessage } from "../../../lib/messages/result-message.ts";

const run = {
  attempts: 1,
  startedAt: new Date("2025-05-01T10:00:00Z"),
  finishedAt: new Date("2025-05-01T10:00:01Z"),
};

function recycled(path: string, id: number, spaceId = "-", planId = "plan-a"): ResultMessage {
  const job = createDeleteJob({ libraryId: "smh1", spaceId, path, source: "bulk", planId });
  return deletionResult(job, { outcome: "recycled", recycledItemId: id }, run);
}

function restored(id: number, spaceId = "-"): ResultMessage {
  const command = createRecycleCommand({
    action: "restore",
    libraryId: "smh1",
    spaceId,
    recycledItemIds: [id],
  });
  return recycleActionResult(command, id, { outcome: "restored", restoredPath: `x${id}` }, run);
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "smh-selection-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("reading results exports for restore and purge", () => {
  const results = [
    recycled("albums/a", 1),
    recycled("albums/b", 2),
    recycled("albums/b", 2), // the same item twice (a duplicate result)
    recycled("albums/c", 3, "space2", "plan-b"),
    restored(2),
  ];

  it.each(["ndjson", "csv"] as const)(
    "takes the recycled items of a %s export once each, and knows which a restore already settled",
    async (format) => {
      const file = join(dir, `export.${format}`);
      await writeResultsFile(file, format, results);
      const contents = await readExports([file]);
      expect(contents.problems).toEqual([]);
      expect(contents.recycled).toEqual([
        { libraryId: "smh1", spaceId: "-", recycledItemId: 1, path: "albums/a", planId: "plan-a" },
        { libraryId: "smh1", spaceId: "-", recycledItemId: 2, path: "albums/b", planId: "plan-a" },
        {
          libraryId: "smh1",
          spaceId: "space2",
          recycledItemId: 3,
          path: "albums/c",
          planId: "plan-b",
        },
      ]);
      expect([...contents.settled]).toEqual(["smh1/-/2"]);
    },
  );

  it("reports every line that is not a result, with its file and line number", async () => {
    const file = join(dir, "broken.ndjson");
    await writeFile(file, `${JSON.stringify(recycled("albums/a", 1))}\nnot json\n\n{"v":1}\n`);
    const contents = await readExports([file]);
    expect(contents.problems.map((p) => [p.file, p.line])).toEqual([
      [file, 2],
      [file, 4],
    ]);
  });

  it("refuses a CSV that is not a results export, naming the missing columns", async () => {
    const file = join(dir, "paths.csv");
    await writeFile(file, "path,libraryId\nalbums/a,smh1\n");
    const contents = await readExports([file]);
    expect(contents.problems).toEqual([
      expect.objectContaining({ line: 1, message: expect.stringContaining("recycledItemId") }),
    ]);
  });
});
