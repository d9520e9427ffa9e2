/**
 * The file operations of a FileKeyStore (file-store.ts), behind one small interface so that tests
 * can fail any step (a full disk, a failed fsync, a rename that never happens), and the one way
 * the store replaces a whole file: write a temp file, fsync, rename, fsync the directory. Node
 * only.
 *
 * Why a directory fsync: a rename is durable only once the directory that holds the new name is
 * (POSIX rename(2) makes the swap atomic, not durable); without it a crash can bring back the old
 * file, or no file, after the call returned.
 */
import { open, readFile, rename, unlink } from 'node:fs/promises';

/** A file opened for appending. */
export interface AppendFile {
  append(data: Uint8Array): Promise<void>;
  /** fdatasync: the appended bytes and the file size are durable. */
  sync(): Promise<void>;
  truncate(size: number): Promise<void>;
  close(): Promise<void>;
}

/** The file operations the store goes through; injectable so tests can fail any step. */
export interface FileIo {
  /** Writes `data` to a new file at `path` (mode 0600) and fsyncs it. */
  writeSynced(path: string, data: string | AsyncIterable<string>): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** fsyncs a directory so that a rename or a new file in it is durable. */
  syncDir(dir: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Opens an existing file for appending. */
  openAppend(path: string): Promise<AppendFile>;
}

export const nodeFileIo: FileIo = {
  async writeSynced(path, data) {
    const fh = await open(path, 'wx', 0o600);
    try {
      if (typeof data === 'string') await fh.writeFile(data, 'utf8');
      else for await (const chunk of data) await fh.write(chunk, null, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
  },
  rename: (from, to) => rename(from, to),
  async syncDir(dir) {
    let fh;
    try {
      fh = await open(dir, 'r');
    } catch (e) {
      // Windows cannot open a directory; its renames are as durable as it offers.
      if (process.platform === 'win32') return;
      throw e;
    }
    try {
      await fh.sync();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (!(process.platform === 'win32' || code === 'EINVAL' || code === 'EISDIR' || code === 'EPERM')) throw e;
    } finally {
      await fh.close();
    }
  },
  unlink: (path) => unlink(path),
  async openAppend(path) {
    const fh = await open(path, 'a', 0o600);
    return {
      async append(data) {
        for (let off = 0; off < data.length; ) off += (await fh.write(data, off, data.length - off)).bytesWritten;
      },
      sync: () => fh.datasync(),
      truncate: (size) => fh.truncate(size),
      close: () => fh.close(),
    };
  },
};

export const noop = () => undefined;

/**
 * Puts `data` at `path` atomically and durably: written to `tmp` (in `dir`) and fsynced, renamed
 * over `path`, then `dir` fsynced. On a failed write or rename the temp file is removed and
 * `path` is as it was.
 */
export async function replaceFile(io: FileIo, dir: string, tmp: string, path: string, data: string | AsyncIterable<string>): Promise<void> {
  try {
    await io.writeSynced(tmp, data);
    await io.rename(tmp, path);
  } catch (e) {
    await io.unlink(tmp).catch(noop);
    throw e;
  }
  await io.syncDir(dir);
}

/** The file's bytes, or undefined when there is no such file. */
export async function readOptional(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
