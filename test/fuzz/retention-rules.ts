/**
 * Arbitrary retention rules files that must be refused: a valid file (1 to 4 rules) with one to
 * three defects at known field paths, written as YAML or JSON; and texts broken below the field
 * level (YAML syntax, duplicate keys, alias bombs, …).
 */
import fc from "fast-check";
import { stringify } from "yaml";
import { formatPath } from "../../lib/retention/load.ts";

/** A defect at a field path (`rules[1].age.maxAge`). */
export interface Defect {
  /** The path as the loader writes it (see `formatPath`). */
  readonly path: string;
  /** The last key of the path, when it is a name (not an index). */
  readonly key?: string;
  readonly what: string;
  /** The field was removed: its location is its closest present ancestor. */
  readonly missing?: boolean;
  /** Found by a check of the whole file, which runs only when nothing else is wrong. */
  readonly alone?: boolean;
}

/** A rules text and what is wrong with it. */
export interface RulesText {
  readonly text: string;
  readonly format: "yaml" | "json";
  readonly defects: readonly Defect[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Rule = Record<string, Json>;

const ruleArbitrary: fc.Arbitrary<Rule> = fc.record(
  {
    id: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
    description: fc.constantFrom("Party albums are kept one year", "tmp uploads", "日本語の説明"),
    libraryId: fc.constantFrom("smh3zw5tnrzpcmzl", "smhdemo000001"),
    spaces: fc.constantFrom<Json>("*", ["-"], ["spacea", "spaceb"]),
    parent: fc.constantFrom("events", "events/2024", "tmp/uploads", "相册"),
    match: fc.constantFrom<Json>(
      { include: ["20??-*"], exclude: [{ glob: "*-keep", ignoreCase: true }] },
      { include: [{ regex: "^archive-\\d+$" }] },
      { exclude: ["keep-*"] },
      {},
    ),
    age: fc.constantFrom<Json>(
      { maxAge: "365d" },
      { field: "modificationTime", maxAge: "1d12h" },
      { field: "creationTime", maxAge: "12h" },
    ),
    permanent: fc.boolean(),
    caps: fc.constantFrom<Json>({ maxDeletesPerRun: 50, maxFractionPerRun: 0.25 }, {}),
    enabled: fc.boolean(),
    dryRun: fc.boolean(),
  },
  { requiredKeys: ["id", "libraryId", "spaces", "parent", "age"] },
);

/** A valid rules file: unique ids. */
const validFile = fc
  .uniqueArray(ruleArbitrary, { minLength: 1, maxLength: 4, selector: (rule) => rule.id })
  // Cloned: constantFrom hands out one object to every rule, and YAML would write it as an alias.
  .map(
    (rules) =>
      ({ v: 1, rules: rules.map((rule) => structuredClone(rule)) }) as {
        v: Json;
        rules: Rule[];
      } & Record<string, Json>,
  );

/** Where a mutation puts its value, relative to one rule. */
const RULE_MUTATIONS: ReadonlyArray<{ at: (string | number)[]; values: Json[]; what: string }> = [
  { at: ["id"], values: ["", "has space", "-x", "x".repeat(65), 7, null], what: "bad id" },
  { at: ["libraryId"], values: ["a b", "", 5, ["smh1"]], what: "bad libraryId" },
  { at: ["spaces"], values: [[], "all", ["a/b"], [5], null], what: "bad spaces" },
  { at: ["parent"], values: ["", "..", "events/../x", "a\u0007b", 42, "./x"], what: "bad parent" },
  { at: ["match", "type"], values: ["file", "album", 1], what: "bad match type" },
  {
    at: ["match", "include"],
    values: [[], "20*", [5], [{ glob: "a/b" }], [{ regex: "(" }]],
    what: "bad include",
  },
  {
    at: ["match", "exclude"],
    values: [[{ glob: "x", extra: true }], [{ regex: "\\1" }], {}],
    what: "bad exclude",
  },
  {
    at: ["age", "maxAge"],
    values: ["6M", 365, "1y", "0h", "-1d", "30m", "", "365 days"],
    what: "bad maxAge",
  },
  { at: ["age", "field"], values: ["mtime", "", 3], what: "bad age field" },
  { at: ["permanent"], values: ["yes", 1, "true", null], what: "permanent not a boolean" },
  { at: ["enabled"], values: ["false", 0], what: "enabled not a boolean" },
  { at: ["dryRun"], values: ["no", 1], what: "dryRun not a boolean" },
  {
    at: ["caps", "maxDeletesPerRun"],
    values: [0, 1001, 1.5, "100", -1],
    what: "bad maxDeletesPerRun",
  },
  {
    at: ["caps", "maxFractionPerRun"],
    values: [0, 1.5, 0.12345, "0.5"],
    what: "bad maxFractionPerRun",
  },
  { at: ["description"], values: ["x".repeat(1025), "a\u0000b", 5], what: "bad description" },
  { at: ["age"], values: ["365d", 365, []], what: "age not an object" },
];

const UNKNOWN_KEYS = [
  "permanant",
  "__proto__",
  "constructor",
  "prototype",
  "dryrun",
  "maxAge",
  "rule",
];

type RulesFile = { v: Json; rules: Rule[] } & Record<string, Json>;

/** A mutation of one rule (its index is chosen for it, one mutation per rule) or of the file. */
type Mutation =
  | { scope: "rule"; apply: (rule: Rule, index: number) => Defect[] }
  | { scope: "file"; kind: string; apply: (file: RulesFile, pristine: Rule) => Defect[] };

function setAt(target: Record<string, Json>, at: readonly (string | number)[], value: Json): void {
  let node = target as Record<string | number, Json>;
  for (const key of at.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== "object") node[key] = {};
    node = node[key] as Record<string | number, Json>;
  }
  const last = at[at.length - 1] as string | number;
  // defineProperty: a `__proto__` key must stay an own key, as the YAML or JSON text will have it.
  Object.defineProperty(node, last, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // A bad value.
  fc.tuple(fc.constantFrom(...RULE_MUTATIONS), fc.nat()).map(
    ([{ at, values, what }, pick]): Mutation => ({
      scope: "rule",
      apply(rule, index) {
        setAt(rule, at, values[pick % values.length] as Json);
        return [{ path: formatPath(["rules", index, ...at]), key: String(at.at(-1)), what }];
      },
    }),
  ),
  // An unknown key in the rule, its match, age or caps.
  fc
    .tuple(
      fc.constantFrom<(string | number)[]>([], ["match"], ["age"], ["caps"]),
      fc.constantFrom(...UNKNOWN_KEYS),
    )
    .map(
      ([inside, key]): Mutation => ({
        scope: "rule",
        apply(rule, index) {
          setAt(rule, [...inside, key], true);
          const path = formatPath(["rules", index, ...inside, key]);
          return [{ path, key, what: `unknown key ${key}` }];
        },
      }),
    ),
  // A required field missing.
  fc.constantFrom("id", "libraryId", "spaces", "parent", "age").map(
    (key): Mutation => ({
      scope: "rule",
      apply(rule, index) {
        delete rule[key];
        return [
          { path: formatPath(["rules", index, key]), key, what: `missing ${key}`, missing: true },
        ];
      },
    }),
  ),
  // A rule on the space root without both caps.
  fc.constant<Mutation>({
    scope: "rule",
    apply(rule, index) {
      rule.parent = "/";
      rule.caps = { maxDeletesPerRun: 10 };
      return [{ path: formatPath(["rules", index, "caps"]), key: "caps", what: "root, one cap" }];
    },
  }),
  // The file: an unknown key, the same id twice, a bad or missing v, rules that are not a list.
  fc.constantFrom(...UNKNOWN_KEYS).map(
    (key): Mutation => ({
      scope: "file",
      kind: "unknown key",
      apply(file) {
        setAt(file, [key], true);
        return [{ path: formatPath([key]), key, what: `unknown key ${key}` }];
      },
    }),
  ),
  fc.constant<Mutation>({
    scope: "file",
    kind: "duplicate id",
    apply(file, pristine) {
      file.rules.push(pristine);
      const index = file.rules.length - 1;
      const path = formatPath(["rules", index, "id"]);
      return [{ path, key: "id", what: "duplicate id", alone: true }];
    },
  }),
  fc.constantFrom<Json>(2, "1", 0, null).map(
    (v): Mutation => ({
      scope: "file",
      kind: "v",
      apply(file) {
        file.v = v;
        return [{ path: "v", key: "v", what: "bad v" }];
      },
    }),
  ),
  fc.constant<Mutation>({
    scope: "file",
    kind: "v",
    apply(file) {
      delete (file as Record<string, Json>).v;
      return [{ path: "v", key: "v", what: "missing v", missing: true }];
    },
  }),
  fc.constantFrom<Json>("all", { id: "x" }, 5).map(
    (rules): Mutation => ({
      scope: "file",
      kind: "rules",
      apply(file) {
        (file as Record<string, Json>).rules = rules;
        return [{ path: "rules", key: "rules", what: "rules not a list" }];
      },
    }),
  ),
);

/**
 * A valid file with one to three defects, as YAML (block style) or pretty JSON: at most one per
 * rule, each file-level one once, and when `rules` is no list, nothing inside it.
 */
export const defectiveRules: fc.Arbitrary<RulesText> = fc
  .tuple(
    validFile,
    fc.array(mutation, { minLength: 1, maxLength: 3 }),
    fc.constantFrom("yaml", "json"),
  )
  .map(([file, mutations, format]) => {
    const replacesRules = mutations.some((m) => m.scope === "file" && m.kind === "rules");
    const pristine = structuredClone(file.rules[0] as Rule);
    const defects: Defect[] = [];
    let nextRule = 0;
    for (const m of mutations.filter((m) => m.scope === "rule")) {
      if (replacesRules || nextRule >= file.rules.length) break;
      defects.push(...m.apply(file.rules[nextRule] as Rule, nextRule));
      nextRule++;
    }
    const kinds = new Set<string>();
    for (const m of mutations) {
      if (m.scope !== "file" || kinds.has(m.kind)) continue;
      if (m.kind === "duplicate id" && replacesRules) continue;
      kinds.add(m.kind);
      defects.push(...m.apply(file as RulesFile, pristine));
    }
    const text =
      format === "json" ? `${JSON.stringify(file, null, 2)}\n` : stringify(file, { lineWidth: 0 });
    return { text, format: format as "yaml" | "json", defects };
  });

const VALID_YAML = `v: 1
rules:
  - id: events-yearly
    libraryId: smh1
    spaces: ["-"]
    parent: events
    age: { maxAge: 365d }
`;

/** Texts broken below the field level: syntax, duplicate keys, tabs, garbage (aliases aside). */
export const brokenRulesText: fc.Arbitrary<{ text: string; what: string }> = fc.oneof(
  fc.constantFrom(
    { text: "v: 1\nrules: [\n  {id: x\n", what: "unclosed flow sequence" },
    { text: `${VALID_YAML}    parent: tmp\n`, what: "duplicate key" },
    { text: VALID_YAML.replace("  - id", "\t- id"), what: "tab indentation" },
    { text: VALID_YAML.replace("events-yearly", '"events-yearly'), what: "unclosed quote" },
    { text: '{"v": 1, "rules": [}', what: "broken JSON" },
    { text: "42\n", what: "a scalar document" },
    { text: "- v: 1\n", what: "a sequence document" },
    { text: "--- \nv: 1\nrules: []\n---\nv: 1\nrules: []\n", what: "two documents" },
  ),
  fc
    // No "*": aliases have tests of their own (retention-rules.test.ts).
    .tuple(fc.nat(), fc.constantFrom("[", "{", '"', "'", "&", ": -", "\t", "%", "@"))
    .map(([at, junk]) => {
      const i = at % VALID_YAML.length;
      return {
        text: `${VALID_YAML.slice(0, i)}${junk}${VALID_YAML.slice(i)}`,
        what: `"${junk}" inserted`,
      };
    }),
  fc
    .string({ unit: "binary", maxLength: 200 })
    .filter((text) => !text.includes("*"))
    .map((text) => ({ text, what: "arbitrary text" })),
);
