/**
 * Writing a file so that readers see either the old content or the whole new one, never a part:
 * the content goes to a temporary file beside it (`.<name>.<pid>.<random>.tmp`), is fsynced, and
 * the temporary file is renamed over the target. On any failure the temporary file is removed.
 */
import { randomBytes } from "node:crypto";
import { type FileHandle, mkdir, open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export interface AtomicWriteOptions {
  /** The mode of the file (before the umask, for a file that did not exist). */
  readonly mode: number;
  /** Create the parent directory, mode 0700, when it is missing. @default false */
  readonly createDirectory?: boolean;
  /**
   * Also fsync the parent directory after the rename, so that the rename itself survives a crash.
   * @default false
   */
  readonly syncDirectory?: boolean;
}

/** Writes `content` (text, as UTF-8, or whatever `content` writes to the open file) to `path`. */
export async function writeFileAtomically(
  path: string,
  content: string | ((file: FileHandle) => Promise<void>),
  options: AtomicWriteOptions,
): Promise<void> {
  const dir = dirname(path);
  if (options.createDirectory) await mkdir(dir, { recursive: true, mode: 0o700 });
  const temporary = join(
    dir,
    `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`,
  );
  const file = await open(temporary, "wx", options.mode);
  try {
    if (typeof content === "string") await file.writeFile(content, "utf8");
    else await content(file);
    await file.sync();
    await file.close();
    await rename(temporary, path);
  } catch (error) {
    await file.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  if (options.syncDirectory) await syncDirectory(dir);
}

/** fsyncs a directory so that a rename in it survives a crash; not every platform allows it. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch {
    // Windows cannot open a directory; the rename itself is still atomic.
  } finally {
    await handle?.close();
  }
}
