// A plan's execve on the real kernel (src/restore/exec.ts): /proc does not
// show parent_exec_id, so the restore is proven by what happens next. The
// same continuation (children exit, their parents take the exit signals)
// after the original history and after its plan prints the same on the
// kernel: a child born before its parent's exec is reported with SIGCHLD, one
// born after with its own signal. A plan without one of the execs is caught.
// Skipped without a kernel backend, unless PIDNS_REQUIRE_KERNEL=1.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kernelBackendAvailable } from '../src/native/availability.js';
import { KernelBackend } from '../src/native/kernel_backend.js';
import { planRestore } from '../src/restore/index.js';
import { ModelBackend } from '../src/scenario/model_backend.js';
import { parseScenario } from '../src/scenario/parser.js';
import { runScenario } from '../src/scenario/run.js';
import { toJSON } from '../src/snapshot/index.js';

const RUN = kernelBackendAvailable().ok || process.env['PIDNS_REQUIRE_KERNEL'] === '1';

// Every parent blocks the exit signals (an init's thread would take and drop them, get_signal's SIGNAL_UNKILLABLE),
// its children exit, and it takes the signals one by one, lowest first.
const CONTINUATION = `t: rt_sigprocmask(SIG_BLOCK, SIGCHLD|SIGUSR1|SIGUSR2)
n: rt_sigprocmask(SIG_BLOCK, SIGCHLD|SIGUSR1|SIGUSR2)
nt: rt_sigprocmask(SIG_BLOCK, SIGCHLD|SIGUSR1|SIGUSR2)
a: exit(0)
u: exit(0)
c: exit(0)
d: exit(0)
t: rt_sigtimedwait(SIGCHLD|SIGUSR1|SIGUSR2, info)
t: rt_sigtimedwait(SIGCHLD|SIGUSR1|SIGUSR2, info)
n: rt_sigtimedwait(SIGCHLD|SIGUSR1|SIGUSR2, info)
n: rt_sigtimedwait(SIGCHLD|SIGUSR1|SIGUSR2, info)
`;

/** The transcript lines of the signals taken (rt_sigtimedwait's results). */
async function takenOnKernel(text: string): Promise<string[]> {
  const r = await runScenario(parseScenario(text, 'continued.pidns'), new KernelBackend());
  return r.lines.filter((l) => l.includes('rt_sigtimedwait('));
}

describe.runIf(RUN)('a plan that execs, continued on the kernel', () => {
  it('reports the children born before an exec with SIGCHLD, as the original does', async () => {
    const history = readFileSync(join(import.meta.dirname, '..', 'restore', 'parent_exec.pidns'), 'utf8');
    const b = new ModelBackend();
    await runScenario(parseScenario(history, 'parent_exec.pidns'), b);
    const plan = planRestore(toJSON(b.kernel));
    if (!plan.ok) throw new Error(plan.refusal.why);
    expect(plan.text).toMatch(/^t: execve\(\)/m);
    expect(plan.text).toMatch(/^n: execve\(\)/m);
    const original = await takenOnKernel(history + CONTINUATION);
    expect(original.map((l) => /= (\d+)/.exec(l)?.[1])).toEqual(['12', '17', '12', '17']);
    expect(await takenOnKernel(plan.text + CONTINUATION)).toEqual(original);
    // Without n's exec, c keeps SIGUSR1: the continuation tells.
    const noExec = plan.text.replace(/^n: execve\(\).*\n/m, '');
    expect((await takenOnKernel(noExec + CONTINUATION)).slice(2).map((l) => /= (\d+)/.exec(l)?.[1])).toEqual(['10', '12']);
  }, 120_000);
});
