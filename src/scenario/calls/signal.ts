// kill, tgkill, pidfd_send_signal, signal (a disposition), rt_sigprocmask,
// rt_sigqueueinfo, rt_tgsigqueueinfo and reboot.

import { SA_SIGINFO, Signal } from '../../abi/signal.js';
import { sysKill, sysPidfdSendSignal, sysReboot, sysRtSigaction, sysRtSigprocmask, sysRtSigqueueinfo, sysRtTgsigqueueinfo, sysSignal, sysTgkill } from '../../syscalls/signal.js';
import type { SignalDisposition } from '../../kernel/signal_types.js';
import { value } from './results.js';
import { halves, noUnblockable, sigset } from './sigsets.js';
import { Args as ArgList, type ArgKind, type Args, type CallSpec } from './spec.js';
import type { ParsedArg } from '../ast.js';

const SIG: ArgKind = { kind: 'const', family: 'signal' };
const PIDFD_FLAGS: ArgKind = { kind: 'flags', family: 'pidfd' };
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
        const group = c.chance(0.1);
        // A fatal or stopping signal to a whole process group leaves to the scheduler which member dies
        // or stops first, so whose children reach a reaper first and whether a parent's handler runs
        // between their SIGCHLDs (DIFFERENCES.md, "Races"; fuzz seeds 71 and 1037: the sender is not
        // always first either), so a group gets only signals that neither kill nor stop.
        const sigs = group ? ['SIGCONT', '0'] : ['SIGKILL', 'SIGKILL', 'SIGTERM', 'SIGSTOP', 'SIGCONT', 'SIGCONT', '0'];
        return { line: `${c.actor.name}: kill(${group ? '-' : ''}$${target.name}, ${c.pick(sigs)!})` };
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

/**
 * pidfd_send_signal(FD, SIG[, INFO][, FLAGS]): INFO a siginfo
 * (`{si_code=SI_QUEUE, si_value=7}`) or NULL, in strace's place; FLAGS one of
 * PIDFD_SIGNAL_THREAD, _THREAD_GROUP, _PROCESS_GROUP. `pidfd_send_signal(FD,
 * SIG, FLAGS)` (no INFO) is the short form: a third argument written as a
 * siginfo or NULL is INFO, anything else FLAGS.
 */
const infoWritten = (a: Args): boolean => {
  const v = a.values[2];
  return v === 'NULL' || (typeof v === 'object' && !Array.isArray(v) && 'kind' in v && v.kind === 'siginfo');
};
const pidfdFlags = (a: Args): number => (infoWritten(a) ? a.num(3, 0) : a.num(2, 0));

