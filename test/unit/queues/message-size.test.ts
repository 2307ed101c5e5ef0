import { describe, expect, it } from "vitest";
import { messageSize } from "../../../lib/queues/message-size.ts";

describe("messageSize", () => {
  it("counts the body in UTF-8 bytes, not characters", () => {
    expect(messageSize("héllo")).toBe(6);
    expect(messageSize("相册")).toBe(6);
  });

  it("adds each attribute's name, data type and value", () => {
    const size = messageSize("x", {
      kind: { DataType: "String", StringValue: "job" },
      blob: { DataType: "Binary", BinaryValue: new Uint8Array(5) },
    });
    expect(size).toBe(1 + (4 + 6 + 3) + (4 + 6 + 5));
  });
});
