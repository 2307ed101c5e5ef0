/**
 * Keys given twice in one JSON object. `JSON.parse` keeps the last of them without a word, while
 * other readers keep the first or refuse the text: a job reading `"path": "projects/apollo"` to a
 * person (or a log search, or a proxy) and `"path": "scratch/x"` to this service names two
 * directories. Jobs and commands with a duplicate key are refused instead.
 */

/** A key an object holds twice: its dotted path (`path`, `items.0.id`). */
export interface DuplicateKey {
  readonly path: string;
}

type Frame =
  | { kind: "object"; keys: Set<string>; key: string | undefined; expectingKey: boolean }
  | { kind: "array"; index: number };

/**
 * Every key given twice in `text`, which must be valid JSON (call it after `JSON.parse` succeeded),
 * once each, in the order they appear.
 *
 * @example duplicateKeys('{"path":"a","path":"b"}') // [{ path: "path" }]
 */
export function duplicateKeys(text: string): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  const reported = new Set<string>();
  const stack: Frame[] = [];
  const pathOf = (key: string) =>
    [
      ...stack.slice(0, -1).map((frame) => (frame.kind === "object" ? frame.key : frame.index)),
      key,
    ].join(".");
  for (let at = 0; at < text.length; at++) {
    const char = text[at];
    const top = stack.at(-1);
    if (char === "{")
      stack.push({ kind: "object", keys: new Set(), key: undefined, expectingKey: true });
    else if (char === "[") stack.push({ kind: "array", index: 0 });
    else if (char === "}" || char === "]") stack.pop();
    else if (char === ",") {
      if (top?.kind === "object") top.expectingKey = true;
      else if (top?.kind === "array") top.index += 1;
    } else if (char === '"') {
      const end = stringEnd(text, at);
      if (top?.kind === "object" && top.expectingKey) {
        const key = JSON.parse(text.slice(at, end + 1)) as string;
        if (top.keys.has(key)) {
          const path = pathOf(key);
          if (!reported.has(path)) {
            reported.add(path);
            found.push({ path });
          }
        }
        top.keys.add(key);
        top.key = key;
        top.expectingKey = false;
      }
      at = end;
    }
  }
  return found;
}

/** The index of the quote that closes the string opening at `start` (long strings are common). */
function stringEnd(text: string, start: number): number {
  let at = start;
  for (;;) {
    at = text.indexOf('"', at + 1);
    if (at === -1) return text.length - 1;
    // Escaped when preceded by an odd number of backslashes.
    let backslashes = 0;
    while (text[at - 1 - backslashes] === "\\") backslashes++;
    if (backslashes % 2 === 0) return at;
  }
}
