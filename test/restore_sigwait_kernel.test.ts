// What the /proc rule cannot see of a restored signal state, probed on the
// real kernel: a blocked call, a mask a call saved, a signalfd's mask, the
// siginfo of a pending signal, a continued report. Each hard case is run on
// the model with probe steps after it; its plan (planRestore), run on the
// kernel with the same probes, must answer them the same way, line for line
// (a sleeper's resumption and result, rt_sigpending's set, a siginfo's
// si_code and si_pid, waitid's WCONTINUED report), and the kernel's SigBlk
// after the plan is each task's mask. Skipped without a kernel
// backend, unless PIDNS_REQUIRE_KERNEL=1, where it runs and fails instead.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kernelBackendAvailable } from '../src/native/availability.js';
import { createKernelBackend } from '../src/native/kernel_backend.js';
import { CapturingKernelBackend } from '../src/native/restore_kernel.js';
import { formatDifference, planRestore, samenessDifferences } from '../src/restore/index.js';
import type { Backend } from '../src/scenario/backend.js';
import { ModelBackend } from '../src/scenario/model_backend.js';
import { parseScenario } from '../src/scenario/parser.js';
import { runScenario } from '../src/scenario/run.js';
import { toJSON } from '../src/snapshot/index.js';

const RUN = kernelBackendAvailable().ok || process.env['PIDNS_REQUIRE_KERNEL'] === '1';
const CORPUS = join(import.meta.dirname, '..', 'restore');

/**
 * Each hard case and the steps that ask its end state what /proc does not
 * show. `{ACTOR:FD}` is the signalfd ACTOR's table holds at number FD: named
 * in the history as `fds` says, in the plan as its signalfd step named it.
 */
const PROBES: Readonly<Record<string, { readonly steps: string; readonly fds?: Readonly<Record<string, string>> }>> = {
  'blocked_in_signal_waits.pidns': {
    // c takes SIGUSR2 (in its set, blocked before), and then blocks it again; d reads SIGUSR1; b's handler ends
    // rt_sigsuspend and the saved mask is back (SIGTERM and SIGUSR2 pending and blocked); a sleeps on with SIGUSR1 blocked.
    steps: `init: kill($c, SIGUSR2)
init: kill($c, SIGUSR2)
c: rt_sigpending()
init: kill($d, SIGUSR1)
init: kill($b, SIGUSR1)
init: kill($b, SIGUSR2)
b: rt_sigpending()
init: kill($a, SIGUSR1)
init: kill($a, SIGTERM)
init: wait4($a, 0)
`,
  },
  'signalfd_inherited.pidns': {
    // c's inherited signalfd has SIGUSR1 in its mask; its own is nonblocking with SIGUSR2; f shares p's table.
    steps: `init: kill($c, SIGUSR1)
c: rt_sigprocmask(SIG_SETMASK, SIGUSR1|SIGUSR2)
c: read({c:5})
init: kill($c, SIGUSR2)
c: read({c:5}, info)
f: rt_sigprocmask(SIG_SETMASK, SIGUSR1)
init: kill($f, SIGUSR1)
f: read({p:3}, info)
`,
    fds: { 'c:5': 's2', 'p:3': 's1' },
  },
  'pending_from_dead_sender.pidns': {
    // Each siginfo: SI_USER and SI_TKILL from the gone sender's number; the one SIGCHLD, CLD_EXITED from k.
    steps: `r: rt_sigtimedwait(SIGUSR1|SIGUSR2, info)
r: rt_sigtimedwait(SIGUSR1|SIGUSR2, info)
q: rt_sigtimedwait(SIGUSR1, info)
w: rt_sigtimedwait(SIGCHLD, info)
w: rt_sigtimedwait(SIGCHLD, 0)
`,
  },
  'sigchld_of_a_zombie.pidns': {
    // The SIGCHLD is z's, CLD_EXITED with 5, behind the SIGUSR1; both zombies are there to reap.
    steps: `w: rt_sigtimedwait(SIGCHLD|SIGUSR1, info)
w: rt_sigtimedwait(SIGCHLD|SIGUSR1, info)
w: rt_sigtimedwait(SIGCHLD, 0)
w: wait4($z, 0)
w: wait4($y, 0)
`,
  },
  'continued_not_reported.pidns': {
    // No stop to report, a continue to report once.
    steps: `p: waitid(P_PID, $c, WSTOPPED|WNOHANG)
p: waitid(P_PID, $c, WCONTINUED|WNOHANG)
p: waitid(P_PID, $c, WCONTINUED|WNOHANG)
`,
  },
};

