// Every hard case plans, and its plan rebuilds the state on the model with no
// difference (invariants after every step); the plan is readable (comments)
// and leaves no helper behind (the sameness rule would see it).

import { describe, expect, it } from 'vitest';
import { checkInvariants } from '../kernel/invariants.js';
import { ModelBackend } from '../scenario/model_backend.js';
import { parseScenario } from '../scenario/parser.js';
import { runScenario } from '../scenario/run.js';
import { toJSON } from '../snapshot/save.js';
import { HARD_CASES } from './hard_cases.js';
import { planRestore } from './plan.js';
import { formatRefusal } from './refusal.js';
import { formatDifference } from './same.js';
import { restoreOnModel } from './verify.js';

describe('hard cases', () => {
  it.each(HARD_CASES.map((c) => [c.name, c] as const))('%s plans and restores exactly', async (_, c) => {
    const original = new ModelBackend();
    await runScenario(parseScenario(c.scenario, `${c.name}.pidns`), original);
    const snapshot = toJSON(original.kernel);
    const plan = planRestore(snapshot);
    if (!plan.ok) throw new Error(formatRefusal(plan.refusal));
    const outcome = await restoreOnModel(snapshot, plan.text, `${c.name}.plan.pidns`, 'model', { afterStep: checkInvariants });
    if (!outcome.ok) throw new Error(outcome.error);
    expect(outcome.differences.map(formatDifference)).toEqual([]);
    expect(plan.text).toMatch(/# /);
  });

  it('uses the helpers the shapes call for', async () => {
    const text = async (name: string): Promise<string> => {
      const c = HARD_CASES.find((x) => x.name === name)!;
      const b = new ModelBackend();
      await runScenario(parseScenario(c.scenario, 'x'), b);
      const p = planRestore(toJSON(b.kernel));
      return p.ok ? p.text : formatRefusal(p.refusal);
    };
    expect(await text('dead_leaders')).toMatch(/-> sess\d+ .*session 2 outlives its leader/);
    expect(await text('dead_leaders')).toMatch(/-> grp\d+ /);
    // c forked z, then founded its session: z is created before c's setsid (a nursery did it once; setsid.test.ts has one).
    expect(await text('zombie_session_outside')).toMatch(/-> z .*before founding its own session/);
    expect(await text('pidfd_of_reaped')).toMatch(/-> gone\d+ .*reaped pid 3/);
    const users = await text('user_namespace_children');
    expect(users).toMatch(/u: unshare\(CLONE_NEWUSER\)/);
    expect(users).toMatch(/init: sysctl\(kernel.ns_last_pid, \d+\) .*u has no capability over ns0/);
    expect(users).toMatch(/clone3\(flags=CLONE_NEWPID\|CLONE_NEWUSER, set_tid=\[1, \d+\].* -> q /);
    expect(users).toMatch(/c2: clone3\(set_tid=\[\d\]/);
    expect(users).toMatch(/w: clone3\(set_tid=\[\d+\], exit_signal=SIGCHLD\) -> (ids\d+) .*\n\1: setresuid\(1000, 1000, 1000\)(.*\n)+\1: clone3\(flags=CLONE_NEWPID\|CLONE_PARENT\|CLONE_NEWUSER\) -> v /);
    expect(users).toMatch(/u: clone3\(flags=CLONE_PARENT\) -> s1 /);
    expect(users).toMatch(/z: clone3\(flags=CLONE_PARENT\) -> zo /);
    const rooted = await text('user_namespace_in_a_root_pid_namespace');
    expect(rooted).toMatch(/q: clone3\(set_tid=\[\d+, \d+\], exit_signal=SIGCHLD\) -> (root\d+) .*\nq: unshare\(CLONE_NEWUSER\)(.*\n)+\1: sysctl\(kernel.ns_last_pid, 4\) .*\nq: clone3\(exit_signal=SIGCHLD\) -> b /);
    expect(rooted).toMatch(/(root\d+): exit\(0\) .*\nq: wait4\(\$\1, __WALL\)/);
    const uids = await text('distinct_uids');
    expect(uids).toMatch(/b: setresuid\(0, 1000, 2000\)/);
    expect(uids).toMatch(/c: prctl\(PR_SET_DUMPABLE, 0\)/);
  });

  it('refuses state it does not know (keys of a later version) instead of dropping it', async () => {
    const b = new ModelBackend();
    await runScenario(parseScenario('init: fork() -> a\n', 'x'), b);
    const json = toJSON(b.kernel);
    const withTty = { ...json, tasks: json.tasks.map((t) => ({ ...t, tty: 3 })) };
    const r = planRestore(withTty);
    expect(r.ok ? '' : formatRefusal(r.refusal)).toMatch(/task key tty: .*never drops/);
    const v5 = planRestore({ ...json, version: 5 as 3 });
    expect(v5.ok ? '' : formatRefusal(v5.refusal)).toMatch(/snapshot version 5/);
  });
});
