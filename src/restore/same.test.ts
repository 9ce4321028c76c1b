// The sameness rule (docs/restore.md): a snapshot is the same as itself and as
// its own save-load round trip, and each kind of change is named as one
// difference with the task, the field, what was expected and what came.

import { describe, expect, it } from 'vitest';
import { ModelBackend } from '../scenario/model_backend.js';
import { parseScenario } from '../scenario/parser.js';
import { runScenario } from '../scenario/run.js';
import { toJSON } from '../snapshot/save.js';
import { fromJSON } from '../snapshot/load.js';
import type { KernelJson } from '../snapshot/schema.js';
import { generateScenario } from '../scenario/fuzz.js';
import { formatDifference, samenessDifferences } from './same.js';

async function stateOf(text: string): Promise<KernelJson> {
  const b = new ModelBackend();
  await runScenario(parseScenario(text, 't.pidns'), b);
  return toJSON(b.kernel);
}

const BASE = `init: fork() -> a
a: fork() -> b
b: setpgid(0, 0)
init: clone(CLONE_NEWPID) -> c
c: fork() -> d
d: exit(3)
`;

describe('samenessDifferences', () => {
  it('finds nothing between a state and itself, or its save-load round trip', async () => {
    for (let seed = 1; seed <= 30; seed++) {
      const s = await stateOf(await generateScenario(seed));
      expect(samenessDifferences(s, s)).toEqual([]);
      const r = fromJSON(s);
      if (!r.ok) throw new Error('round trip refused');
      expect(samenessDifferences(s, toJSON(r.kernel))).toEqual([]);
    }
  });

  it('ignores creation order: the same tree made in another order is the same', async () => {
    const a = await stateOf('init: fork() -> a\ninit: fork() -> b\nb: exit(0)\n');
    const b = await stateOf('init: clone3(set_tid=[3], exit_signal=SIGCHLD) -> b\ninit: clone3(set_tid=[2], exit_signal=SIGCHLD) -> a\nb: exit(0)\ninit: sysctl(kernel.ns_last_pid, 3)\n');
    expect(samenessDifferences(a, b).map(formatDifference)).toEqual([]);
  });

  it('names a pgid, a parent, a number, a zombie and a namespace that differ', async () => {
    const a = await stateOf(BASE);
    const pg = await stateOf(BASE.replace('b: setpgid(0, 0)\n', ''));
    expect(samenessDifferences(a, pg).map(formatDifference)).toEqual(['task 3: pgid: expected 3, got 1']);
    const zombie = await stateOf(BASE.replace('d: exit(3)\n', ''));
    const z = samenessDifferences(a, zombie).map((d) => `${d.task} ${d.field}`);
    expect(z).toContain('5 2 state');
    expect(z).toContain('5 2 exit state');
    const num = await stateOf(`init: sysctl(kernel.ns_last_pid, 9)\n${BASE}`);
    expect(samenessDifferences(a, num).some((d) => d.task === '2' && d.field === 'exists')).toBe(true);
    const proc = samenessDifferences(a, zombie, 'proc').map((d) => `${d.task} ${d.field}`);
    expect(proc).toEqual(['5 2 state']);
  });

  it('proc mode leaves out what /proc does not show (pid_max, capabilities), and keeps the uids /proc/PID/status shows', async () => {
    const a = await stateOf(BASE);
    const b = await stateOf(`${BASE}a: sysctl(kernel.pid_max, 500)\n`);
    expect(samenessDifferences(a, b, 'proc')).toEqual([]);
    expect(samenessDifferences(a, b).map((d) => d.field)).toContain('pid_max');
    const keptCaps = await stateOf(`${BASE}a: setresuid(-1, 5, -1)\n`);
    const uids = samenessDifferences(a, keptCaps, 'proc').map((d) => `${d.task} ${d.field} ${d.expected} ${d.got}`);
    expect(uids).toEqual(['2 uid/euid/suid 0/0/0 0/5/0']);
    expect(samenessDifferences(a, keptCaps).map((d) => d.field)).toContain('capabilities');
  });
});
