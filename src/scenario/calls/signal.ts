// kill, tgkill, pidfd_send_signal, signal (a disposition), rt_sigprocmask,
// rt_sigqueueinfo, rt_tgsigqueueinfo and reboot.

import { SA_SIGINFO, Signal } from '../../abi/signal.js';
import { sysKill, sysPause, sysPidfdSendSignal, sysRead, sysReboot, sysRtSigaction, sysRtSigprocmask, sysRtSigsuspend, sysRtSigtimedwait, sysSignalfd, sysRtSigqueueinfo, sysRtTgsigqueueinfo, sysSignal, sysTgkill } from '../../syscalls/signal.js';
import type { SignalDisposition } from '../../kernel/signal_types.js';
import { fdResult, sigWaitResult, ttyResult, value } from './results.js';
import { sysTtyRead } from '../../syscalls/tty.js';
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

/** pidfd_send_signal(FD, SIG[, FLAGS]): FLAGS one of PIDFD_SIGNAL_THREAD, _THREAD_GROUP, _PROCESS_GROUP (no siginfo). */
export const pidfd_send_signal: CallSpec = {
  name: 'pidfd_send_signal',
  params: [
    { name: 'fd', kind: { kind: 'fd' } },
    { name: 'sig', kind: SIG },
    { name: 'flags', kind: { kind: 'flags', family: 'pidfd' }, optional: true },
  ],
  result: 'value',
  traits: (a) => ({ sends: a.num(1) }),
  model: (ctx, a) => value(sysPidfdSendSignal(ctx.kernel, ctx.me, a.num(0), a.num(1), a.num(2, 0))),
  wire: (a) => ({ op: 'ps', args: [a.num(0), a.num(1), a.num(2, 0)] }),
  fuzz: [
    {
      weight: 1,
      generate: (c) => {
        const fd = c.pick(c.actor.fds);
        if (fd === undefined) return null;
        const flags = c.pick(['', '', '', ', PIDFD_SIGNAL_THREAD', ', PIDFD_SIGNAL_THREAD_GROUP', ', PIDFD_SIGNAL_PROCESS_GROUP'])!;
        return { line: `${c.actor.name}: pidfd_send_signal(${fd}, ${c.pick(['SIGKILL', 'SIGTERM', 'SIGSTOP', 'SIGCONT', '0'])!}${flags})` };
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

/** A signal set from the language (signals combined with |, as mask bits) to a sigset_t, and back out as two 32-bit halves for the wire. */
const sigset = (n: number): bigint => BigInt(n);
const halves = (n: number): [string, string] => {
  const s = sigset(n);
  return [String(s & 0xffffffffn), String(s >> 32n)];
};

/**
 * A set written with SIGKILL or SIGSTOP by name reads as if they could be
 * blocked or awaited; the kernel silently leaves them out of every mask, so
 * the language refuses the name (a number still reaches the kernel as is).
 */
function noUnblockable(...indexes: number[]): NonNullable<CallSpec['check']> {
  return (args, ctx) => {
    for (const i of indexes) {
      const a = args[i];
      if (a?.kind !== 'flags') continue;
      for (const t of a.terms) {
        if (t.kind === 'const' && (t.name === 'SIGKILL' || t.name === 'SIGSTOP')) {
          ctx.fail(t.pos, `${t.name} cannot be in a signal set: the kernel leaves it out of every mask (write its bit as a number to show that)`);
        }
      }
    }
    return Promise.resolve();
  };
}

/** rt_sigprocmask(HOW, SET): the new mask; the result is 0 (the old mask is not shown). */
export const rt_sigprocmask: CallSpec = {
  name: 'rt_sigprocmask',
  params: [
    { name: 'how', kind: { kind: 'const', family: 'sighow' } },
    { name: 'set', kind: { kind: 'flags', family: 'sigset' } },
  ],
  result: 'value',
  model: (ctx, a) => {
    const r = sysRtSigprocmask(ctx.kernel, ctx.me, a.num(0), sigset(a.num(1)));
    return r.ok ? { kind: 'value', value: 0 } : { kind: 'errno', errno: r.code };
  },
  wire: (a) => ({ op: 'pm', args: [a.num(0), ...halves(a.num(1))] }),
  check: noUnblockable(1),
  fuzz: [
    {
      weight: 2,
      generate: (c) => ({
        line: `${c.actor.name}: rt_sigprocmask(${c.pick(['SIG_BLOCK', 'SIG_BLOCK', 'SIG_UNBLOCK', 'SIG_SETMASK'])!}, ${c.pick(['SIGCHLD', 'SIGTERM', 'SIGUSR1|SIGCHLD', 'SIGRTMIN', '0'])!})`,
      }),
    },
  ],
};

const SI_CODE: ArgKind = { kind: 'const', family: 'sicode' };

/** rt_sigqueueinfo(PID, SIG, CODE, VALUE[, SI_PID]): a siginfo written by the caller; si_pid is sent as written (default 0). */
export const rt_sigqueueinfo: CallSpec = {
  name: 'rt_sigqueueinfo',
  params: [
    { name: 'pid', kind: { kind: 'pid' } },
    { name: 'sig', kind: SIG },
    { name: 'code', kind: SI_CODE },
    { name: 'value', kind: { kind: 'int', what: 'si_value' } },
    { name: 'si_pid', kind: { kind: 'int', what: 'si_pid' }, optional: true },
  ],
  result: 'value',
  traits: (a) => ({ sends: a.num(1) }),
  model: (ctx, a) => value(sysRtSigqueueinfo(ctx.kernel, ctx.me, a.num(0), a.num(1), { code: a.num(2), value: a.num(3), pid: a.num(4, 0) })),
  wire: (a) => ({ op: 'sq', args: [a.num(0), a.num(1), a.num(2), a.num(3), a.num(4, 0)] }),
  fuzz: [
    {
      weight: 1,
      generate: async (c) => {
        const target = c.pick(await c.visible());
        if (target === undefined) return null;
        return { line: `${c.actor.name}: rt_sigqueueinfo($${target.name}, ${c.pick(['SIGRTMIN', 'SIGRTMAX', 'SIGTERM', 'SIGCHLD'])!}, ${c.pick(['SI_QUEUE', 'SI_QUEUE', 'SI_USER'])!}, ${c.int(0, 9)})` };
      },
    },
  ],
};

/** rt_tgsigqueueinfo(TGID, TID, SIG, CODE, VALUE[, SI_PID]). */
export const rt_tgsigqueueinfo: CallSpec = {
  name: 'rt_tgsigqueueinfo',
  params: [
    { name: 'tgid', kind: { kind: 'pid' } },
    { name: 'tid', kind: { kind: 'pid' } },
    { name: 'sig', kind: SIG },
    { name: 'code', kind: SI_CODE },
    { name: 'value', kind: { kind: 'int', what: 'si_value' } },
    { name: 'si_pid', kind: { kind: 'int', what: 'si_pid' }, optional: true },
  ],
  result: 'value',
  traits: (a) => ({ sends: a.num(2) }),
  model: (ctx, a) => value(sysRtTgsigqueueinfo(ctx.kernel, ctx.me, a.num(0), a.num(1), a.num(2), { code: a.num(3), value: a.num(4), pid: a.num(5, 0) })),
  wire: (a) => ({ op: 'tq', args: [a.num(0), a.num(1), a.num(2), a.num(3), a.num(4), a.num(5, 0)] }),
  fuzz: [
    {
      weight: 1,
      generate: async (c) => {
        const target = c.pick(await c.visible());
        if (target === undefined) return null;
        const leader = c.living().find((x) => x.name === target.leader) ?? target;
        if (!(await c.sees(leader))) return null;
        return { line: `${c.actor.name}: rt_tgsigqueueinfo($${leader.name}, $${target.name}, ${c.pick(['SIGRTMIN', 'SIGRTMAX', 'SIGTERM'])!}, ${c.pick(['SI_QUEUE', 'SI_TKILL'])!}, ${c.int(0, 9)})` };
      },
    },
  ],
};

/**
 * reboot(CMD) with the magic numbers: in a child PID namespace a restart or
 * power-off kills its init and the caller exits. Like a kill that ends its
 * caller, the call reads `= 0` (the kernel backend sees the caller die before
 * any reply). The runner refuses it outright in the namespace it started in.
 */
export const reboot: CallSpec = {
  name: 'reboot',
  params: [{ name: 'cmd', kind: { kind: 'const', family: 'reboot' } }],
  result: 'value',
  traits: () => ({ sends: Signal.SIGKILL }),
  model: (ctx, a) => {
    const r = sysReboot(ctx.kernel, ctx.me, 0xfee1dead, 672274793, a.num(0));
    return r.ok ? { kind: 'value', value: 0 } : { kind: 'errno', errno: r.code };
  },
  wire: (a) => ({ op: 'rb', args: [a.num(0)] }),
  fuzz: [
    // Rare, and only below ns0: it ends a whole namespace, and ending ns0 ends the scenario in a
    // teardown whose order (handlers run or not before the SIGKILL) the scheduler decides.
    {
      weight: 0.3,
      generate: async (c) =>
        (await c.inNs0()) ? null : { line: `${c.actor.name}: reboot(${c.pick(['LINUX_REBOOT_CMD_RESTART', 'LINUX_REBOOT_CMD_POWER_OFF', 'LINUX_REBOOT_CMD_CAD_OFF'])!})` },
    },
  ],
};

/**
 * rt_sigaction(SIG, HANDLER, FLAGS, MASK): HANDLER SIG_DFL, SIG_IGN or
 * `catch` (the recording handler; the runner adds SA_SIGINFO for it, which it
 * needs to read its siginfo and which changes nothing else); FLAGS SA_*; MASK
 * a signal set. The result is 0 (the old action is not shown).
 */
export const rt_sigaction: CallSpec = {
  name: 'rt_sigaction',
  params: [
    { name: 'sig', kind: SIG },
    { name: 'handler', kind: { kind: 'word', words: DISPOSITIONS, what: 'SIG_DFL, SIG_IGN or catch' } },
    { name: 'flags', kind: { kind: 'flags', family: 'sa' } },
    { name: 'mask', kind: { kind: 'flags', family: 'sigset' } },
  ],
  result: 'value',
  model: (ctx, a) => {
    const r = sysRtSigaction(ctx.kernel, ctx.me, a.num(0), { handler: a.word(1) as SignalDisposition, flags: a.num(2), mask: sigset(a.num(3)) });
    return r.ok ? { kind: 'value', value: 0 } : { kind: 'errno', errno: r.code };
  },
  wire: (a) => ({ op: 'sa', args: [a.num(0), DISPOSITIONS.indexOf(a.word(1) as SignalDisposition), a.word(1) === 'catch' ? a.num(2) | SA_SIGINFO : a.num(2), ...halves(a.num(3))] }),
  check: noUnblockable(3),
  fuzz: [
    {
      weight: 2,
      generate: (c) => ({
        line: `${c.actor.name}: rt_sigaction(${c.pick(['SIGCHLD', 'SIGCHLD', 'SIGTERM', 'SIGUSR1'])!}, ${c.pick(['catch', 'catch', 'SIG_IGN', 'SIG_DFL'])!}, ${c.pick(['SA_SIGINFO', 'SA_SIGINFO|SA_RESTART', 'SA_SIGINFO|SA_NOCLDSTOP', 'SA_SIGINFO|SA_NOCLDWAIT', 'SA_SIGINFO|SA_RESETHAND', 'SA_SIGINFO|SA_NODEFER', '0'])!}, ${c.pick(['0', '0', 'SIGTERM', 'SIGCHLD'])!})`,
      }),
    },
  ],
};

// x86_64 system call numbers the signal waits sleep in (/proc/TID/syscall).
const NR_READ = 0;
const NR_PAUSE = 34;
const NR_RT_SIGTIMEDWAIT = 128;
const NR_RT_SIGSUSPEND = 130;

/** rt_sigsuspend(MASK): -1 EINTR once a handler has run (blocks until then). */
export const rt_sigsuspend: CallSpec = {
  name: 'rt_sigsuspend',
  params: [{ name: 'mask', kind: { kind: 'flags', family: 'sigset' } }],
  result: 'value',
  mayBlock: true,
  blocksIn: [NR_RT_SIGSUSPEND],
  model: (ctx, a) => sigWaitResult('rt_sigsuspend', sysRtSigsuspend(ctx.kernel, ctx.me, sigset(a.num(0)))),
  wire: (a) => ({ op: 'ss', args: halves(a.num(0)) }),
  check: noUnblockable(0),
};

/** pause(): -1 EINTR once a handler has run. */
export const pause: CallSpec = {
  name: 'pause',
  params: [],
  result: 'value',
  mayBlock: true,
  blocksIn: [NR_PAUSE],
  model: (ctx) => sigWaitResult('pause', sysPause(ctx.kernel, ctx.me)),
  wire: () => ({ op: 'pa', args: [] }),
};

/** rt_sigtimedwait(SET[, 0]): the number of the signal it takes; with timeout 0 a poll (EAGAIN), without one it blocks. */
export const rt_sigtimedwait: CallSpec = {
  name: 'rt_sigtimedwait',
  params: [
    { name: 'set', kind: { kind: 'flags', family: 'sigset' } },
    { name: 'timeout', kind: { kind: 'int', what: 'a timeout of 0 (a poll), or none' }, optional: true },
  ],
  result: 'value',
  mayBlock: true,
  blocksIn: [NR_RT_SIGTIMEDWAIT],
  model: (ctx, a) => sigWaitResult('rt_sigtimedwait', sysRtSigtimedwait(ctx.kernel, ctx.me, sigset(a.num(0)), a.has(1) ? 0 : null)),
  wire: (a) => ({ op: 'tw', args: [...halves(a.num(0)), a.has(1) ? 0 : -1] }),
  check: async (args, ctx) => {
    await noUnblockable(0)(args, ctx);
    const t = args[1];
    if (t !== undefined && t.kind === 'int' && t.value !== 0) ctx.fail(t.pos, 'the model has no clock: a timeout is 0 (a poll) or left out (wait)');
  },
};

/** signalfd(FD, MASK, FLAGS) -> NAME: FD -1 makes a new one; an existing signalfd gets the new mask. */
export const signalfd: CallSpec = {
  name: 'signalfd',
  params: [
    { name: 'fd', kind: { kind: 'fd' } },
    { name: 'mask', kind: { kind: 'flags', family: 'sigset' } },
    { name: 'flags', kind: { kind: 'flags', family: 'sfd' } },
  ],
  creates: 'fd',
  result: 'fd',
  model: (ctx, a) => fdResult(sysSignalfd(ctx.kernel, ctx.me, a.num(0), sigset(a.num(1)), a.num(2))),
  wire: (a) => ({ op: 'sf', args: [a.num(0), ...halves(a.num(1)), a.num(2)] }),
  check: noUnblockable(1),
};

/** read(FD): one struct signalfd_siginfo from a signalfd (= 128), or the errno; blocks without SFD_NONBLOCK. */
export const read: CallSpec = {
  name: 'read',
  params: [{ name: 'fd', kind: { kind: 'fd' } }],
  result: 'value',
  mayBlock: true,
  blocksIn: [NR_READ],
  model: (ctx, a) => {
    // A pty's read is the terminal's (calls/tty.ts).
    const tty = sysTtyRead(ctx.kernel, ctx.me, a.num(0));
    return tty === null ? sigWaitResult('read', sysRead(ctx.kernel, ctx.me, a.num(0))) : ttyResult(tty);
  },
  // A background read of the caller's terminal stops it with SIGTTIN.
  traits: () => ({ stopSignal: Signal.SIGTTIN }),
  wire: (a) => ({ op: 'rd', args: [a.num(0)] }),
};
