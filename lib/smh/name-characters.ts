/**
 * The characters that make one name look like another: invisible ones, whitespace at the ends,
 * and percent-escapes that a server decoding twice would read as `.`, `..` or a separator.
 *
 * Two uses, deliberately different: a path a job names is *refused* when it holds any of them
 * (`paths.ts`: act on exactly what was named, or not at all), while a protected path is compared
 * *without* them (`lib/policy/segments.ts`: a look-alike of something protected is protected too).
 */

/**
 * Characters a reader cannot see or that reorder what they see: default-ignorable code points
 * (zero-width spaces and joiners, variation selectors, U+FEFF, Hangul fillers, tag characters, …),
 * format characters (soft hyphen, bidi embeddings, overrides and isolates, …) and the line and
 * paragraph separators.
 */
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Cf}\p{Zl}\p{Zp}]/u;
const INVISIBLE_ALL = new RegExp(INVISIBLE.source, "gu");

/**
 * Emoji sequences as Unicode recommends them (`❤️`, `👨‍👩‍👧`, keycaps, flags): they carry zero-width
 * joiners and variation selectors that are part of a visible picture, not hidden in a name.
 */
const EMOJI_SEQUENCE = /\p{RGI_Emoji}/gv;

const EDGE_WHITESPACE = /^\p{White_Space}|\p{White_Space}$/u;
const EDGE_WHITESPACE_ALL = /^\p{White_Space}+|\p{White_Space}+$/gu;
const PERCENT_ESCAPES = /(?:%[0-9A-Fa-f]{2})+/g;

/** `U+200B`: how a message names a code point. */
export function codePointLabel(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * The first invisible character of `name` (see {@link INVISIBLE}) outside an emoji sequence, as a
 * code point; `undefined` when there is none.
 *
 * @example firstInvisible("apollo\u200b") // 0x200b
 * @example firstInvisible("love ❤️") // undefined: the variation selector belongs to the emoji
 */
export function firstInvisible(name: string): number | undefined {
  const found = INVISIBLE.exec(name.replace(EMOJI_SEQUENCE, "\u{fffc}"));
  return found === null ? undefined : found[0].codePointAt(0);
}

/** `name` without any invisible character, emoji sequences included (`❤️` becomes `❤`). */
export function withoutInvisible(name: string): string {
  return name.replace(INVISIBLE_ALL, "");
}

/** True when `name` begins or ends with whitespace (any Unicode `White_Space`, U+3000 included). */
export function hasEdgeWhitespace(name: string): boolean {
  return EDGE_WHITESPACE.test(name);
}

/** `name` without whitespace at either end. */
export function trimWhitespace(name: string): string {
  return name.replace(EDGE_WHITESPACE_ALL, "");
}

/**
 * What `name` becomes when percent-decoded once, twice, … until nothing decodes any more: one
 * entry per decoding that changed it (`"%252e"` gives `["%2e", "."]`; a name without escapes gives
 * `[]`). Only well-formed `%XX` escapes that spell UTF-8 are decoded, and the overlong forms of
 * ASCII characters that lenient decoders accept (`%C0%AE` is `.`, `%E0%80%AF` is `/`); the rest is
 * kept as written (`100%` stays `100%`, a lone `%C7` stays `%C7`, so that a character whose bytes
 * were escaped at different depths is still found once they meet). The list is finite: every
 * decoding that changes a name shortens it.
 */
export function percentDecodings(name: string): string[] {
  const decodings: string[] = [];
  let current = name;
  for (;;) {
    const next = current.replace(PERCENT_ESCAPES, decodeEscapes);
    if (next === current) return decodings;
    decodings.push(next);
    current = next;
  }
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** A run of `%XX` escapes, decoded where its bytes are UTF-8, kept as escapes where they are not. */
function decodeEscapes(run: string): string {
  const bytes = Buffer.from(run.replaceAll("%", ""), "hex");
  let text = "";
  let at = 0;
  while (at < bytes.length) {
    const lead = bytes[at] ?? 0;
    const length = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 0;
    const sequence = bytes.subarray(at, at + length);
    const character = length === 0 ? undefined : (utf8(sequence) ?? overlongAscii(sequence));
    if (character !== undefined && at + length <= bytes.length) {
      text += character;
      at += length;
    } else {
      text += run.slice(at * 3, at * 3 + 3);
      at += 1;
    }
  }
  return text;
}

/**
 * The ASCII character an overlong UTF-8 sequence spells (`C0 AE` for `.`, `E0 80 AF` for `/`):
 * invalid UTF-8, but decoded by lenient servers, which is how `%C0%AE%C0%AE` once climbed out.
 */
function overlongAscii(bytes: Uint8Array): string | undefined {
  const continuation = (byte: number | undefined) =>
    byte !== undefined && byte >= 0x80 && byte <= 0xbf ? byte & 0x3f : undefined;
  const [lead = 0, second, third] = bytes;
  if (bytes.length === 2 && (lead === 0xc0 || lead === 0xc1)) {
    const low = continuation(second);
    return low === undefined ? undefined : String.fromCharCode(((lead & 0x1f) << 6) | low);
  }
  if (bytes.length === 3 && lead === 0xe0 && second !== undefined && second < 0xa0) {
    const middle = continuation(second);
    const low = continuation(third);
    if (middle === undefined || low === undefined) return undefined;
    const code = (middle << 6) | low;
    return code < 0x80 ? String.fromCharCode(code) : undefined;
  }
  return undefined;
}

function utf8(bytes: Uint8Array): string | undefined {
  try {
    return UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** `name` percent-decoded until nothing decodes any more (itself when it has no escapes). */
export function fullyPercentDecoded(name: string): string {
  return percentDecodings(name).at(-1) ?? name;
}

// What a message escapes: invisible characters, every whitespace but the plain space, controls.
const UNSHOWN = /[\p{Default_Ignorable_Code_Point}\p{Cf}\p{Zl}\p{Zp}\p{Cc}\p{White_Space}]/gu;

/**
 * `name` quoted for a message, with every character a reader could not see written as an escape:
 * `"apollo\u200B"`, `"1\u3000"`. The plain space stays a space.
 */
export function shownName(name: string): string {
  const escaped = JSON.stringify(name).replace(UNSHOWN, (character) =>
    character === " " ? " " : `\\u${escapeDigits(character.codePointAt(0) ?? 0)}`,
  );
  return escaped;
}

function escapeDigits(codePoint: number): string {
  const hex = codePoint.toString(16).toUpperCase();
  return codePoint > 0xffff ? `{${hex}}` : hex.padStart(4, "0");
}
