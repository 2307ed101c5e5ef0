/**
 * Interactive confirmation, only where a person is certainly at the keyboard: standard input and
 * standard output are both terminals. Scripts and pipes never see a prompt; they confirm with a
 * flag (`--confirm <hash>`, `--yes`).
 */
import { createInterface } from "node:readline/promises";

/** True when both stdin and stdout are terminals. */
export function canPrompt(): boolean {
  return process.stdin.isTTY === true && process.stdout.isTTY === true;
}

/** Asks `question` on the terminal; resolves to the trimmed answer ("" on end of input). */
export async function ask(question: string, signal?: AbortSignal): Promise<string> {
  const terminal = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await terminal.question(question, signal ? { signal } : {});
    return answer.trim();
  } catch {
    return "";
  } finally {
    terminal.close();
  }
}
