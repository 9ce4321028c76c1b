// The planner and child user namespaces: what it rebuilds (an orphan of the
// entrant, itself the init of a namespace the user namespace owns, enters
// anew; one adopted by the entrant's parent is its CLONE_PARENT sibling) and
// what it refuses, each with its reason.

import { describe, expect, it } from 'vitest';
import { ModelBackend } from '../scenario/model_backend.js';
import { parseScenario } from '../scenario/parser.js';
import { runScenario } from '../scenario/run.js';
import { toJSON } from '../snapshot/save.js';
import { planRestore } from './plan.js';
import { formatRefusal } from './refusal.js';
import { formatDifference } from './same.js';
import { restoreOnModel } from './verify.js';

async function planOf(text: string): Promise<{ plan: string; differences: string[] } | string> {
  const b = new ModelBackend();
  await runScenario(parseScenario(text, 'u.pidns'), b);
  const snapshot = toJSON(b.kernel);
  const p = planRestore(snapshot);
  if (!p.ok) return formatRefusal(p.refusal);
  const o = await restoreOnModel(snapshot, p.text, 'plan.pidns', 'model');
  if (!o.ok) throw new Error(o.error);
  return { plan: p.text, differences: o.differences.map(formatDifference) };
}

const ORPHAN = `init: clone(CLONE_NEWUSER) -> q
q: clone(CLONE_NEWPID) -> n
n: fork() -> m
`;

describe('user namespaces in a plan', () => {
  it('an init whose creator in the user namespace is gone is cloned into it anew, with its PID namespace', async () => {
    const r = await planOf(`${ORPHAN}q: exit(0)\ninit: wait4($q, 0)\n`);
    if (typeof r === 'string') throw new Error(r);
    expect(r.differences).toEqual([]);
    expect(r.plan).toMatch(/init: clone3\(flags=CLONE_NEWPID\|CLONE_NEWUSER, set_tid=\[1, 3\].* -> n /);
    // n's child: its own level by set_tid, ns0's by init's ns_last_pid.
    expect(r.plan).toMatch(/init: sysctl\(kernel.ns_last_pid, 3\) .*\nn: clone3\(set_tid=\[2\], exit_signal=SIGCHLD\) -> m /);
  });

  it('an orphan of the entrant adopted by their common parent is cloned by the entrant with CLONE_PARENT', async () => {
    const r = await planOf(`${ORPHAN}q: exit(0)\n`);
    if (typeof r === 'string') throw new Error(r);
    expect(r.differences).toEqual([]);
    expect(r.plan).toMatch(/q: unshare\(CLONE_NEWUSER\)[^\n]*\n(.*\n)*q: clone3\(flags=CLONE_NEWPID\|CLONE_PARENT, set_tid=\[1\]\) -> n /);
  });

  it('refuses two tasks of one user namespace born of creators outside it that share no parent', async () => {
    const text = 'init: fork() -> f\nf: clone(CLONE_NEWUSER) -> q\nq: fork() -> r\nq: exit(0)\n';
    expect(await planOf(text)).toMatch(/user namespace: . enters user\(of task \d+\) too: only one task can/);
  });

  it('refuses a task that lost its capabilities to an execve in its user namespace', async () => {
    expect(await planOf('init: clone(CLONE_NEWUSER) -> q\nq: execve()\n')).toMatch(/task 2: no capabilities: .*an execve there dropped them/);
  });
});
