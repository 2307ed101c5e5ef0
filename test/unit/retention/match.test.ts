import { describe, expect, it } from "vitest";
import { classifyEntry, matchesName } from "../../../lib/retention/match.ts";
import { dir, rule } from "./factories.ts";

const parent = ["events"];

describe("which listed entries a rule looks at", () => {
  it("a directory directly under the parent, with SMH's path for it", () => {
    expect(classifyEntry(parent, dir("2019-a", "2019-01-01T00:00:00Z"))).toEqual({
      kind: "child",
      name: "2019-a",
      path: "events/2019-a",
    });
  });

  it("a top-level album when the parent is the space root", () => {
    expect(classifyEntry([], dir("album", undefined, { parent: [] }))).toMatchObject({
      kind: "child",
      path: "album",
    });
  });

  it.each(["file", "image", "video", "symlink", "virtual", undefined])(
    "not an entry of type %s",
    (type) => {
      expect(classifyEntry(parent, dir("x", undefined, { type }))).toEqual({
        kind: "not-a-directory",
      });
    },
  );

  it.each([
    ["a grandchild", { path: ["events", "2019", "x"] }],
    ["a child of another directory", { path: ["other", "x"] }],
    ["an entry whose name is not the last segment of its path", { path: ["events", "y"] }],
    ["an entry without a path", { path: undefined }],
    ["an entry whose path is not a list", { path: "events/x" }],
    ["an entry without a name", { name: undefined }],
    ["a parent listed as its own child", { path: ["events"] }],
  ])("not %s", (_label, extra) => {
    expect(classifyEntry(parent, dir("x", undefined, extra))).toEqual({ kind: "not-direct-child" });
  });

  it.each([
    ["a slash", "a/b"],
    ["a dot-dot", ".."],
    ["a control character", "a\u0000b"],
    ["a trailing space at the end of the path", "x "],
    ["more than 255 characters", "x".repeat(256)],
  ])("not a child whose name has %s: the job would name another directory", (_label, name) => {
    const entry = { name, path: ["events", name], type: "dir" };
    expect(classifyEntry(parent, entry)).toEqual({ kind: "unsafe-name", name });
  });

  it.each([" x", "x ", "x\u200b", "\u202ex", "a\\b", "%2e%2e", "a%2Fb"])(
    "a name a job could not name exactly (%j) is never selected",
    (name) => {
      expect(classifyEntry(parent, dir(name, undefined))).toEqual({ kind: "unsafe-name", name });
      expect(classifyEntry([], dir(name, undefined, { parent: [] }))).toMatchObject({
        kind: "unsafe-name",
      });
    },
  );

  it("an album named with an emoji sequence is a child like any other", () => {
    expect(classifyEntry(parent, dir("❤️ 2019", undefined))).toMatchObject({
      kind: "child",
      path: "events/❤️ 2019",
    });
  });
});

describe("a rule's name filter", () => {
  it("includes every name when include is left out", () => {
    expect(matchesName(rule().match, "anything")).toBe(true);
  });

  it("includes a name any include pattern matches, glob or regex", () => {
    const { match } = rule({ match: { include: ["2019-*", { regex: "^tmp\\d+$" }] } });
    expect(matchesName(match, "2019-party")).toBe(true);
    expect(matchesName(match, "tmp42")).toBe(true);
    expect(matchesName(match, "2020-party")).toBe(false);
  });

  it("excludes a name any exclude pattern matches, whatever include says", () => {
    const { match } = rule({
      match: { include: ["2019-*"], exclude: ["*-keep", { regex: "final", ignoreCase: true }] },
    });
    expect(matchesName(match, "2019-party")).toBe(true);
    expect(matchesName(match, "2019-keep")).toBe(false);
    expect(matchesName(match, "2019-FINAL-cut")).toBe(false);
  });
});
