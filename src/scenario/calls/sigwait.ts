// The calls that sleep for a signal or read one back: rt_sigsuspend, pause,
// rt_sigtimedwait, signalfd and its read, and rt_sigpending. `info` asks
// rt_sigtimedwait and read for the siginfo they write back (language.md,
// "Values the kernel writes back").

import { sysPause, sysRead, sysRtSigpending, sysRtSigsuspend, sysRtSigtimedwait, sysSignalfd } from '../../syscalls/signal.js';
import { fdResult, sigWaitResult, ttyResult } from './results.js';
import { sysTtyRead } from '../../syscalls/tty.js';
import { Signal } from '../../abi/signal.js';
import { halves, noUnblockable, sigset } from './sigsets.js';
import type { Args, CallSpec, FuzzContext, ParamSpec } from './spec.js';

// x86_64 system call numbers the signal waits sleep in (/proc/TID/syscall).
const NR_READ = 0;
const NR_PAUSE = 34;
const NR_RT_SIGTIMEDWAIT = 128;
const NR_RT_SIGSUSPEND = 130;

/** The sets the fuzzer waits for: what its kills, queues and SIGCHLDs send. */
const WAIT_SETS = ['SIGCHLD', 'SIGUSR1', 'SIGTERM|SIGCHLD', 'SIGRTMIN', 'SIGUSR1|SIGRTMIN'];

/**
 * The sleeping calls need someone to wake them: only when another actor is
 * runnable, and never in a thread whose group already has a blocked waiter
 * (two sleepers of one group race for the same group-directed signal).
 */
function maySleep(c: FuzzContext): boolean {
  return c.alive > 1 && !c.groupBlocked();
}

/** rt_sigsuspend(MASK): -1 EINTR once a handler has run (blocks until then). */
export const rt_sigsuspend: CallSpec = {
  name: 'rt_sigsuspend',
  params: [{ name: 'mask', kind: { kind: 'flags', family: 'sigset' } }],
  result: 'value',
  mayBlock: true,
  blocksIn: [NR_RT_SIGSUSPEND],
  model: (ctx, a) => sigWaitResult('rt_sigsuspend', sysRtSigsuspend(ctx.kernel, ctx.me, sigset(a, 0))),
  wire: (a) => ({ op: 'ss', args: halves(a, 0) }),
  check: noUnblockable(0),
  fuzz: [{ weight: 0.5, generate: (c) => (maySleep(c) ? { line: `${c.actor.name}: rt_sigsuspend(${c.pick(['0', '0', 'SIGTERM', 'SIGCHLD'])!})` } : null) }],
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
  fuzz: [{ weight: 0.3, generate: (c) => (maySleep(c) ? { line: `${c.actor.name}: pause()` } : null) }],
};

/**
 * rt_sigtimedwait's second argument: a timeout of 0 in the short form
 * `rt_sigtimedwait(SET, 0)`, else the info buffer as strace places it
 * (`info` or NULL), followed by an optional timeout (0 or NULL).
 */
const SIGTIMEDWAIT_PARAMS: readonly ParamSpec[] = [
  { name: 'set', kind: { kind: 'flags', family: 'sigset' } },
  {
    name: 'info',
    kind: (_earlier, written) => (written === 'number' ? { kind: 'int', what: 'a timeout of 0 (a poll), info or NULL' } : { kind: 'word', words: ['info', 'NULL'], what: 'info, NULL or a timeout of 0' }),
    optional: true,
  },
  {
    name: 'timeout',
    kind: (_earlier, written) => (written === 'number' ? { kind: 'int', what: 'a timeout of 0 (a poll), or NULL' } : { kind: 'word', words: ['NULL'], what: 'a timeout of 0 (a poll), or NULL' }),
    optional: true,
  },
];

/** Whether the step wrote `info` (rt_sigtimedwait's and read's second argument). */
const wantsInfo = (a: Args): boolean => a.values[1] === 'info';

/** Whether rt_sigtimedwait polls: a 0 written as its second argument, or as its third. */
const polls = (a: Args): boolean => typeof a.values[1] === 'number' || typeof a.values[2] === 'number';

