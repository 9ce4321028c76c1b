// pidns plan and pidns restore: a plan restores its own snapshot (exit 0),
// and the plan of A run against B fails (exit 1, the difference named) when
// B differs from A in one task's pgid, sid, parent, number at one level, or
// zombie status. Bad input is one line and exit 2.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelBackend } from '../scenario/model_backend.js';
import { parseScenario } from '../scenario/parser.js';
import { runScenario } from '../scenario/run.js';
import { toJSON } from '../snapshot/index.js';
import { main } from './main.js';
import { memoryIo } from './test_io.js';

const dir = mkdtempSync(join(tmpdir(), 'pidns-restore-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const A = `init: fork() -> a
a: fork() -> b
b: setpgid(0, 0)
a: fork() -> c
c: setsid()
init: clone(CLONE_NEWPID) -> n
n: fork() -> d
d: exit(3)
`;

async function snapshotFile(name: string, text: string): Promise<string> {
  const b = new ModelBackend();
  await runScenario(parseScenario(text, `${name}.pidns`), b);
  const path = join(dir, `${name}.json`);
  writeFileSync(path, `${JSON.stringify(toJSON(b.kernel))}\n`);
  return path;
}

async function cli(argv: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  const files = new Map<string, string>();
  const { io, output } = memoryIo(files, { extra: { readFile: (p) => Promise.resolve(readFileSync(p, 'utf8')) } });
  const code = await main(argv, io);
  return { code, ...output() };
}

describe('pidns plan / restore', () => {
  it('plans a snapshot into a file and restores it with no difference', async () => {
    const a = await snapshotFile('a', A);
    const plan = join(dir, 'a.plan.pidns');
    expect(await cli(['plan', a, '-o', plan])).toMatchObject({ code: 0, out: '', err: '' });
    expect(readFileSync(plan, 'utf8')).toMatch(/clone3\(set_tid=\[3\], exit_signal=SIGCHLD\) -> b/);
    expect(await cli(['restore', a, '--plan', plan])).toMatchObject({ code: 0, err: '' });
    expect((await cli(['restore', a])).code).toBe(0);
  });

  const variants: readonly [string, string, RegExp][] = [
    ['pgid', A.replace('b: setpgid(0, 0)\n', ''), /^task 3: pgid: expected 1, got 3$/m],
    ['sid', A.replace('c: setsid()\n', ''), /^task 4: sid: expected 1, got 4$/m],
    ['parent', A.replace('a: fork() -> b', 'init: fork() -> b'), /^task 3: parent: expected 1, got 2$/m],
    ['number at one level', A.replace('n: fork() -> d', 'n: clone3(set_tid=[7], exit_signal=SIGCHLD) -> d'), /^task 6 7: exists: expected yes, got no$/m],
    ['zombie status', A.replace('d: exit(3)\n', ''), /^task 6 2: state: expected S, got Z$/m],
  ];
  it.each(variants)('restore B --plan PLAN_OF_A fails when B differs in %s', async (what, b, line) => {
    const a = await snapshotFile('a', A);
    const plan = join(dir, 'a.plan.pidns');
    expect((await cli(['plan', a, '-o', plan])).code).toBe(0);
    const bFile = await snapshotFile(`b-${what.replace(/ /g, '-')}`, b);
    const r = await cli(['restore', bFile, '--plan', plan]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(line);
    expect(r.err).toMatch(/difference/);
  });

  it('bad input: one line, exit 2; a refused plan: exit 1', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"format": "pidns-snapshot", "version": 99}');
    const r = await cli(['plan', bad]);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    const a = await snapshotFile('a', A);
    const broken = join(dir, 'broken.pidns');
    writeFileSync(broken, 'init: frobnicate()\n');
    const s = await cli(['restore', a, '--plan', broken]);
    expect(s.code).toBe(2);
    expect(s.err).toMatch(/^error: .*broken\.pidns:1:\d+: /);
    expect((await cli(['restore', a, '--backend', 'nope'])).code).toBe(2);
    const two = await snapshotFile('two', 'init: fork() -> a\na: setsid()\na: fork() -> a\n');
    const refused = await cli(['plan', two]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/^pidns plan: cannot restore task \d+: name a: /);
  });
});
