/**
 * Reading a rules file: YAML or JSON text in, validated {@link RetentionRules} out, or one
 * {@link RulesConfigError} naming every problem by field path and, for text, line and column.
 */

import {
  type Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  visit,
} from "yaml";
import type { core } from "zod";
import { RulesConfigError, type RulesIssue } from "./errors.ts";
import { type RetentionRules, RetentionRulesSchema } from "./rules.ts";

/** The largest rules text accepted (UTF-16 code units): a rules file is configuration, not data. */
export const MAX_RULES_TEXT_LENGTH = 1024 * 1024;

/**
 * Parses and validates a rules file written in YAML 1.2 or JSON (JSON is read as YAML; duplicate
 * keys are an error in both). `sourceName` says where the text came from, for the error message.
 * Throws {@link RulesConfigError}: a YAML syntax error, or every invalid field as
 * `rules[2].age.maxAge (line 14, column 13): ...`.
 *
 * @example const { rules } = loadRules(readFileSync("retention.yaml", "utf8"), "retention.yaml");
 */
export function loadRules(text: string, sourceName: string): RetentionRules {
  if (text.length > MAX_RULES_TEXT_LENGTH) {
    throw new RulesConfigError(sourceName, [
      {
        path: "",
        message: `the text is ${text.length} characters long (at most ${MAX_RULES_TEXT_LENGTH})`,
      },
    ]);
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  if (document.errors.length > 0) {
    throw new RulesConfigError(
      sourceName,
      document.errors.map((error) => ({
        path: "",
        // prettyErrors appends " at line L, column C:" and an excerpt; line and column say it.
        message: `not valid YAML or JSON: ${error.message.split(" at line ")[0] ?? error.message}`,
        ...(error.linePos ? { line: error.linePos[0].line, column: error.linePos[0].col } : {}),
      })),
    );
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // Aliases resolve only here: one to an anchor never set, or so many that they would expand
    // into a resource-exhaustion attack (an "alias bomb").
    throw new RulesConfigError(sourceName, [aliasIssue(document, lineCounter, error)]);
  }
  const result = RetentionRulesSchema.safeParse(value);
  if (result.success) return result.data;
  const locate = ({ path, message, keys, atKey }: LocatedIssue): RulesIssue => {
    const offset = offsetOf(document.contents, keys, atKey);
    if (offset === undefined) return { path, message };
    const { line, col } = lineCounter.linePos(offset);
    return { path, message, line, column: col };
  };
  throw new RulesConfigError(sourceName, issuesOf(result.error.issues).map(locate));
}

/** The alias that could not be resolved (or the first one, for too many), located in the text. */
function aliasIssue(document: Document, lineCounter: LineCounter, error: unknown): RulesIssue {
  const reason = error instanceof Error ? error.message : String(error);
  const unresolved = /Unresolved alias[^:]*:\s*(.+)$/.exec(reason)?.[1]?.trim();
  let offset: number | undefined;
  visit(document, {
    Alias(_key, node) {
      if (unresolved !== undefined && node.source !== unresolved) return undefined;
      offset = node.range?.[0];
      return visit.BREAK;
    },
  });
  const message =
    unresolved === undefined
      ? `YAML aliases expand too far (${reason}): write the values out`
      : `alias *${unresolved} names no anchor set before it`;
  if (offset === undefined) return { path: "", message };
  const { line, col } = lineCounter.linePos(offset);
  return { path: "", message, line, column: col };
}

/**
 * Validates a rules file that is already decoded (from JSON, or built in code). Throws
 * {@link RulesConfigError} naming every invalid field by path; there are no line numbers.
 */
export function parseRules(value: unknown, sourceName: string): RetentionRules {
  const result = RetentionRulesSchema.safeParse(value);
  if (result.success) return result.data;
  throw new RulesConfigError(
    sourceName,
    issuesOf(result.error.issues).map(({ path, message }) => ({ path, message })),
  );
}

/**
 * A zod issue as a {@link RulesIssue}, with the raw key path kept for locating it in the text;
 * `atKey` when the problem is the key itself (an unknown field), not its value.
 */
type LocatedIssue = RulesIssue & { keys: readonly PropertyKey[]; atKey: boolean };

function issuesOf(issues: readonly core.$ZodIssue[]): LocatedIssue[] {
  const located: LocatedIssue[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const keys = [...issue.path, key];
        located.push({
          path: formatPath(keys),
          keys,
          atKey: true,
          message: "unknown field: refused so that a misspelt option is never silently ignored",
        });
      }
    } else {
      located.push({
        path: formatPath(issue.path),
        keys: issue.path,
        atKey: false,
        message: issue.message,
      });
    }
  }
  return located;
}

/**
 * A field path as an operator reads it: `rules[2].age.maxAge`; keys that are not identifiers are
 * quoted (`rules[0]["max age"]`).
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const key of path) {
    if (typeof key === "number") text += `[${key}]`;
    else if (typeof key === "string" && /^[A-Za-z_$][\w$]*$/.test(key)) {
      text += text === "" ? key : `.${key}`;
    } else text += `[${JSON.stringify(String(key))}]`;
  }
  return text;
}

/**
 * Where the value at `path` starts in the text (its key, when `atKey`); for a missing key, where
 * its closest present ancestor starts.
 */
function offsetOf(root: unknown, path: readonly PropertyKey[], atKey: boolean): number | undefined {
  let node = root as Node | null | undefined;
  let offset = node?.range?.[0];
  for (const [index, key] of path.entries()) {
    let next: unknown;
    let keyOffset: number | undefined;
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isPair(item) && isScalar(item.key) && item.key.value === key,
      );
      keyOffset = isScalar(pair?.key) ? pair.key.range?.[0] : undefined;
      next = pair?.value;
    } else if (isSeq(node) && typeof key === "number") {
      next = node.items[key];
    }
    if (next === undefined || next === null) return keyOffset ?? offset;
    if (atKey && index === path.length - 1 && keyOffset !== undefined) return keyOffset;
    node = next as Node;
    offset = node.range?.[0] ?? keyOffset ?? offset;
  }
  return offset;
}