/** rt_sigtimedwait(SET[, 0]) / rt_sigtimedwait(SET, info|NULL[, 0|NULL]): the number of the signal it takes (and with `info` its siginfo); with timeout 0 a poll (EAGAIN), without one it blocks. */
export const rt_sigtimedwait: CallSpec = {
  name: 'rt_sigtimedwait',
  params: SIGTIMEDWAIT_PARAMS,
  result: 'value',
  resultFor: (a) => (wantsInfo(a) ? 'siginfo' : 'value'),
  mayBlock: true,
  blocksIn: [NR_RT_SIGTIMEDWAIT],
  model: (ctx, a) => sigWaitResult('rt_sigtimedwait', sysRtSigtimedwait(ctx.kernel, ctx.me, sigset(a, 0), polls(a) ? 0 : null), wantsInfo(a)),
  wire: (a) => ({ op: 'tw', args: [...halves(a, 0), polls(a) ? 0 : -1] }),
  check: async (args, ctx) => {
    await noUnblockable(0)(args, ctx);
    for (const t of [args[1], args[2]]) {
      if (t !== undefined && t.kind === 'int' && t.value !== 0) ctx.fail(t.pos, 'the model has no clock: a timeout is 0 (a poll), NULL or left out (wait)');
    }
    const second = args[1];
    if (second?.kind === 'int' && args[2] !== undefined) ctx.fail(args[2].pos, 'after a timeout nothing follows: rt_sigtimedwait(SET, 0) or rt_sigtimedwait(SET, info|NULL, 0|NULL)');
  },
  fuzz: [
    {
      weight: 1,
      generate: (c) => {
        const set = c.pick(WAIT_SETS)!;
        const info = c.chance(0.5) ? 'info' : 'NULL';
        // Blocking only when someone else can send; a poll always fits.
        if (c.chance(0.5) && maySleep(c)) return { line: `${c.actor.name}: rt_sigtimedwait(${set}, ${info})` };
        return { line: c.chance(0.5) ? `${c.actor.name}: rt_sigtimedwait(${set}, 0)` : `${c.actor.name}: rt_sigtimedwait(${set}, ${info}, 0)` };
      },
    },
  ],
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
  model: (ctx, a) => fdResult(sysSignalfd(ctx.kernel, ctx.me, a.num(0), sigset(a, 1), a.num(2))),
  wire: (a) => ({ op: 'sf', args: [a.num(0), ...halves(a, 1), a.num(2)] }),
  check: noUnblockable(1),
  fuzz: [
    {
      weight: 0.5,
      generate: (c) => {
        const fd = c.newFdName();
        return { line: `${c.actor.name}: signalfd(-1, ${c.pick(WAIT_SETS)!}, ${c.pick(['SFD_NONBLOCK', 'SFD_NONBLOCK', '0', 'SFD_NONBLOCK|SFD_CLOEXEC'])!}) -> ${fd}`, opensFd: fd };
      },
    },
  ],
};

/** read(FD[, info]): one struct signalfd_siginfo from a signalfd (= 128, with `info` its fields), or the errno; blocks without SFD_NONBLOCK. */
export const read: CallSpec = {
  name: 'read',
  params: [
    { name: 'fd', kind: { kind: 'fd' } },
    { name: 'info', kind: { kind: 'word', words: ['info'], what: 'info (show the siginfo read)' }, optional: true },
  ],
  result: 'value',
  resultFor: (a) => (wantsInfo(a) ? 'siginfo' : 'value'),
  mayBlock: true,
  blocksIn: [NR_READ],
  model: (ctx, a) => {
    // A pty's read is the terminal's (calls/tty.ts).
    const tty = sysTtyRead(ctx.kernel, ctx.me, a.num(0));
    return tty === null ? sigWaitResult('read', sysRead(ctx.kernel, ctx.me, a.num(0)), wantsInfo(a)) : ttyResult(tty);
  },
  // A background read of the caller's terminal stops it with SIGTTIN.
  traits: () => ({ stopSignal: Signal.SIGTTIN }),
  wire: (a) => ({ op: 'rd', args: [a.num(0)] }),
  fuzz: [
    {
      weight: 0.7,
      generate: (c) => {
        const fd = c.pick(c.actor.fds);
        // A read of a blocking signalfd (or of a pidfd: EINVAL) may sleep: only when someone can wake it.
        // Not a pty master's: what a slave wrote is not in the language (the model's ENOSYS, where the
        // kernel blocks: fuzz seeds 720063, 720268, 720429, 720834). Drawn from every fd, then refused,
        // so that the random draws, and the scenarios of other seeds, stay as they were.
        if (fd === undefined || c.actor.masters.includes(fd) || !maySleep(c)) return null;
        return { line: `${c.actor.name}: read(${fd}${c.chance(0.7) ? ', info' : ''})` };
      },
    },
  ],
};

/** rt_sigpending(): 0 and the set of pending signals the thread blocks (do_sigpending). */
export const rt_sigpending: CallSpec = {
  name: 'rt_sigpending',
  params: [],
  result: 'sigset',
  model: (ctx) => {
    const r = sysRtSigpending(ctx.kernel, ctx.me);
    return r.ok ? { kind: 'value', value: 0, out: { kind: 'sigset', set: r.value } } : { kind: 'errno', errno: r.code };
  },
  wire: () => ({ op: 'pn', args: [] }),
  fuzz: [{ weight: 0.7, generate: (c) => ({ line: `${c.actor.name}: rt_sigpending()` }) }],
};
