// Terminals in a plan (ttys.ts): the restore/ corpus's terminal cases plan
// and rebuild exactly on the model (invariants after every step), the plan
// opens a shared file once and takes the terminal before the members are
// born; what is not rebuilt is refused by name.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkInvariants } from '../kernel/invariants.js';
import { planRestore } from './plan.js';
import { formatRefusal } from './refusal.js';
import { formatDifference } from './same.js';
import { modelEndState, restoreOnModel } from './verify.js';

const corpus = (name: string): string => readFileSync(join(import.meta.dirname, '..', '..', 'restore', `${name}.pidns`), 'utf8');

async function planOf(text: string): Promise<string> {
  const snapshot = await modelEndState(text);
  const plan = planRestore(snapshot);
  if (!plan.ok) throw new Error(formatRefusal(plan.refusal));
  const outcome = await restoreOnModel(snapshot, plan.text, 'plan.pidns', 'model', { afterStep: checkInvariants });
  if (!outcome.ok) throw new Error(outcome.error);
  expect(outcome.differences.map(formatDifference)).toEqual([]);
  return plan.text;
}

const steps = (text: string): string[] => text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => l.replace(/ +#.*$/, ''));

describe('terminals in a plan', () => {
  it('a session with a terminal, TOSTOP, a foreground and a background job, a member without it, typed input and a read asleep', async () => {
    const s = steps(await planOf(corpus('terminal_job_control')));
    const at = (re: RegExp): number => s.findIndex((l) => re.test(l));
    // The leader takes the terminal after its setsid and before it creates its members, which inherit it.
    expect(at(/^s: setsid\(\)$/)).toBeLessThan(at(/^s: ioctl\(f\d+, TIOCSCTTY, 0\)$/));
    expect(at(/TIOCSCTTY/)).toBeLessThan(at(/-> fg$/));
    expect(at(/-> bg$/)).toBeLessThan(at(/^s: ioctl\(f\d+, TIOCSPGRP, 4\)$/));
    // d was born before s took the terminal: born with it in the plan, it gives it up on its slave.
    expect(at(/-> d$/)).toBeLessThan(at(/^d: ioctl\(f2, TIOCNOTTY\)$/));
    expect(at(/TCSETS, TOSTOP/)).toBeGreaterThan(-1);
    expect(s.filter((l) => /^s: write\(f1, 120\)$/.test(l))).toHaveLength(1);
    expect(s.at(-1)).toMatch(/^fg: read\(f\d+\)$/);
  });

  it('a master shared by fork is opened once; a hung-up pair is opened and its master closed', async () => {
    const s = steps(await planOf(corpus('ptys_shared_by_fork')));
    expect(s.filter((l) => l.startsWith('p: posix_openpt'))).toHaveLength(1);
    expect(s.filter((l) => /TIOCGPTPEER, O_RDONLY\|O_NOCTTY/.test(l))).toEqual([expect.stringMatching(/^a: /)]);
    expect(s.filter((l) => /^p: write\(f1, (120|10)\)$/.test(l))).toHaveLength(4);
    const master = /^q: posix_openpt\(O_RDWR\|O_NOCTTY\) -> (f\d+)$/.exec(s.find((l) => l.startsWith('q: posix_openpt')) ?? '')?.[1];
    expect(s).toContain(`q: close(${master!})`);
  });

  it('a member that gave its terminal up, and its child born without it', async () => {
    const under = `init: fork() -> s
s: setsid()
s: posix_openpt(O_RDWR|O_NOCTTY) -> m
s: ioctl(m, TIOCGPTPEER, O_RDWR|O_NOCTTY) -> t
s: ioctl(t, TIOCSCTTY, 0)
s: fork() -> d
d: ioctl(t, TIOCNOTTY)
d: fork() -> e
s: close(t)
`;
    const s = steps(await planOf(under));
    expect(s.filter((l) => l.includes('TIOCNOTTY'))).toEqual([expect.stringMatching(/^d: ioctl\(f\d+, TIOCNOTTY\)$/)]);
  });

  it('replays a hangup for a tty_old_pgrp: the leader takes a pair, ignores SIGHUP while its master closes, then not', async () => {
    const hangup = `init: fork() -> s
s: setsid()
s: rt_sigaction(SIGHUP, SIG_IGN, 0, 0)
s: posix_openpt(O_RDWR|O_NOCTTY) -> m
s: ioctl(m, TIOCGPTPEER, O_RDWR|O_NOCTTY) -> t
s: ioctl(t, TIOCSCTTY, 0)
s: close(m)
`;
    const steps = (await planOf(hangup)).split('\n').filter((l) => !l.includes('the filler goes')).map((l) => l.replace(/ +#.*$/, '')).filter((l) => /^s: (ioctl\(f\d+, TIOCS|rt_sigaction\(SIGHUP|close)/.test(l));
    expect(steps.map((l) => l.replace(/f\d+/g, 'F'))).toEqual(['s: ioctl(F, TIOCSCTTY, 0)', 's: rt_sigaction(SIGHUP, SIG_IGN, 0, 0)', 's: close(F)', 's: rt_sigaction(SIGHUP, SIG_DFL, 0, 0)', 's: rt_sigaction(SIGHUP, SIG_IGN, 0, 0)']);
  });
});
