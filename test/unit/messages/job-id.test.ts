import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deriveJobId } from "../../../lib/messages/delete-job.ts";
import { parseJobBody } from "../../../lib/messages/job-body.ts";
import { jobBody } from "./factories.ts";

function jobIdOf(body: Record<string, unknown>): string {
  const parsed = parseJobBody(JSON.stringify(body));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.reasons));
  return parsed.job.jobId;
}

describe("a job without a jobId", () => {
  it("gets the same derived jobId every time it is delivered", () => {
    expect(jobIdOf(jobBody())).toBe(jobIdOf(jobBody()));
    expect(jobIdOf(jobBody())).toMatch(/^auto-[0-9a-f]{32}$/);
  });

  it("gets the same jobId whichever way the slashes of its path are written", () => {
    expect(jobIdOf(jobBody({ path: "/events//2024/party/" }))).toBe(
      jobIdOf(jobBody({ path: "events/2024/party" })),
    );
  });

  it("keeps two names apart that differ only in their kind of space: two directories, two jobIds", () => {
    expect(jobIdOf(jobBody({ path: "events/2024/summer party" }))).not.toBe(
      jobIdOf(jobBody({ path: "events/2024/summer\u00a0party" })),
    );
  });

  it("gets the same jobId whether the defaults are written out or not", () => {
    expect(jobIdOf(jobBody({ spaceId: "-", permanent: false }))).toBe(jobIdOf(jobBody()));
  });

  it.each([
    ["libraryId", "smh2"],
    ["spaceId", "space1"],
    ["path", "events/2024/party2"],
    ["permanent", true],
  ])("gets a different jobId when %s changes", (field, value) => {
    expect(jobIdOf(jobBody({ [field]: value }))).not.toBe(jobIdOf(jobBody()));
  });

  it.each([
    ["source", "retention"],
    ["requestedBy", "bob"],
    ["reason", "cleanup"],
    ["ruleId", "rule-2"],
    ["planId", "plan-2"],
    ["userId", "u-2"],
  ])("keeps its jobId when only %s (not part of the target) changes", (field, value) => {
    expect(jobIdOf(jobBody({ [field]: value }))).toBe(jobIdOf(jobBody()));
  });

  it("is told apart from any other target, however the fields split the same characters", () => {
    const segment = fc.constantFrom("a", "b", "a-b", "ab", "-");
    const target = fc.record({
      libraryId: fc.constantFrom("smh1", "smh-1", "smh"),
      spaceId: fc.constantFrom("-", "1", "space-1"),
      path: fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => parts.join("/")),
      permanent: fc.boolean(),
    });
    fc.assert(
      fc.property(target, target, (one, other) => {
        const same = JSON.stringify(one) === JSON.stringify(other);
        expect(deriveJobId(one) === deriveJobId(other)).toBe(same);
      }),
    );
  });
});

describe("a job with a jobId", () => {
  it("keeps the caller's jobId exactly", () => {
    expect(jobIdOf(jobBody({ jobId: "crm:order-42" }))).toBe("crm:order-42");
  });
});
