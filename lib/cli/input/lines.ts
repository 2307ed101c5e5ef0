import { createInterface } from "node:readline";
import type { Readable } from "node:stream";

/**
 * The lines of `input`, without their `\n`, `\r\n` or `\r` ending, numbered from 1. Streams: a
 * 100,000-line file is never held in memory whole.
 */
export async function* numberedLines(input: Readable): AsyncGenerator<[number, string]> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let number = 0;
  for await (const line of lines) {
    number += 1;
    yield [number, line];
  }
}