export const pidfd_send_signal: CallSpec = {
  name: 'pidfd_send_signal',
  params: [
    { name: 'fd', kind: { kind: 'fd' } },
    { name: 'sig', kind: SIG },
    { name: 'info', kind: (_e, written) => (written === 'braces' || written === 'null' ? { kind: 'siginfo' } : PIDFD_FLAGS), optional: true },
    { name: 'flags', kind: PIDFD_FLAGS, optional: true },
  ],
  result: 'value',
  traits: (a) => ({ sends: a.num(1) }),
  model: (ctx, a) => {
    const info = infoWritten(a) ? a.siginfo(2) : null;
    // copy_siginfo_from_user_any(), then "if (unlikely(sig != kinfo.si_signo)) return -EINVAL".
    const user = info === null ? null : { code: info.code, pid: info.pid, value: info.value, signo: info.signo ?? a.num(1) };
    return value(sysPidfdSendSignal(ctx.kernel, ctx.me, a.num(0), a.num(1), pidfdFlags(a), user));
  },
  wire: (a) => {
    const info = infoWritten(a) ? a.siginfo(2) : null;
    const sinfo = info === null ? [0, 0, 0, 0, 0] : [1, info.signo ?? a.num(1), info.code, info.pid, info.value];
    return { op: 'ps', args: [a.num(0), a.num(1), pidfdFlags(a), ...sinfo] };
  },
  check: (args, ctx) => {
    const third = args[2];
    if (third !== undefined && third.kind === 'flags' && args[3] !== undefined) ctx.fail(args[3].pos, 'FLAGS come once: pidfd_send_signal(FD, SIG, FLAGS) or pidfd_send_signal(FD, SIG, INFO, FLAGS)');
    return Promise.resolve();
  },
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
    {
      weight: 0.7,
      generate: (c) => {
        const fd = c.pick(c.actor.fds);
        if (fd === undefined) return null;
        const sig = c.pick(['SIGUSR1', 'SIGRTMIN', 'SIGTERM', 'SIGCHLD'])!;
        const signo = c.chance(0.1) ? `si_signo=${c.pick(['SIGUSR2', 'SIGRTMAX'])!}, ` : '';
        const info = c.chance(0.15) ? 'NULL' : `{${signo}si_code=${c.pick(['SI_QUEUE', 'SI_QUEUE', 'SI_USER', 'SI_TKILL'])!}, si_value=${c.int(0, 9)}${c.chance(0.3) ? `, si_pid=${c.int(0, 5)}` : ''}}`;
        const flags = c.pick(['', ', 0', ', PIDFD_SIGNAL_THREAD', ', PIDFD_SIGNAL_THREAD_GROUP', ', PIDFD_SIGNAL_PROCESS_GROUP'])!;
        return { line: `${c.actor.name}: pidfd_send_signal(${fd}, ${sig}, ${info}${flags})` };
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

/**
 * rt_sigprocmask(HOW, SET|NULL[, oldset]): SET NULL changes nothing (and HOW
 * is then not checked, "if (nset)"); `oldset` asks for the old mask,
 * printed `= 0 [SIGS]`.
 */
export const rt_sigprocmask: CallSpec = {
  name: 'rt_sigprocmask',
  params: [
    { name: 'how', kind: { kind: 'const', family: 'sighow' } },
    { name: 'set', kind: { kind: 'flags', family: 'sigset', nullable: true } },
    { name: 'oldset', kind: { kind: 'word', words: ['oldset', 'NULL'], what: 'oldset (show the old mask) or NULL' }, optional: true },
  ],
  result: 'value',
  resultFor: (a) => (a.word(2) === 'oldset' ? 'sigset' : 'value'),
  // An unblock delivers what was pending on the way out: the caller may stop or die before it returns.
  traits: () => ({ mayEndCaller: true }),
  model: (ctx, a) => {
    const r = sysRtSigprocmask(ctx.kernel, ctx.me, a.num(0), a.isNull(1) ? null : sigset(a, 1));
    if (!r.ok) return { kind: 'errno', errno: r.code };
    // A caller that a delivered signal stopped or ended never reads its buffer: `= 0`, as a kill of oneself prints.
    const returned = ctx.me.exitState === 'alive' && !ctx.me.stopped;
    return a.word(2) === 'oldset' && returned ? { kind: 'value', value: 0, out: { kind: 'sigset', set: r.value } } : { kind: 'value', value: 0 };
  },
  wire: (a) => ({ op: 'pm', args: [a.num(0), ...(a.isNull(1) ? ['0', '0'] : halves(a, 1)), a.isNull(1) ? 0 : 1] }),
  check: noUnblockable(1),
  fuzz: [
    {
      weight: 2,
      generate: (c) => ({
        line: `${c.actor.name}: rt_sigprocmask(${c.pick(['SIG_BLOCK', 'SIG_BLOCK', 'SIG_UNBLOCK', 'SIG_SETMASK'])!}, ${c.pick(['SIGCHLD', 'SIGTERM', 'SIGUSR1|SIGCHLD', 'SIGRTMIN', '0'])!}${c.chance(0.4) ? ', oldset' : ''})`,
      }),
    },
    { weight: 0.5, generate: (c) => ({ line: `${c.actor.name}: rt_sigprocmask(SIG_SETMASK, NULL, oldset)` }) },
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
 * rt_sigaction(SIG, HANDLER, FLAGS, MASK[, oldact]) or rt_sigaction(SIG,
 * NULL[, oldact]): HANDLER SIG_DFL, SIG_IGN or `catch` (the recording
 * handler; it implies SA_SIGINFO, which it needs to read its siginfo and
 * which changes nothing else); FLAGS SA_*; MASK a signal set; NULL reads
 * without changing. `oldact` asks for the old action, printed
 * `= 0 {sa_handler=..., sa_mask=[...], sa_flags=...}`.
 */
const HANDLERS = [...DISPOSITIONS, 'NULL'] as const;
const OLDACT = { kind: 'word', words: ['oldact', 'NULL'], what: 'oldact (show the old action) or NULL' } as const;
const readsOnly = (earlier: readonly (ParsedArg | undefined)[]): boolean => earlier[1]?.kind === 'word' && earlier[1].text === 'NULL';
/** Where `oldact` is: after NULL, or after MASK. */
const oldactAt = (a: Args): number => (a.word(1) === 'NULL' ? 2 : 4);

export const rt_sigaction: CallSpec = {
  name: 'rt_sigaction',
  params: [
    { name: 'sig', kind: SIG },
    { name: 'handler', kind: { kind: 'word', words: HANDLERS, what: 'SIG_DFL, SIG_IGN, catch or NULL' } },
    { name: 'flags', kind: (earlier) => (readsOnly(earlier) ? OLDACT : { kind: 'flags', family: 'sa' }), optional: true },
    { name: 'mask', kind: { kind: 'flags', family: 'sigset' }, optional: true },
    { name: 'oldact', kind: OLDACT, optional: true },
  ],
  result: 'value',
  resultFor: (a) => (a.word(oldactAt(a)) === 'oldact' ? 'sigaction' : 'value'),
  normalize: (a) => (a.word(1) === 'catch' ? new ArgList(a.values.map((v, i) => (i === 2 && typeof v === 'number' ? (v | SA_SIGINFO) >>> 0 : v))) : a),
  model: (ctx, a) => {
    const act = a.word(1) === 'NULL' ? null : { handler: a.word(1) as SignalDisposition, flags: a.num(2), mask: sigset(a, 3) };
    const r = sysRtSigaction(ctx.kernel, ctx.me, a.num(0), act);
    if (!r.ok) return { kind: 'errno', errno: r.code };
    if (a.word(oldactAt(a)) !== 'oldact') return { kind: 'value', value: 0 };
    return { kind: 'value', value: 0, out: { kind: 'sigaction', handler: r.value.handler, flags: r.value.flags, mask: r.value.mask } };
  },
  wire: (a) =>
    a.word(1) === 'NULL'
      ? { op: 'sa', args: [a.num(0), 3, 0, '0', '0'] }
      : { op: 'sa', args: [a.num(0), DISPOSITIONS.indexOf(a.word(1) as SignalDisposition), a.word(1) === 'catch' ? a.num(2) | SA_SIGINFO : a.num(2), ...halves(a, 3)] },
  check: async (args, ctx) => {
    await noUnblockable(3)(args, ctx);
    const handler = args[1];
    if (handler === undefined) return;
    if (readsOnly(args)) {
      if (args[3] !== undefined) ctx.fail(args[3].pos, 'after NULL only oldact may follow: rt_sigaction(SIG, NULL[, oldact])');
    } else if (args[2] === undefined || args[3] === undefined) {
      ctx.fail(handler.pos, `${handler.kind === 'word' ? handler.text : 'a handler'} needs FLAGS and MASK: rt_sigaction(SIG, HANDLER, FLAGS, MASK[, oldact])`);
    }
  },
  fuzz: [
    {
      weight: 2,
      generate: (c) => ({
        line: `${c.actor.name}: rt_sigaction(${c.pick(['SIGCHLD', 'SIGCHLD', 'SIGTERM', 'SIGUSR1'])!}, ${c.pick(['catch', 'catch', 'SIG_IGN', 'SIG_DFL'])!}, ${c.pick(['SA_SIGINFO', 'SA_SIGINFO|SA_RESTART', 'SA_SIGINFO|SA_NOCLDSTOP', 'SA_SIGINFO|SA_NOCLDWAIT', 'SA_SIGINFO|SA_RESETHAND', 'SA_SIGINFO|SA_NODEFER', '0'])!}, ${c.pick(['0', '0', 'SIGTERM', 'SIGCHLD'])!}${c.chance(0.3) ? ', oldact' : ''})`,
      }),
    },
    { weight: 0.6, generate: (c) => ({ line: `${c.actor.name}: rt_sigaction(${c.pick(['SIGCHLD', 'SIGTERM', 'SIGUSR1', 'SIGRTMIN', 'SIGKILL'])!}, NULL, oldact)` }) },
  ],
};
