/**
 * Generators for the exact-paths properties: strings shaped like paths (many of them valid names
 * SMH can hold, some of them look-alikes), and look-alikes of a given name: the spellings a reader
 * (or a server that decodes twice) could take for it.
 *
 * Astral characters (emoji, CJK extension B, tag characters) are here on purpose: fauxqs refuses
 * bodies holding characters above U+FFFF (real SQS accepts them), so the end-to-end corpus can only
 * carry them JSON-escaped; these properties run the same code without a queue in between.
 */
import fc from "fast-check";

/** Characters a reader cannot see, from every family the path rules name. */
export const INVISIBLES = [
  "\u200b", // zero width space
  "\u200c", // zero width non-joiner
  "\u200d", // zero width joiner
  "\u200e", // left-to-right mark
  "\u200f", // right-to-left mark
  "\u202a", // left-to-right embedding
  "\u202b",
  "\u202c",
  "\u202d",
  "\u202e", // right-to-left override
  "\u2060", // word joiner
  "\u2062", // invisible times
  "\u2066", // left-to-right isolate
  "\u2069", // pop directional isolate
  "\ufeff", // byte order mark
  "\u00ad", // soft hyphen
  "\u034f", // combining grapheme joiner
  "\u180e", // mongolian vowel separator
  "\ufe00", // variation selector 1
  "\ufe0f", // variation selector 16
  "\u3164", // hangul filler
  "\u2028", // line separator
  "\u{e0061}", // tag latin small letter a
  "\u{e0100}", // variation selector 17
  "\u{1d173}", // musical symbol begin beam
] as const;

/** Whitespace that is not the plain space, and the plain space. */
export const WHITESPACES = [" ", "\u00a0", "\u1680", "\u2003", "\u2009", "\u202f", "\u3000"];

/** Pieces of names SMH can hold and a job may name exactly. */
const PLAIN_PIECES = [
  "a",
  "Z",
  "0",
  "events",
  "2024",
  "-",
  "_",
  ".",
  "...",
  "a b",
  "summer\u00a0party",
  "活动",
  "相册",
  "café",
  "cafe\u0301",
  "ß",
  "ﬁ",
  "ａ",
  "🎉",
  "❤️",
  "👨‍👩‍👧",
  "1️⃣",
  "𝔸",
  "\u{20000}",
  "#",
  "?",
  "&",
  "+",
  "=",
  "'",
  '"',
  "100%",
  "%",
  "%41",
  "%E4%B8%AD",
  "%zz",
] as const;

/** Pieces that make a path a look-alike, or unsafe. */
const TRICKY_PIECES = [
  ...INVISIBLES,
  ...WHITESPACES,
  "\\",
  "..",
  "%2e",
  "%2E%2e",
  "%2F",
  "%5c",
  "%252e%252e",
  "%252F",
  "%00",
  "%0A",
  "\u0000",
  "\u0085",
  "\ud800",
] as const;

/** One segment: mostly plain pieces, sometimes a tricky one, sometimes arbitrary text. */
const segmentLike = fc
  .array(
    fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...PLAIN_PIECES) },
      { weight: 2, arbitrary: fc.constantFrom(...TRICKY_PIECES) },
      { weight: 2, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 4 }) },
      { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 4 }) },
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((pieces) => pieces.join(""));

/**
 * Strings shaped like a path below `prefix`: segments joined by one or more slashes, with slashes
 * (or a stray character) at either end.
 */
export function pathBelow(prefix: string): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.constantFrom("", "/", "//"),
      fc.array(fc.tuple(segmentLike, fc.constantFrom("/", "/", "/", "//")), {
        minLength: 1,
        maxLength: 3,
      }),
      fc.constantFrom("", "", "/", "//", " ", "\u200b"),
    )
    .map(
      ([start, segments, end]) =>
        `${start}${prefix}/${segments
          .map(([segment, slash]) => `${segment}${slash}`)
          .join("")
          .replace(/\/+$/, "")}${end}`,
    );
}

/** A name to protect: letters and digits, sometimes with letters NFKC or case folding change. */
export const protectedName = fc
  .array(
    fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789-_") },
      { weight: 1, arbitrary: fc.constantFrom("é", "ñ", "ü", "Å", "ß", "K", "İ", "ǅ", "ﬀ") },
    ),
    { minLength: 1, maxLength: 10 },
  )
  .map((chars) => chars.join(""))
  .filter((name) => name !== "." && name !== "..");

