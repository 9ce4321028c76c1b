// kill, tgkill, pidfd_send_signal and signal (a disposition).

import { sysKill, sysPidfdSendSignal, sysSignal, sysTgkill } from '../../syscalls/signal.js';
import type { SignalDisposition } from '../../kernel/signal_types.js';
import { value } from './results.js';
import type { ArgKind, CallSpec } from './spec.js';

const SIG: ArgKind = { kind: 'const', family: 'signal' };
const DISPOSITIONS: readonly SignalDisposition[] = ['SIG_DFL', 'SIG_IGN', 'catch'];

export const kill: CallSpec = {
  name: 'kill',
  params: [
    { name: 'pid', kind: { kind: 'pid' } },
    { name: 'sig', kind: SIG },
  ],
  result: 'value',
  traits: (a) => ({ sends: a.num(1) }),
  model: (ctx, a) => value(sysKill(ctx.kernel, ctx.me, a.num(0), a.num(1))),
  wire: (a) => ({ op: 'k', args: [a.num(0), a.num(1)] }),
  fuzz: [
    {
      weight: 7,
      generate: async (c) => {
        const target = c.pick(await c.visible());
        if (target === undefined) return null;
        const sig = c.pick(['SIGKILL', 'SIGKILL', 'SIGTERM', 'SIGSTOP', 'SIGCONT', 'SIGCONT', '0'])!;
        return { line: `${c.actor.name}: kill(${c.chance(0.1) ? '-' : ''}$${target.name}, ${sig})` };
      },
    },
  ],
};

export const tgkill: CallSpec = {
  name: 'tgkill',
  params: [
    { name: 'tgid', kind: { kind: 'pid' } },
    { name: 'tid', kind: { kind: 'pid' } },
    { name: 'sig', kind: SIG },
  ],
  result: 'value',
  traits: (a) => ({ sends: a.num(2) }),
  model: (ctx, a) => value(sysTgkill(ctx.kernel, ctx.me, a.num(0), a.num(1), a.num(2))),
  wire: (a) => ({ op: 'tk', args: [a.num(0), a.num(1), a.num(2)] }),
  fuzz: [
    {
      weight: 2,
      generate: async (c) => {
        const target = c.pick(await c.visible());
        if (target === undefined) return null;
        const leader = c.living().find((x) => x.name === target.leader) ?? target;
        if (!(await c.sees(leader))) return null;
        const sig = c.pick(['SIGTERM', 'SIGSTOP', 'SIGCONT', '0'])!;
        return { line: `${c.actor.name}: tgkill($${leader.name}, $${target.name}, ${sig})` };
      },
    },
  ],
};

export const pidfd_send_signal: CallSpec = {
  name: 'pidfd_send_signal',
  params: [
    { name: 'fd', kind: { kind: 'fd' } },
    { name: 'sig', kind: SIG },
  ],
  result: 'value',
  traits: (a) => ({ sends: a.num(1) }),
  model: (ctx, a) => value(sysPidfdSendSignal(ctx.kernel, ctx.me, a.num(0), a.num(1))),
  wire: (a) => ({ op: 'ps', args: [a.num(0), a.num(1)] }),
  fuzz: [
    {
      weight: 1,
      generate: (c) => {
        const fd = c.pick(c.actor.fds);
        return fd === undefined ? null : { line: `${c.actor.name}: pidfd_send_signal(${fd}, ${c.pick(['SIGKILL', 'SIGTERM', 'SIGSTOP', 'SIGCONT', '0'])!})` };
      },
    },
  ],
};

/** signal(SIG, DISP): DISP is SIG_DFL, SIG_IGN, or `catch` (a handler that records what it receives). */
export const signal: CallSpec = {
  name: 'signal',
  params: [
    { name: 'sig', kind: SIG },
    { name: 'disposition', kind: { kind: 'word', words: DISPOSITIONS, what: 'SIG_DFL, SIG_IGN or catch' } },
  ],
  result: 'value',
  model: (ctx, a) => value(sysSignal(ctx.kernel, ctx.me, a.num(0), a.word(1) as SignalDisposition)),
  wire: (a) => ({ op: 'sg', args: [a.num(0), DISPOSITIONS.indexOf(a.word(1) as SignalDisposition)] }),
  fuzz: [
    {
      weight: 2,
      generate: (c) => ({ line: `${c.actor.name}: signal(${c.chance(0.6) ? 'SIGCHLD' : 'SIGTERM'}, ${c.pick(['catch', 'catch', 'SIG_IGN', 'SIG_DFL'])!})` }),
    },
  ],
};
