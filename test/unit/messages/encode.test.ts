import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeMessageBody } from "../../../lib/messages/index.ts";
import { fauxqsCanCarry } from "../../fuzz/job-bodies.ts";

describe("a message body as written to a queue", () => {
  it("writes characters above U+FFFF as escapes, so every SQS-compatible queue carries it", () => {
    const body = encodeMessageBody({ path: "albums/🎉 party/𠀀", reason: "❤️" });
    expect(body).toBe('{"path":"albums/\\ud83c\\udf89 party/\\ud840\\udc00","reason":"❤️"}');
    expect(fauxqsCanCarry(body)).toBe(true);
  });

  it("reads back as exactly the message it was written from, whatever its strings", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ unit: "binary" }), (value, text) => {
        const message = { value, text };
        expect(JSON.parse(encodeMessageBody(message))).toEqual(JSON.parse(JSON.stringify(message)));
        expect(encodeMessageBody(message)).not.toMatch(/[\u{10000}-\u{10ffff}]/u);
      }),
      { numRuns: 2000 },
    );
  });
});