/** Small deterministic random numbers from a drawn seed (mulberry32), for the disguises. */
class Dice {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  /** An integer in [0, below). */
  roll(below: number): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % below) | 0;
  }
  coin(): boolean {
    return this.roll(2) === 1;
  }
}

/** One way of rewriting a name into a look-alike. */
type Disguise = (name: string, dice: Dice) => string;

const fullWidth: Disguise = (name, dice) =>
  [...name]
    .map((char) => {
      const code = char.codePointAt(0) ?? 0;
      return code >= 0x21 && code <= 0x7e && dice.coin()
        ? String.fromCodePoint(code - 0x21 + 0xff01)
        : char;
    })
    .join("");

const recase: Disguise = (name, dice) =>
  [...name].map((char) => (dice.coin() ? char.toUpperCase() : char.toLowerCase())).join("");

const decompose: Disguise = (name) => name.normalize("NFD");

/** Characters NFKC maps to plain letters and digits: circled, mathematical bold, Kelvin, ligatures. */
const compatibility: Disguise = (name, dice) =>
  [...name]
    .map((char) => {
      if (!dice.coin()) return char;
      const code = char.codePointAt(0) ?? 0;
      if (char === "K") return "\u212a";
      if (code >= 0x61 && code <= 0x7a) {
        return dice.coin()
          ? String.fromCodePoint(0x24d0 + code - 0x61)
          : String.fromCodePoint(0x1d41a + code - 0x61);
      }
      if (code >= 0x31 && code <= 0x39) return String.fromCodePoint(0x2460 + code - 0x31);
      return char;
    })
    .join("")
    .replaceAll("fi", "\ufb01");

const invisible: Disguise = (name, dice) => {
  const chars = [...name];
  chars.splice(dice.roll(chars.length + 1), 0, INVISIBLES[dice.roll(INVISIBLES.length)] ?? "");
  return chars.join("");
};

const edgeWhitespace: Disguise = (name, dice) => {
  const space = WHITESPACES[dice.roll(WHITESPACES.length)] ?? " ";
  return dice.coin() ? `${space}${name}` : `${name}${space}`;
};

function percentEncoded(char: string, dice: Dice): string {
  return [...Buffer.from(char, "utf8")]
    .map((byte) => {
      const hex = byte.toString(16).padStart(2, "0");
      return `%${dice.coin() ? hex.toUpperCase() : hex}`;
    })
    .join("");
}

const percentEncode: Disguise = (name, dice) =>
  [...name].map((char) => (dice.coin() ? percentEncoded(char, dice) : char)).join("");

const percentEncodeTwice: Disguise = (name, dice) =>
  percentEncode(name, dice).replaceAll("%", "%25");

/** The disguises, by name (the name shows in a counterexample). */
export const DISGUISES = {
  fullWidth,
  recase,
  decompose,
  compatibility,
  invisible,
  edgeWhitespace,
  percentEncode,
  percentEncodeTwice,
} as const satisfies Record<string, Disguise>;
type DisguiseName = keyof typeof DISGUISES;
const DISGUISE_NAMES = Object.keys(DISGUISES) as DisguiseName[];

/** A look-alike: the disguised segments, and how they were disguised (for failure messages). */
export interface LookAlike {
  readonly segments: string[];
  readonly disguises: DisguiseName[][];
}

/**
 * Look-alikes of `segments`: each segment rewritten by zero to three disguises (full-width letters,
 * another case, NFD, compatibility characters, an inserted invisible character, whitespace at an
 * end, percent-encoding once or twice), so the result reads as `segments` to a person, under NFKC
 * and case folding, or to a server that decodes twice. Zero disguises anywhere gives `segments`.
 */
export function lookAlikeOf(segments: readonly string[]): fc.Arbitrary<LookAlike> {
  return fc
    .tuple(
      fc.array(fc.array(fc.constantFrom(...DISGUISE_NAMES), { maxLength: 3 }), {
        minLength: segments.length,
        maxLength: segments.length,
      }),
      fc.nat(),
    )
    .map(([disguises, seed]) => {
      const dice = new Dice(seed);
      return {
        segments: segments.map((segment, index) =>
          (disguises[index] ?? []).reduce((name, pick) => DISGUISES[pick](name, dice), segment),
        ),
        disguises,
      };
    });
}
