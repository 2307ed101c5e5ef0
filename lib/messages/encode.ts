/**
 * Writing a message body: the one way every job, command and result is put on a queue.
 *
 * JSON, with every character above U+FFFF (emoji, CJK extension B, tag characters) written as its
 * UTF-16 escape pair (`🎉` as `\ud83c\udf89`). Readers get the very same strings back from
 * `JSON.parse`; what changes is only that the body is free of astral characters, which some
 * SQS-compatible endpoints refuse (fauxqs, the local stack's queue server, does). An album named
 * with an emoji must not make its job, or its result, impossible to enqueue.
 */

const ASTRAL = /[\u{10000}-\u{10ffff}]/gu;

/**
 * The body text of `message`, as described above.
 *
 * @example encodeMessageBody({ path: "albums/🎉" }) // '{"path":"albums/\\ud83c\\udf89"}'
 */
export function encodeMessageBody(message: unknown): string {
  return JSON.stringify(message).replace(ASTRAL, (character) => {
    const code = (character.codePointAt(0) ?? 0) - 0x10000;
    return `${unitEscape(0xd800 + (code >> 10))}${unitEscape(0xdc00 + (code & 0x3ff))}`;
  });
}

function unitEscape(unit: number): string {
  return `\\u${unit.toString(16)}`;
}
