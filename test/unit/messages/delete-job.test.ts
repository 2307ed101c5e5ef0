import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { createDeleteJob } from "../../../lib/messages/delete-job.ts";
import { parseJobBody } from "../../../lib/messages/job-body.ts";
import { jobBody } from "./factories.ts";

function parse(body: Record<string, unknown>) {
  return parseJobBody(JSON.stringify(body));
}

function reasonsOf(body: Record<string, unknown>) {
  const parsed = parse(body);
  if (parsed.ok) throw new Error(`expected a refusal, got ${JSON.stringify(parsed.job)}`);
  return parsed.reasons;
}

describe("a delete job", () => {
  it("is read with its defaults: space '-', recycle (not permanent), and a derived jobId", () => {
    const parsed = parse(jobBody());
    expect(parsed).toEqual({
      ok: true,
      job: {
        v: 1,
        jobId: expect.stringMatching(/^auto-[0-9a-f]{32}$/),
        libraryId: "smh1",
        spaceId: "-",
        path: "events/2024/party",
        permanent: false,
        source: "bulk",
      },
    });
  });

  it("keeps every optional field it is given", () => {
    const body = jobBody({
      jobId: "crm:order-42",
      spaceId: "space04fzo07fdq61b",
      permanent: true,
      userId: "u-7",
      source: "crm-sync",
      requestedBy: "alice@example.com",
      reason: "customer asked for erasure",
      ruleId: "rule-1",
      planId: "plan-9",
    });
    expect(parse(body)).toEqual({ ok: true, job: { ...body, path: "events/2024/party" } });
  });

  it("keeps its path exactly as written, slashes included (results repeat it)", () => {
    const parsed = parse(jobBody({ path: "/events//2024/party/" }));
    expect(parsed.ok && parsed.job.path).toBe("/events//2024/party/");
  });

  it("names one directory however its slashes are written: the derived jobId is the same", () => {
    const ids = ["events/2024/party", "/events//2024/party/", "//events/2024///party"].map(
      (path) => {
        const parsed = parse(jobBody({ path }));
        return parsed.ok ? parsed.job.jobId : undefined;
      },
    );
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).toMatch(/^auto-/);
  });

  it("keeps unicode, spaces and URL-special characters in its path as they are", () => {
    const path = "活动/2024 夏天/a#b?c%d+e/🎉";
    const parsed = parse(jobBody({ path }));
    expect(parsed.ok && parsed.job.path).toBe(path);
  });

  it.each([
    ["", "empty"],
    ["   ", "edge-whitespace"],
    ["/", "root"],
    ["///", "root"],
    ["events/../users", "dot-segment"],
    ["./events", "dot-segment"],
    ["events/\u0000x", "control-character"],
    ["events\nx", "control-character"],
    [`events/${"x".repeat(256)}`, "segment-too-long"],
    ["scratch/1 ", "edge-whitespace"],
    ["\u00a0scratch/2\u3000", "edge-whitespace"],
    ["projects/apollo\u200b", "invisible-character"],
    ["projects/\u202eollopa", "invisible-character"],
    ["events\\2024", "backslash"],
    ["scratch/%2e%2e/projects/apollo", "encoded-dot-segment"],
    ["scratch/..%2Fprojects%2Fapollo", "encoded-separator"],
    ["scratch/%252e%252e", "encoded-dot-segment"],
    ["scratch/a%00b", "encoded-control-character"],
  ])("is refused when its path is %j, with the problem as the reason's code (%s)", (path, code) => {
    const reasons = reasonsOf(jobBody({ path }));
    expect(reasons).toEqual([
      { path: "path", code, message: expect.stringContaining(`(${code})`) },
    ]);
  });

  it("says what to send instead when a path only looks like another", () => {
    const [reason] = reasonsOf(jobBody({ path: "scratch/1 " }));
    expect(reason?.message).toContain('segment 2 ("1 ") begins or ends with whitespace');
    expect(reason?.message).toContain('If you mean "scratch/1", send that');
    const [invisible] = reasonsOf(jobBody({ path: "projects/apollo\u200b" }));
    expect(invisible?.message).toContain('segment 2 ("apollo\\u200B") contains U+200B');
  });

  it("is refused when its path is longer than 4,096 characters", () => {
    const path = Array.from({ length: 20 }, () => "x".repeat(250)).join("/");
    expect(reasonsOf(jobBody({ path }))).toEqual([
      { path: "path", message: expect.stringContaining("4096") },
    ]);
  });

  it("is deleted permanently only for a JSON true", () => {
    const parsed = parse(jobBody({ permanent: true }));
    expect(parsed.ok && parsed.job.permanent).toBe(true);
  });

  it.each(["true", "false", "1", "0", 1, 0, null])(
    'is refused when permanent is %j rather than a boolean, so "false" can never mean true',
    (permanent) => {
      expect(reasonsOf(jobBody({ permanent }))).toEqual([
        { path: "permanent", message: expect.stringContaining("JSON boolean") },
      ]);
    },
  );

  it('is refused without a version, and the reason says to add "v": 1', () => {
    const { v: _omitted, ...body } = jobBody();
    expect(reasonsOf(body)).toEqual([
      { path: "v", message: expect.stringContaining('add "v": 1') },
    ]);
  });

  it.each([2, 0, "1", 1.5])("is refused with version %j: only v 1 is understood", (v) => {
    expect(reasonsOf(jobBody({ v }))).toEqual([
      { path: "v", message: expect.stringContaining("unsupported message version") },
    ]);
  });

  it("is refused with an unknown field, and every unknown field is named", () => {
    const reasons = reasonsOf(jobBody({ permanant: true, dryRun: true }));
    expect(reasons.map((reason) => reason.path)).toEqual(["permanant", "dryRun"]);
    expect(reasons[0]?.message).toContain("unknown field");
  });

  it.each(["libraryId", "path", "source"])("is refused without %s", (field) => {
    const body = jobBody();
    delete body[field];
    expect(reasonsOf(body).map((reason) => reason.path)).toEqual([field]);
  });

  it.each([
    ["jobId", "x".repeat(129)],
    ["jobId", "has space"],
    ["jobId", "ünïcode"],
    ["jobId", ""],
    ["jobId", "job\u200bid"],
    ["libraryId", "smh1/../other"],
    ["libraryId", "ｓｍｈ1"],
    ["libraryId", "smh1 "],
    ["libraryId", "x".repeat(65)],
    ["libraryId", ""],
    ["spaceId", "../space"],
    ["spaceId", ""],
    ["userId", "x".repeat(129)],
    ["source", ""],
    ["source", "x".repeat(65)],
    ["source", "bulk\nFAKE LOG LINE"],
    ["requestedBy", "x".repeat(257)],
    ["reason", "x".repeat(1025)],
    ["ruleId", "x".repeat(129)],
    ["planId", "x".repeat(129)],
  ])("is refused when %s is %j", (field, value) => {
    expect(reasonsOf(jobBody({ [field]: value })).map((reason) => reason.path)).toEqual([field]);
  });

  it("reports every problem at once, each at its field", () => {
    const reasons = reasonsOf({ v: 1, libraryId: 7, path: "..", permanent: "yes", extra: 1 });
    expect(reasons.map((reason) => reason.path).sort()).toEqual(
      ["extra", "libraryId", "path", "permanent", "source"].sort(),
    );
  });

  it("serialises to a body that parses back to the same job, jobId included", () => {
    const first = parse(jobBody({ path: "/a//b/" }));
    if (!first.ok) throw new Error("expected a job");
    expect(parseJobBody(JSON.stringify(first.job))).toEqual(first);
  });
});

describe("createDeleteJob", () => {
  it("builds a job a producer can send, with defaults and a derived jobId", () => {
    const job = createDeleteJob({ libraryId: "smh1", path: "/tmp/x/", source: "retention" });
    expect(job).toMatchObject({ v: 1, spaceId: "-", path: "/tmp/x/", permanent: false });
    expect(job.jobId).toBe(
      createDeleteJob({ libraryId: "smh1", path: "tmp/x", source: "bulk" }).jobId,
    );
    expect(parseJobBody(JSON.stringify(job))).toEqual({ ok: true, job });
  });

  it("throws a ZodError naming the bad field instead of building an unsafe job", () => {
    expect(() => createDeleteJob({ libraryId: "smh1", path: "..", source: "bulk" })).toThrow(
      ZodError,
    );
  });
});