/** `steps` with each `{ACTOR:FD}` replaced by its name in `names`. */
function withFds(steps: string, names: Readonly<Record<string, string>>): string {
  return steps.replace(/\{(\w+:\d+)\}/g, (_m, key: string) => {
    const name = names[key];
    if (name === undefined) throw new Error(`no signalfd ${key}`);
    return name;
  });
}

/** `lines` with each fd name of `names` written back as its `{ACTOR:FD}` (the two sides name fds differently). */
function unnamed(lines: readonly string[], names: Readonly<Record<string, string>>): string[] {
  return lines.map((l) => Object.entries(names).reduce((x, [key, name]) => x.replace(new RegExp(`\\(${name}\\b`, 'g'), `({${key}}`), l));
}

/** The plan's signalfd names, by holder and fd number (from its steps and their comments). */
function planFds(plan: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of plan.matchAll(/^(\w+): signalfd\(-1, [^)]*\) -> (\w+)\s+# fd (\d+)/gm)) out[`${m[1]!}:${m[3]!}`] = m[2]!;
  return out;
}

/** The transcript lines `probes` add when run after `text` on `backend()`. */
async function probed(text: string, probes: string, backend: () => Backend, file: string): Promise<string[]> {
  const before = await runScenario(parseScenario(text, file), backend());
  const after = await runScenario(parseScenario(`${text}${probes}`, file), backend());
  expect(after.lines.slice(0, before.lines.length)).toEqual(before.lines);
  return after.lines.slice(before.lines.length);
}

describe('the probes', () => {
  it('name hard cases of restore/, and each case is planned', async () => {
    for (const f of Object.keys(PROBES)) {
      const b = new ModelBackend();
      await runScenario(parseScenario(readFileSync(join(CORPUS, f), 'utf8'), f), b);
      expect(planRestore(toJSON(b.kernel)).ok, f).toBe(true);
    }
  });
});

describe.runIf(RUN)('restored signal state, probed on the kernel', () => {
  it.each(Object.keys(PROBES))('%s: the plan on the kernel answers the probes as the history does on the model', async (f) => {
    const text = readFileSync(join(CORPUS, f), 'utf8');
    const probe = PROBES[f]!;
    const b = new ModelBackend();
    await runScenario(parseScenario(text, f), b);
    const plan = planRestore(toJSON(b.kernel));
    if (!plan.ok) throw new Error(`${f}: refused`);
    const names = planFds(plan.text);
    const want = unnamed(await probed(text, withFds(probe.steps, probe.fds ?? {}), () => new ModelBackend(), f), probe.fds ?? {});
    const got = unnamed(await probed(plan.text, withFds(probe.steps, names), createKernelBackend, `plan of ${f}`), names);
    expect(got).toEqual(want);
    // Every probe answered (none refused by the parser or left without a line).
    expect(want.length).toBeGreaterThanOrEqual(probe.steps.trim().split('\n').length);
  }, 60_000);

  it.each(Object.keys(PROBES))('%s: the kernel\'s SigBlk after the plan is each task\'s mask (a sleeper\'s as its call set it)', async (f) => {
    const b = new ModelBackend();
    await runScenario(parseScenario(readFileSync(join(CORPUS, f), 'utf8'), f), b);
    const target = toJSON(b.kernel);
    const plan = planRestore(target);
    if (!plan.ok) throw new Error(`${f}: refused`);
    const k = new CapturingKernelBackend();
    await runScenario(parseScenario(plan.text, `plan of ${f}`), k);
    const taken = k.endStateTaken;
    if (taken === null || !taken.ok) throw new Error(`${f}: no end state`);
    expect(samenessDifferences(target, taken.snapshot.json, 'model').filter((d) => d.field === 'signal mask').map(formatDifference)).toEqual([]);
  }, 60_000);
});
