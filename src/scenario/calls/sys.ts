// prctl, sysctl, setuid, and the pidfd calls pidfd_open and close.

import type { SysctlKey } from '../../kernel/sys.js';
import { sysClose, sysPidfdOpen } from '../../syscalls/pidfd.js';
import { sysPrctl, sysSetuid, sysSysctlRead, sysSysctlWrite } from '../../syscalls/sys.js';
import { fdResult, value } from './results.js';
import { runnerRestoresPdeath } from './runner_start.js';
import { PR_SET_PDEATHSIG } from '../../abi/prctl.js';
import type { ArgKind, CallSpec } from './spec.js';

/** PR_SET_PDEATHSIG takes a signal (a name or a number); every other option a number. */
const prctlArg = (earlier: readonly unknown[]): ArgKind => {
  const option = earlier[0] as { kind: string; value: number } | undefined;
  return option?.kind === 'flags' && option.value === PR_SET_PDEATHSIG ? { kind: 'const', family: 'signal' } : { kind: 'int', what: "prctl's argument" };
};

/** prctl(OPTION[, ARG]): a GET's result (PR_GET_CHILD_SUBREAPER, PR_GET_PDEATHSIG) is what it stores through its pointer. */
export const prctl: CallSpec = {
  name: 'prctl',
  params: [
    { name: 'option', kind: { kind: 'const', family: 'prctl' } },
    { name: 'arg', kind: prctlArg, optional: true },
  ],
  result: 'value',
  model: (ctx, a) => value(sysPrctl(ctx.kernel, ctx.me, a.num(0), a.num(1, 0))),
  wire: (a) => ({ op: 'pr', args: [a.num(0), a.num(1, 0)] }),
  fuzz: [
    { weight: 2, generate: (c) => ({ line: `${c.actor.name}: prctl(PR_SET_CHILD_SUBREAPER, 1)` }) },
    { weight: 1, generate: (c) => ({ line: `${c.actor.name}: prctl(PR_GET_CHILD_SUBREAPER)` }) },
    { weight: 1, generate: (c) => ({ line: `${c.actor.name}: prctl(PR_SET_PDEATHSIG, ${c.pick(['SIGTERM', 'SIGKILL', 'SIGUSR1', 'SIGCHLD', '0'])!})` }) },
    { weight: 1, generate: (c) => ({ line: `${c.actor.name}: prctl(PR_GET_PDEATHSIG)` }) },
  ],
};

const SYSCTL_KEYS: readonly SysctlKey[] = ['kernel.pid_max', 'kernel.ns_last_pid'];

/** sysctl(KEY[, VALUE]): a read (the value) or a write (0), for the caller's active PID namespace. */
export const sysctl: CallSpec = {
  name: 'sysctl',
  params: [
    { name: 'key', kind: { kind: 'word', words: SYSCTL_KEYS, what: 'kernel.pid_max or kernel.ns_last_pid' } },
    { name: 'value', kind: { kind: 'int', what: 'a value' }, optional: true },
  ],
  result: 'outValue',
  model: (ctx, a) => {
    const key = a.word(0) as SysctlKey;
    return a.has(1) ? value(sysSysctlWrite(ctx.kernel, ctx.me, key, a.num(1))) : value(sysSysctlRead(ctx.kernel, ctx.me, key));
  },
  // The runner opens /proc/sys/kernel/NAME; a write answers 0, a read its value through the reply's second field.
  wire: (a) => ({ op: 'sy', args: [a.word(0)!.slice('kernel.'.length), a.has(1) ? 1 : 0, a.num(1, 0)] }),
  fuzz: [
    {
      weight: 2,
      generate: (c) => ({ line: c.chance(0.6) ? `${c.actor.name}: sysctl(kernel.ns_last_pid)` : `${c.actor.name}: sysctl(kernel.ns_last_pid, ${c.int(1, 20)})` }),
    },
    {
      // Only below ns0: ns0's pid_max is the kernel runner's to set.
      weight: 1,
      generate: async (c) => ((await c.inNs0()) ? null : { line: `${c.actor.name}: sysctl(kernel.pid_max, ${c.int(400, 420)})` }),
    },
  ],
};

export const setuid: CallSpec = {
  name: 'setuid',
  params: [{ name: 'uid', kind: { kind: 'int', what: 'a uid' } }],
  result: 'value',
  model: (ctx, a) => {
    const r = sysSetuid(ctx.kernel, ctx.me, a.num(0));
    if (r.ok) runnerRestoresPdeath(ctx);
    return value(r);
  },
  wire: (a) => ({ op: 'su', args: [a.num(0)] }),
  fuzz: [{ weight: 1, generate: (c) => ({ line: `${c.actor.name}: setuid(${c.pick(['1000', '1000', '0', '2000'])!})` }) }],
};

/** pidfd_open(PID, FLAGS) -> NAME: the fd prints as `fd` (numbers differ between backends). */
export const pidfd_open: CallSpec = {
  name: 'pidfd_open',
  params: [
    { name: 'pid', kind: { kind: 'pid' } },
    { name: 'flags', kind: { kind: 'flags', family: 'pidfd' } },
  ],
  creates: 'fd',
  result: 'fd',
  model: (ctx, a) => fdResult(sysPidfdOpen(ctx.kernel, ctx.me, a.num(0), a.num(1))),
  wire: (a) => ({ op: 'po', args: [a.num(0), a.num(1)] }),
  fuzz: [
    {
      weight: 3,
      generate: async (c) => {
        const target = c.pick(await c.visible());
        if (target === undefined) return null;
        const name = c.newFdName();
        return { line: `${c.actor.name}: pidfd_open($${target.name}, ${target.thread && c.chance(0.7) ? 'PIDFD_THREAD' : '0'}) -> ${name}`, opensFd: name };
      },
    },
  ],
};

export const close: CallSpec = {
  name: 'close',
  params: [{ name: 'fd', kind: { kind: 'fd' } }],
  result: 'value',
  traits: (a) => ({ closes: a.num(0) }),
  model: (ctx, a) => value(sysClose(ctx.kernel, ctx.me, a.num(0))),
  wire: (a) => ({ op: 'cl', args: [a.num(0)] }),
  fuzz: [
    {
      weight: 1,
      generate: (c) => {
        const fd = c.pick(c.actor.fds);
        return fd === undefined ? null : { line: `${c.actor.name}: close(${fd})`, closesFd: fd };
      },
    },
  ],
};
