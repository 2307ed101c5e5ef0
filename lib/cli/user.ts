import { userInfo } from "node:os";

/** The OS user, for `requestedBy`; undefined where the system cannot say. */
export function osUser(): string | undefined {
  try {
    return userInfo().username || undefined;
  } catch {
    return process.env.USER ?? process.env.USERNAME;
  }
}
