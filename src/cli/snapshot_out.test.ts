import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '../snapshot/index.js';
import { main } from './main.js';
import { memoryIo } from './test_io.js';

const SCENARIO = 'init: fork() -> a = 2\na: setsid() = 2\na: fork() -> b = 3\nb: exit(4) = ?\n';

describe('run --snapshot-out', () => {
  it('saves the state the run ends in, atomically (no temporary left), and it loads: b is a zombie with status 4', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pidns-out-'));
    const out = join(dir, 'sub', 'end.json');
    const m = memoryIo(new Map([['s.pidns', SCENARIO]]));
    expect(await main(['run', '--snapshot-out', out, 's.pidns'], m.io)).toBe(0);
    expect(m.output().out).toContain('b: +++ exited with 4 +++');
    expect(await readdir(join(dir, 'sub'))).toEqual(['end.json']);
    const r = parseSnapshot(await readFile(out, 'utf8'));
    if (!r.ok) throw new Error(r.error.reason);
    const b = r.kernel.liveTasks().find((t) => t.comm === 'b');
    expect(b?.exitState).toBe('zombie');
    expect(b?.exitCode).toBe(4 << 8);
  });

  it('is saved when an expectation fails (exit 1), not when the scenario stops on an error (exit 2)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pidns-out-'));
    const failed = memoryIo(new Map([['s.pidns', SCENARIO.replace('= 3', '= 9')]]));
    expect(await main(['run', '--snapshot-out', join(dir, 'f.json'), 's.pidns'], failed.io)).toBe(1);
    const broken = memoryIo(new Map([['s.pidns', `${SCENARIO}nobody: getpid()\n`]]));
    expect(await main(['run', '--snapshot-out', join(dir, 'e.json'), 's.pidns'], broken.io)).toBe(2);
    expect((await readdir(dir)).sort()).toEqual(['f.json']);
  });

  it('refuses standard output and a directory before running, one line, exit 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pidns-out-'));
    const m = memoryIo(new Map([['s.pidns', SCENARIO]]));
    expect(await main(['run', '--snapshot-out', '-', 's.pidns'], m.io)).toBe(2);
    expect(m.output().err).toMatch(/^error: --snapshot-out needs a file: standard output carries the transcript; usage: .*\n$/);
    const d = memoryIo(new Map([['s.pidns', SCENARIO]]));
    expect(await main(['run', '--snapshot-out', dir, 's.pidns'], d.io)).toBe(2);
    expect(d.output()).toEqual({ out: '', err: `error: --snapshot-out ${dir}: is a directory\n` });
    const c = memoryIo(new Map([['s.pidns', SCENARIO]]));
    expect(await main(['check', '--snapshot-out', join(dir, 'x.json'), 's.pidns'], c.io)).toBe(2);
  });
});
