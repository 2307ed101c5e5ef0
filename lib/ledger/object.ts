/**
 * One ledger object: results as gzip-compressed NDJSON (see layout.ts), and the one way to put it.
 */
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { encodeMessageBody } from "../messages/encode.ts";
import type { ResultMessage } from "../messages/result-message.ts";
import { DEFAULT_LEDGER_PREFIX, type LedgerKind, ledgerObjectKey } from "./layout.ts";

const gzipAsync = promisify(gzip);

/** The bytes of a ledger object holding `results`: one encoded body per line, gzip-compressed. */
export async function encodeLedgerObject(results: readonly ResultMessage[]): Promise<Buffer> {
  return gzipAsync(results.map((result) => `${encodeMessageBody(result)}\n`).join(""));
}

/** Where ledger objects go. */
export interface LedgerLocation {
  readonly s3: Pick<S3Client, "send">;
  readonly bucket: string;
  /** @default DEFAULT_LEDGER_PREFIX */
  readonly prefix?: string;
}

/**
 * Writes `results` (all of one `kind`) as one new object, never overwriting one (`If-None-Match:
 * *`; the key is unique per call anyway). Throws what S3 answered when the write fails.
 *
 * @returns the object's key.
 */
export async function putLedgerObject(
  location: LedgerLocation,
  kind: LedgerKind,
  results: readonly ResultMessage[],
  writtenAt: Date = new Date(),
): Promise<string> {
  const key = ledgerObjectKey(kind, writtenAt, location.prefix ?? DEFAULT_LEDGER_PREFIX);
  await location.s3.send(
    new PutObjectCommand({
      Bucket: location.bucket,
      Key: key,
      Body: await encodeLedgerObject(results),
      ContentType: "application/x-ndjson",
      ContentEncoding: "gzip",
      IfNoneMatch: "*",
    }),
  );
  return key;
}
