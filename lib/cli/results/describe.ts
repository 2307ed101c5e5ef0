import type { ResultMessage } from "../../messages/result-message.ts";

/**
 * One human-readable line for a result, as `results --tail` prints it:
 * `2025-05-01T12:00:01.500Z  recycled        job auto-3f…  smh1/-/events/2024  recycledItemId=42`.
 */
export function describeResult(result: ResultMessage): string {
  if (result.type === "retention-plan") {
    const { counts } = result;
    return [
      result.finishedAt,
      `retention ${result.decision}`.padEnd(14),
      `rule ${result.ruleId}`,
      `${result.libraryId}/${result.spaceId}/${result.parent}`,
      `selected ${counts.selected} of ${counts.children}, enqueued ${counts.enqueued}, capped ${counts.capped}`,
    ].join("  ");
  }
  if (result.type === "retention-alert") {
    return [result.raisedAt, `ALERT ${result.alert}`.padEnd(14), result.message].join("  ");
  }
  const fields = result as Record<string, unknown>;
  const parts = [result.finishedAt, result.outcome.padEnd(14)];
  if (result.type === "deletion") {
    parts.push(`job ${result.jobId}`);
    if (result.libraryId !== undefined && result.path !== undefined) {
      parts.push(`${result.libraryId}/${result.spaceId ?? "-"}/${result.path}`);
    }
  } else {
    parts.push(`command ${result.commandId}`);
    if (result.libraryId !== undefined) parts.push(`${result.libraryId}/${result.spaceId ?? "-"}`);
  }
  if (fields.recycledItemId !== undefined) parts.push(`recycledItemId=${fields.recycledItemId}`);
  if (fields.restoredPath !== undefined) parts.push(`restoredPath=${fields.restoredPath}`);
  const error = fields.error as { message?: string } | undefined;
  if (error?.message !== undefined) parts.push(`error: ${error.message}`);
  const reasons = fields.reasons as { message: string }[] | undefined;
  if (reasons !== undefined) parts.push(`reasons: ${reasons.map((r) => r.message).join("; ")}`);
  return parts.join("  ");
}
