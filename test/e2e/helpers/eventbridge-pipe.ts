/**
 * The part of EventBridge Pipes that examples/producers/eventbridge/account-closed-pipe.yml uses,
 * so that a test can run the example's own filter and input template (no EventBridge runs here):
 *
 * - the source is an SQS message whose body is JSON, which Pipes parses into `body`;
 * - a filter pattern holds objects, arrays of exact values and `{"exists": true}`;
 * - an input template's placeholders are `<$.dot.path>` standing outside quotes, which Pipes
 *   writes as the value's JSON.
 *
 * Anything beyond that in the example is refused with an error, not guessed at: a quoted
 * placeholder above all, which Pipes pastes without escaping (see the example's comment).
 */
import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";

/** The pipe of the example template: its filter patterns and its target's input template. */
export interface PipeDefinition {
  readonly patterns: readonly unknown[];
  readonly inputTemplate: string;
}

/** Reads the first AWS::Pipes::Pipe of a CloudFormation template (long-form intrinsics). */
export async function readPipe(templateFile: string): Promise<PipeDefinition> {
  const template = parseYaml(await readFile(templateFile, "utf8")) as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };
  const pipe = Object.values(template.Resources).find((r) => r.Type === "AWS::Pipes::Pipe");
  if (!pipe) throw new Error(`${templateFile} has no AWS::Pipes::Pipe`);
  const source = pipe.Properties.SourceParameters as {
    FilterCriteria: { Filters: { Pattern: string }[] };
  };
  const target = pipe.Properties.TargetParameters as { InputTemplate: string };
  return {
    patterns: source.FilterCriteria.Filters.map((filter) => JSON.parse(filter.Pattern)),
    inputTemplate: target.InputTemplate,
  };
}

/** The event Pipes filters and transforms for an SQS message: its body parsed as JSON. */
export function sqsSourceEvent(messageBody: string): Record<string, unknown> {
  return { body: JSON.parse(messageBody) as unknown };
}

/** Whether `event` matches `pattern` (the subset described in the module comment). */
export function matches(pattern: unknown, event: unknown): boolean {
  if (Array.isArray(pattern)) {
    return pattern.some((allowed) => {
      if (allowed !== null && typeof allowed === "object") {
        const keys = Object.keys(allowed);
        if (keys.length === 1 && keys[0] === "exists") {
          return (event !== undefined) === (allowed as { exists: boolean }).exists;
        }
        throw new Error(`filter operator ${JSON.stringify(allowed)} is not supported here`);
      }
      return event === allowed;
    });
  }
  if (pattern === null || typeof pattern !== "object") {
    throw new Error(`filter value ${JSON.stringify(pattern)} must be an array or an object`);
  }
  if (event === null || typeof event !== "object") return false;
  return Object.entries(pattern).every(([key, inner]) =>
    matches(inner, (event as Record<string, unknown>)[key]),
  );
}

/** The target input: `template` with each `<$.path>` replaced by its value in `event`, as JSON. */
export function renderInputTemplate(template: string, event: unknown): string {
  let output = "";
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const char = template[i] as string;
    if (inString) {
      if (char === "\\") {
        output += char + (template[i + 1] ?? "");
        i++;
        continue;
      }
      if (char === "<" && template.startsWith("<$.", i)) {
        throw new Error(`a placeholder inside quotes at ${i}: Pipes would paste it unescaped`);
      }
      if (char === '"') inString = false;
      output += char;
      continue;
    }
    if (char === '"') inString = true;
    if (char === "<" && template.startsWith("<$.", i)) {
      const end = template.indexOf(">", i);
      const path = template.slice(i + 3, end).split(".");
      let value: unknown = event;
      for (const key of path) value = (value as Record<string, unknown> | undefined)?.[key];
      if (value === undefined) throw new Error(`the event has no ${template.slice(i + 1, end)}`);
      output += JSON.stringify(value);
      i = end;
      continue;
    }
    output += char;
  }
  return output;
}
