/**
 * Temporary directories for tests: always under os.tmpdir(), created with fs.mkdtemp,
 * removed (recursively, ignoring "already gone") by the returned remove().
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface TempDir {
  readonly path: string;
  remove(): Promise<void>;
}

export async function makeTempDir(prefix: string): Promise<TempDir> {
  const safePrefix = prefix.replace(/[^A-Za-z0-9._-]/g, '-');
  const dir = await mkdtemp(path.join(os.tmpdir(), `${safePrefix}-`));
  let removed = false;
  return {
    path: dir,
    async remove(): Promise<void> {
      if (removed) return;
      removed = true;
      await rm(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 50 });
    },
  };
}
