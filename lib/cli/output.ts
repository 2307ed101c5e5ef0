/**
 * What commands print. stdout carries the result (a table, or one JSON document with `--json`, or
 * the records a command streams); stderr carries progress, problems and informational messages,
 * so `smh-cleaner … --json | jq` always reads clean JSON.
 */

/** The flags every queue command has. */
export interface OutputFlags {
  json?: boolean;
  quiet?: boolean;
}

/** Prints `value` as one JSON document on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Prints a line on stdout. */
export function printLine(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** Prints an informational line on stderr, unless `--quiet`. */
export function info(flags: OutputFlags, text: string): void {
  if (flags.quiet !== true) process.stderr.write(`${text}\n`);
}

/** Prints a problem on stderr, even with `--quiet`. */
export function warn(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** Renders rows as a left-aligned, space-separated table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const render = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd();
  return [render(header), ...rows.map(render)].join("\n");
}
