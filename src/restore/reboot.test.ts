// Namespace deaths (reboot.ts, dead_init.ts): the restore/ hard cases plan and restore
// exactly on the model (invariants after every step), with the deaths the
// shapes call for; a threaded init waiting in zap is refused, named as a race.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkInvariants } from '../kernel/invariants.js';
import { planRestore } from './plan.js';
import { formatRefusal } from './refusal.js';
import { formatDifference } from './same.js';
import { modelEndState, restoreOnModel } from './verify.js';

async function restored(file: string): Promise<string> {
  const snapshot = await modelEndState(readFileSync(new URL(`../../restore/${file}`, import.meta.url), 'utf8'));
  const plan = planRestore(snapshot);
  if (!plan.ok) throw new Error(formatRefusal(plan.refusal));
  const outcome = await restoreOnModel(snapshot, plan.text, `${file}.plan`, 'model', { afterStep: checkInvariants });
  if (!outcome.ok) throw new Error(outcome.error);
  expect(outcome.differences.map(formatDifference)).toEqual([]);
  return plan.text;
}

describe('namespace deaths', () => {
  it('rebooted namespaces and inits waiting in zap_pid_ns_processes', async () => {
    const text = await restored('namespace_deaths.pidns');
    // a rebooted itself; b was rebooted by another task: a helper with no exit signal calls reboot.
    expect(text).toMatch(/^a: reboot\(LINUX_REBOOT_CMD_POWER_OFF\)/m);
    expect(text).toMatch(/^b: clone3\(set_tid=\[\d+, \d+\]\) -> (reboot\d+) .*\n\1: reboot\(LINUX_REBOOT_CMD_RESTART\)/m);
    // The inits waiting in zap die in the deaths phase, after the zombies that hold them there (zap.ts).
    const deaths = text.slice(text.indexOf('# Zombies'));
    expect(deaths).toMatch(/^c: exit_group\(4\)/m);
    expect(deaths).toMatch(/^d: reboot\(LINUX_REBOOT_CMD_RESTART\)/m);
    expect(deaths.indexOf('c: exit_group(4)')).toBeGreaterThan(deaths.search(/^cz: /m));
  });

  it('dead namespaces nested below a child one, cloned from inside their parent namespace', async () => {
    const text = await restored('nested_dead_namespaces.pidns');
    expect(text).toMatch(/^a: clone3\(flags=CLONE_NEWPID, set_tid=\[1, 3, 4\]/m);
    expect(text).toMatch(/^dead\d+: reboot\(LINUX_REBOOT_CMD_RESTART\)/m);
  });

  it('pidfds of reaped inits: stand-ins cloned with CLONE_NEWPID inside the parent namespace (dead_init.ts)', async () => {
    const text = await restored('pidfds_of_dead_inits.pidns');
    expect(text).toMatch(/^a: clone3\(flags=CLONE_NEWPID, set_tid=\[1, 3, 4\][^\n]*-> (gone\d+) [^\n]*\n\1: sysctl\(kernel.ns_last_pid, 2\)/m);
    // c's stand-in lives on into phase 3: init joins its namespace before it dies.
    expect(text).toMatch(/^init: setns\(ns\((gone\d+)\), CLONE_NEWPID\)[^\n]*\n\1: exit\(0\)/m);
  });

  it('a threaded init waiting in zap is refused: which thread waits is a race', async () => {
    const plan = planRestore(await modelEndState(`init: clone(CLONE_NEWPID) -> n
n: clone(CLONE_THREAD|CLONE_SIGHAND|CLONE_VM) -> t
init: fork() -> j
j: setns(ns(n), CLONE_NEWPID)
j: fork() -> z
n: exit_group(2)
`));
    expect(plan.ok).toBe(false);
    if (!plan.ok) expect(formatRefusal(plan.refusal)).toMatch(/a task mid-exit: a threaded init waiting in zap_pid_ns_processes/);
  });
});
