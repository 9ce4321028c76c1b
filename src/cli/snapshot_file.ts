// Snapshot files (docs/snapshot.md): reading one into a new Kernel, and
// writing one atomically: the text goes to a temporary file in the same
// directory, which is then renamed over the target, so a reader sees either
// the old file or the whole new one, never a truncated one.

import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Kernel } from '../kernel/kernel.js';
import { formatSnapshotError, parseSnapshot, toJSON } from '../snapshot/index.js';
import { escapeControls } from './args.js';
import { makeDirs, readFailure, type Io } from './io.js';

/** Writes `text` to `path` through a temporary sibling and rename(2); makes the directory first (makeDirs). */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const dir = dirname(path);
  await makeDirs(dir);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, text, { flush: true });
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

export function snapshotText(k: Kernel): string {
  return `${JSON.stringify(toJSON(k))}\n`;
}

export async function saveSnapshot(path: string, k: Kernel): Promise<void> {
  await writeFileAtomic(path, snapshotText(k));
}

/** The kernel a snapshot file holds, or why it cannot be loaded (`FILE: path: reason`). */
export async function loadSnapshot(path: string, io?: Pick<Io, 'readFile'>): Promise<{ ok: true; kernel: Kernel } | { ok: false; message: string }> {
  let text: string;
  try {
    text = io === undefined ? await readFile(path, 'utf8') : await io.readFile(path);
  } catch (e) {
    return { ok: false, message: `${path}: ${readFailure(e)}` };
  }
  const r = parseSnapshot(text);
  // A reason may quote the file (JSON.parse does): its control characters are escaped so that the message stays one line.
  return r.ok ? r : { ok: false, message: `${path}: ${escapeControls(formatSnapshotError(r.error))}` };
}
