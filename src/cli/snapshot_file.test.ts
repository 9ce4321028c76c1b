import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Kernel } from '../kernel/kernel.js';
import { snapshot } from '../kernel/snapshot.js';
import { TaskApi } from '../syscalls/task_api.js';
import { loadSnapshot, saveSnapshot } from './snapshot_file.js';

describe('snapshot files', () => {
  it('round-trip through a file written atomically (no temporary left behind)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pidns-snap-'));
    const k = new Kernel();
    new TaskApi(k, k.init).fork();
    const path = join(dir, 'sub', 'state.json');
    await writeFile(join(dir, 'x'), '');
    await saveSnapshot(path, k);
    expect((await readdir(join(dir, 'sub'))).sort()).toEqual(['state.json']);
    const r = await loadSnapshot(path);
    expect(r.ok).toBe(true);
    if (r.ok) expect(snapshot(r.kernel)).toEqual(snapshot(k));
  });

  it('refuses a truncated file with the file name and a reason', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pidns-snap-'));
    const path = join(dir, 's.json');
    await saveSnapshot(path, new Kernel());
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.slice(0, 100));
    const r = await loadSnapshot(path);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/s\.json: not JSON \(truncated\?\)/);
  });
});
