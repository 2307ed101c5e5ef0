/**
 * Exit codes of `smh-cleaner`. Scripts and CI can branch on them.
 *
 * - `ok` (0): the command did what was asked.
 * - `failure` (1): the command ran but the work failed (for example some jobs failed).
 * - `usage` (2): bad flags or arguments; nothing was done.
 * - `invalidInput` (3): an input file or message failed validation; nothing was sent.
 * - `refused` (4): a safety check refused the work (policy, cap, plan hash mismatch); nothing was sent.
 * - `unavailable` (5): a dependency (SQS, SMH) could not be reached.
 * - `interrupted` (130): stopped by Ctrl-C / SIGINT.
 */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  invalidInput: 3,
  refused: 4,
  unavailable: 5,
  interrupted: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
