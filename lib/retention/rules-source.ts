/**
 * Where a retention run takes its rules from, read and validated once at cold start:
 *
 * - `RETENTION_RULES_FILE`: a YAML or JSON rules file. A relative path is resolved against the
 *   function's task root (`LAMBDA_TASK_ROOT`, where serverless.yml packages the file next to the
 *   bundle), or the working directory elsewhere.
 * - `RETENTION_RULES`: the same text inline (local runs and tests).
 *
 * Exactly one of the two must be set. An invalid file stops the function before any scan
 * ({@link RulesConfigError} names every bad field by path, line and column), and so does an
 * enabled rule whose library or spaces the deletion policy does not allow: such a rule could never
 * delete anything, which is a mistake to fix, not a run to alert about every day.
 */
import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import type { Env } from "../config/env.ts";
import type { DeletionPolicy } from "../policy/config.ts";
import { RulesConfigError, type RulesIssue } from "./errors.ts";
import { loadRules } from "./load.ts";
import type { RetentionRules } from "./rules.ts";

/** The environment variables that name the rules. */
export const RetentionRulesEnv = {
  inline: "RETENTION_RULES",
  file: "RETENTION_RULES_FILE",
} as const;

/** Validated rules and where they came from (for messages: never the text itself). */
export interface LoadedRules {
  readonly rules: RetentionRules;
  readonly source: string;
}

/**
 * Reads the rules named by `env` (see the module comment). Throws {@link RulesConfigError} for a
 * file that cannot be read or is invalid, and an `Error` when neither or both variables are set.
 */
export function loadRulesFromEnv(env: Env = process.env): LoadedRules {
  const inline = env[RetentionRulesEnv.inline]?.trim() || undefined;
  const file = env[RetentionRulesEnv.file]?.trim() || undefined;
  if (inline !== undefined && file !== undefined) {
    throw new Error(
      `set either ${RetentionRulesEnv.file} or ${RetentionRulesEnv.inline}, not both: which rules would run would be a guess`,
    );
  }
  if (inline !== undefined) {
    return { rules: loadRules(inline, RetentionRulesEnv.inline), source: RetentionRulesEnv.inline };
  }
  if (file === undefined) {
    throw new Error(
      `no retention rules: set ${RetentionRulesEnv.file} (a YAML or JSON rules file packaged with the function) or ${RetentionRulesEnv.inline} (the same text inline); a file with "rules: []" runs nothing`,
    );
  }
  const path = isAbsolute(file) ? file : resolve(env.LAMBDA_TASK_ROOT ?? process.cwd(), file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new RulesConfigError(path, [
      {
        path: "",
        message: `cannot read the rules file (${reason}); is it packaged with the function?`,
      },
    ]);
  }
  return { rules: loadRules(text, path), source: path };
}

/**
 * Refuses rules that the deletion policy makes pointless: an enabled rule for a library the
 * policy does not list, or naming a space the policy does not allow in it. Throws
 * {@link RulesConfigError} naming each one (`rules[2].libraryId`, `rules[2].spaces[1]`).
 */
export function checkRulesAgainstPolicy(
  loaded: LoadedRules,
  policy: DeletionPolicy,
): RetentionRules {
  const issues: RulesIssue[] = [];
  loaded.rules.rules.forEach((rule, index) => {
    if (!rule.enabled) return;
    const library = policy.libraries.get(rule.libraryId);
    if (library === undefined) {
      issues.push({
        path: `rules[${index}].libraryId`,
        message: `library ${rule.libraryId} is not in the deletion policy: rule ${JSON.stringify(rule.id)} could never delete anything`,
      });
      return;
    }
    if (rule.spaces === "*" || library.spaces === "*") return;
    const allowed = library.spaces;
    rule.spaces.forEach((space, spaceIndex) => {
      if (allowed.has(space)) return;
      issues.push({
        path: `rules[${index}].spaces[${spaceIndex}]`,
        message: `space ${JSON.stringify(space)} of library ${rule.libraryId} is not allowed by the deletion policy`,
      });
    });
  });
  if (issues.length > 0) throw new RulesConfigError(loaded.source, issues);
  return loaded.rules;
}
