// The planner's execs (exec.ts) on the model: the children born before an exec
// come before it in the plan, the rest after; the state matches only with
// every exec in place; ns0's init renamed by its thread's exec is rebuilt by
// the same exec; and a child that must precede an exec its creator cannot
// reach in time is refused, not planned approximately.

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { planRestore } from './plan.js';
import { formatDifference } from './same.js';
import { modelEndState, restoreOnModel } from './verify.js';

describe('execve in a plan', () => {
  it('puts each exec between the children it must follow and those it must precede', async () => {
    const target = await modelEndState(readFileSync(join(import.meta.dirname, '..', '..', 'restore', 'parent_exec.pidns'), 'utf8'));
    const plan = planRestore(target);
    if (!plan.ok) throw new Error(plan.refusal.why);
    const at = (re: RegExp): number => plan.text.split('\n').findIndex((l) => re.test(l));
    expect(at(/-> a /)).toBeLessThan(at(/^t: execve/));
    expect(at(/^t: execve/)).toBeLessThan(at(/-> u /));
    expect(at(/-> c /)).toBeLessThan(at(/^n: execve/));
    expect(at(/^n: execve/)).toBeLessThan(at(/-> d /));
    expect(at(/^n: execve/)).toBeLessThan(at(/-> nt /));
    expect(at(/-> e /)).toBeLessThan(at(/^g: execve/));
    const r = await restoreOnModel(target, plan.text);
    expect(r.ok && r.differences.map(formatDifference)).toEqual([]);
    // Without n's exec, c's exit signal would not be reset.
    const without = await restoreOnModel(target, plan.text.replace(/^n: execve\(\).*\n/m, ''));
    expect(without.ok && without.differences.map(formatDifference)).toContain('task 7 2: exit signal reset by parent exec: expected true, got false');
  });

  it('counts the relation only for an exit signal do_notify_parent would replace', async () => {
    // b (SIGCHLD) is born before init's exec and a (SIGUSR1) after: only a's relation is compared, and it is fresh.
    const target = await modelEndState('init: fork() -> b\ninit: execve()\ninit: clone3(exit_signal=SIGUSR1) -> a\n');
    const plan = planRestore(target);
    expect(plan.ok && plan.text).not.toMatch(/execve/);
    expect(plan.ok && (await restoreOnModel(target, plan.text))).toMatchObject({ ok: true, differences: [] });
  });

  it('refuses a pid 1 renamed with no exec behind it', async () => {
    const target = await modelEndState('init: fork() -> b\n');
    const renamed = { ...target, tasks: target.tasks.map((t) => (t.seq === target.init ? { ...t, comm: 'x' } : t)) };
    const plan = planRestore(renamed);
    expect(plan.ok ? '' : `${plan.refusal.constraint}: ${plan.refusal.why}`).toMatch(/^name x: .*only an exec by a thread renames pid 1/);
  });
});
