import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseRecycleCommandBody } from "../../../lib/messages/command-body.ts";
import { deriveCommandId, RecycleCommandSchema } from "../../../lib/messages/recycle-command.ts";

function body(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { v: 1, action: "restore", libraryId: "smh1", recycledItemIds: [1, 2, 3], ...overrides };
}

function parse(value: Record<string, unknown>) {
  return parseRecycleCommandBody(JSON.stringify(value));
}

function reasonsOf(value: Record<string, unknown>) {
  const parsed = parse(value);
  if (parsed.ok) throw new Error(`expected a refusal, got ${JSON.stringify(parsed.command)}`);
  return parsed.reasons;
}

describe("a recycle command", () => {
  it("restores with rename on conflict and to the original path unless told otherwise", () => {
    expect(parse(body())).toEqual({
      ok: true,
      command: {
        v: 1,
        action: "restore",
        commandId: expect.stringMatching(/^auto-[0-9a-f]{32}$/),
        libraryId: "smh1",
        spaceId: "-",
        recycledItemIds: [1, 2, 3],
        conflictStrategy: "rename",
        restorePathStrategy: "originalPath",
      },
    });
  });

  it("keeps the strategies, commandId and provenance it is given", () => {
    const given = body({
      commandId: "restore-42",
      spaceId: "space1",
      conflictStrategy: "ask",
      restorePathStrategy: "fallbackToRoot",
      requestedBy: "ops",
      reason: "restore after mistaken cleanup",
    });
    expect(parse(given)).toEqual({ ok: true, command: given });
  });

  it("purges without strategies", () => {
    const parsed = parse(body({ action: "purge" }));
    expect(parsed.ok && parsed.command).toEqual({
      v: 1,
      action: "purge",
      commandId: expect.any(String),
      libraryId: "smh1",
      spaceId: "-",
      recycledItemIds: [1, 2, 3],
    });
  });

  it("is refused when a purge carries restore strategies, which mean nothing to it", () => {
    expect(
      reasonsOf(body({ action: "purge", conflictStrategy: "ask" })).map((r) => r.path),
    ).toEqual(["conflictStrategy"]);
  });

  it.each(["delete", "empty", "", undefined])("is refused with action %j", (action) => {
    expect(reasonsOf(body({ action })).map((reason) => reason.path)).toEqual(["action"]);
  });

  it.each([["overwrite"], ["Rename"]])(
    "is refused with conflictStrategy %j",
    (conflictStrategy) => {
      expect(reasonsOf(body({ conflictStrategy })).map((reason) => reason.path)).toEqual([
        "conflictStrategy",
      ]);
    },
  );

  it("is refused without items, and with more than 1,000", () => {
    expect(reasonsOf(body({ recycledItemIds: [] })).map((r) => r.path)).toEqual([
      "recycledItemIds",
    ]);
    const tooMany = Array.from({ length: 1001 }, (_, index) => index + 1);
    expect(reasonsOf(body({ recycledItemIds: tooMany })).map((r) => r.path)).toEqual([
      "recycledItemIds",
    ]);
  });

  it("accepts exactly 1,000 items", () => {
    const ids = Array.from({ length: 1000 }, (_, index) => index + 1);
    expect(parse(body({ recycledItemIds: ids })).ok).toBe(true);
  });

  it.each([0, -1, 1.5, "7", null])("is refused with item ID %j, naming its index", (id) => {
    expect(reasonsOf(body({ recycledItemIds: [1, id] })).map((r) => r.path)).toEqual([
      "recycledItemIds.1",
    ]);
  });

  it("is refused when an item is listed twice, naming each repeat", () => {
    expect(reasonsOf(body({ recycledItemIds: [4, 5, 4, 4] }))).toEqual([
      { path: "recycledItemIds.2", message: "duplicate recycledItemId 4 (first at index 0)" },
      { path: "recycledItemIds.3", message: "duplicate recycledItemId 4 (first at index 0)" },
    ]);
  });

  it("is refused without a version or with an unknown field", () => {
    const { v: _omitted, ...unversioned } = body();
    expect(reasonsOf(unversioned).map((r) => r.path)).toEqual(["v"]);
    expect(reasonsOf(body({ force: true })).map((r) => r.path)).toEqual(["force"]);
  });
});

describe("a recycle command without a commandId", () => {
  const idOf = (value: Record<string, unknown>) => {
    const parsed = parse(value);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.reasons));
    return parsed.command.commandId;
  };

  it("gets the same commandId whatever order its items are listed in", () => {
    expect(idOf(body({ recycledItemIds: [3, 1, 2] }))).toBe(
      idOf(body({ recycledItemIds: [1, 2, 3] })),
    );
  });

  it.each([
    ["action", "purge"],
    ["libraryId", "smh2"],
    ["spaceId", "space1"],
    ["recycledItemIds", [1, 2]],
    ["conflictStrategy", "ask"],
    ["restorePathStrategy", "fallbackToRoot"],
  ])("gets a different commandId when %s changes", (field, value) => {
    expect(idOf(body({ [field]: value }))).not.toBe(idOf(body()));
  });

  it("keeps its commandId when only requestedBy or reason change", () => {
    expect(idOf(body({ requestedBy: "x", reason: "y" }))).toBe(idOf(body()));
  });

  it("is derived by deriveCommandId, so a producer can know it in advance", () => {
    const parsed = RecycleCommandSchema.parse(body());
    const { commandId, ...target } = parsed;
    expect(deriveCommandId(target)).toBe(commandId);
  });
});

describe("parseRecycleCommandBody on hostile input", () => {
  it("never throws on any string or JSON value, and refuses with reasons", () => {
    const input = fc.oneof(
      fc.string({ unit: "binary", maxLength: 200 }),
      fc.jsonValue().map((value) => JSON.stringify(value) ?? "null"),
      fc
        .dictionary(
          fc.constantFrom("v", "action", "recycledItemIds", "__proto__", "constructor"),
          fc.jsonValue(),
        )
        .map((value) => JSON.stringify({ ...body(), ...value })),
    );
    fc.assert(
      fc.property(input, (text) => {
        const parsed = parseRecycleCommandBody(text);
        if (parsed.ok) expect(RecycleCommandSchema.safeParse(parsed.command).success).toBe(true);
        else expect(parsed.reasons.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });

  it("still says which command a refused body was", () => {
    const parsed = parse(
      body({ commandId: "c-1", action: "purge", recycledItemIds: [0], requestedBy: "ops" }),
    );
    expect(parsed.ok || parsed.identity).toEqual({
      commandId: "c-1",
      libraryId: "smh1",
      action: "purge",
      requestedBy: "ops",
    });
  });

  it("names a refused body without a commandId after its content", () => {
    const parsed = parseRecycleCommandBody("not json");
    expect(parsed.ok || parsed.identity.commandId).toMatch(/^body-[0-9a-f]{32}$/);
  });
});
