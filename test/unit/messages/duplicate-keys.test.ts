import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { duplicateKeys } from "../../../lib/messages/duplicate-keys.ts";

describe("keys given twice in a JSON body", () => {
  it("are never found in what JSON.stringify writes, whatever the strings hold", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(duplicateKeys(JSON.stringify({ value }))).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  it("are found, by their dotted path, wherever an object repeats one", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1 }),
        fc.string(),
        fc.jsonValue(),
        (object, key, value) => {
          const text = JSON.stringify({ outer: [object] });
          const repeated = `${text.slice(0, -3)},${JSON.stringify(key)}:${JSON.stringify(value)},${JSON.stringify(key)}:1}]}`;
          JSON.parse(repeated);
          expect(duplicateKeys(repeated)).toContainEqual({ path: `outer.0.${key}` });
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("tell quotes inside strings, escaped or after escaped backslashes, from the end of a key", () => {
    expect(duplicateKeys('{"a":"x\\\\","a":1}')).toEqual([{ path: "a" }]);
    expect(duplicateKeys('{"a":"say \\"a\\": 1","b":2}')).toEqual([]);
  });
});
