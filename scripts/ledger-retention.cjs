/**
 * The ledger bucket's expiry (serverless.yml: `${file(./scripts/ledger-retention.cjs)}`), checked
 * while osls resolves the configuration: `ledgerRetentionDays` must be a whole number of days, at
 * least `recycleBinRetentionDays` (how long SMH keeps a recycled item). A ledger that forgets a
 * result before the item's recycle bin does would lose a restore handle that still works, so
 * packaging fails, naming both parameters.
 *
 * CommonJS (.cjs): osls loads variable files with require().
 */
"use strict";

/** Whole days from a parameter's value, or NaN. */
function days(value) {
  const text = String(value ?? "").trim();
  return /^[1-9][0-9]*$/.test(text) ? Number(text) : Number.NaN;
}

/** The check itself, for tests: the expiry in days, or an Error saying what to change. */
function ledgerExpiryDays(ledgerRetentionDays, recycleBinRetentionDays) {
  const ledger = days(ledgerRetentionDays);
  const bin = days(recycleBinRetentionDays);
  if (Number.isNaN(ledger) || Number.isNaN(bin)) {
    throw new Error(
      `ledgerRetentionDays (${JSON.stringify(ledgerRetentionDays)}) and recycleBinRetentionDays (${JSON.stringify(recycleBinRetentionDays)}) must be whole numbers of days`,
    );
  }
  if (ledger < bin) {
    throw new Error(
      `ledgerRetentionDays (${ledger}) must be at least recycleBinRetentionDays (${bin}): the ledger would forget restore handles while the recycle bin still holds their items; raise ledgerRetentionDays (--param='ledgerRetentionDays=${bin}')`,
    );
  }
  return ledger;
}

module.exports = async ({ resolveVariable }) =>
  ledgerExpiryDays(
    await resolveVariable("param:ledgerRetentionDays"),
    await resolveVariable("param:recycleBinRetentionDays"),
  );
module.exports.ledgerExpiryDays = ledgerExpiryDays;
