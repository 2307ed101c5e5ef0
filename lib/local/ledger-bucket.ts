/**
 * The local stack's ledger bucket: created on the stack's S3 (fauxqs's, or the user's
 * `--s3-endpoint`) before any handler runs, and — at the user's endpoint only — emptied and deleted
 * when the stack stops, as its queues are.
 */
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  type S3Client,
} from "@aws-sdk/client-s3";

/** The ledger bucket's name on the embedded S3 (which dies with the stack). */
export const LOCAL_LEDGER_BUCKET = "smh-local-ledger";

/** Creates `bucket`; one that already exists and is ours is fine. */
export async function createLedgerBucket(s3: Pick<S3Client, "send">, bucket: string) {
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    if ((error as Error).name !== "BucketAlreadyOwnedByYou") throw error;
  }
}

/** Deletes every object of `bucket` (page by page), then the bucket. */
export async function removeLedgerBucket(s3: Pick<S3Client, "send">, bucket: string) {
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        ...(token === undefined ? {} : { ContinuationToken: token }),
      }),
    );
    const keys = (page.Contents ?? []).flatMap((object) =>
      object.Key ? [{ Key: object.Key }] : [],
    );
    if (keys.length > 0) {
      await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
}
