// The signal system calls: kill, tgkill, pidfd_send_signal, rt_sigqueueinfo,
// rt_tgsigqueueinfo, rt_sigprocmask, rt_sigaction (and the scenario's
// signal() shorthand), rt_sigpending, rt_sigsuspend, pause, rt_sigtimedwait,
// signalfd and its read, reboot.

import { Errno } from '../abi/errno.js';
import {
  SA_NOCLDSTOP,
  SA_NOCLDWAIT,
  SA_NODEFER,
  SA_ONSTACK,
  SA_RESETHAND,
  SA_RESTART,
  SA_RESTORER,
  SA_SIGINFO,
  SFD_CLOEXEC,
  SFD_NONBLOCK,
  SIG_BLOCK,
  SIG_SETMASK,
  SIG_UNBLOCK,
  Signal,
  UNBLOCKABLE,
  validSignal,
} from '../abi/signal.js';
import type { SigSet } from '../abi/signal.js';
import type { SigWaitOutcome } from '../kernel/events.js';
import type { Kernel } from '../kernel/kernel.js';
import { doKill, doSigqueueinfo, doTgkill, doTgsigqueueinfo } from '../kernel/kill.js';
import { doPidfdSendSignal } from '../kernel/pidfd.js';
import type { UserSigInfo } from '../kernel/pidfd.js';
import { doReboot } from '../kernel/reboot.js';
import { fail, isFail } from '../kernel/result.js';
import { handlerIgnored, setBlocked, sigAction } from '../kernel/signal.js';
import { flushPendingSignal, pendingSet } from '../kernel/sigpending.js';
import type { SigAction, SigInfo, SignalDisposition, SignalFd } from '../kernel/signal_types.js';
import { doSigsuspend, doSignalfdRead, doSigtimedwait } from '../kernel/sigwait.js';
import type { Task } from '../kernel/task.js';
import { err, ok, syscall } from './result.js';
import type { SysResult } from './result.js';

export type { UserSigInfo };

export function sysKill(k: Kernel, me: Task, pid: number, sig: number): SysResult<0> {
  return syscall(k, () => doKill(k, me, pid, sig));
}

export function sysTgkill(k: Kernel, me: Task, tgid: number, tid: number, sig: number): SysResult<0> {
  return syscall(k, () => doTgkill(k, me, tgid, tid, sig));
}

export function sysPidfdSendSignal(k: Kernel, me: Task, fd: number, sig: number, flags = 0, info: UserSigInfo | null = null): SysResult<0> {
  return syscall(k, () => doPidfdSendSignal(k, me, fd, sig, flags, info));
}

/** rt_sigqueueinfo(pid, sig, {si_code, si_pid, si_value}). */
export function sysRtSigqueueinfo(k: Kernel, me: Task, pid: number, sig: number, info: UserSigInfo): SysResult<0> {
  return syscall(k, () => doSigqueueinfo(k, me, pid, sig, info.code, info.pid, info.value));
}

/** rt_tgsigqueueinfo(tgid, tid, sig, {si_code, si_pid, si_value}). */
export function sysRtTgsigqueueinfo(k: Kernel, me: Task, tgid: number, tid: number, sig: number, info: UserSigInfo): SysResult<0> {
  return syscall(k, () => doTgsigqueueinfo(k, me, tgid, tid, sig, info.code, info.pid, info.value));
}

/**
 * rt_sigprocmask(how, set, &old): the old mask; SIGKILL and SIGSTOP are
 * silently left out of any new one. `how` is only checked when a set is
 * given ("if (nset)"), as the kernel does.
 */
export function sysRtSigprocmask(k: Kernel, me: Task, how: number, set: SigSet | null): SysResult<SigSet> {
  return syscall(k, () => {
    const old = me.sigBlocked;
    if (set === null) return old;
    const s = set & ~UNBLOCKABLE;
    let next: SigSet;
    switch (how) {
      case SIG_BLOCK:
        next = old | s;
        break;
      case SIG_UNBLOCK:
        next = old & ~s;
        break;
      case SIG_SETMASK:
        next = s;
        break;
      default:
        return fail(Errno.EINVAL);
    }
    setBlocked(k, me, next);
    return old;
  });
}

/** The sa_flags rt_sigaction keeps and reports (UAPI_SA_FLAGS on x86_64); other bits are cleared. */
const UAPI_SA_FLAGS = SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | SA_ONSTACK | SA_RESTART | SA_NODEFER | SA_RESETHAND | SA_RESTORER;

/**
 * do_sigaction(): EINVAL for an invalid signal, or for changing SIGKILL or
 * SIGSTOP (reading them is allowed); the old action is returned. A new
 * action that ignores the signal discards it from every pending set of the
 * group (POSIX 3.3.1.3), blocked or not.
 */
export function sysRtSigaction(k: Kernel, me: Task, sig: number, act: SigAction | null): SysResult<SigAction> {
  return syscall(k, () => {
    if (!validSignal(sig) || sig < 1 || (act !== null && (sig === Signal.SIGKILL || sig === Signal.SIGSTOP))) return fail(Errno.EINVAL);
    const old = sigAction(me.group, sig);
    const oldOut: SigAction = { ...old, flags: (old.flags & UAPI_SA_FLAGS) >>> 0 };
    if (act === null) return oldOut;
    const next: SigAction = { handler: act.handler, flags: (act.flags & UAPI_SA_FLAGS) >>> 0, mask: act.mask & ~UNBLOCKABLE };
    // A default action into a group that never made a table changes nothing: no table is made for it.
    if (!(me.group.sighandRef === null && next.handler === 'SIG_DFL' && next.flags === 0 && next.mask === 0n)) me.group.ownSighand(k).set(sig, next);
    if (handlerIgnored(me.group, sig)) flushPendingSignal(me.group, sig);
    return oldOut;
  });
}

/** The scenario's signal(SIG, SIG_DFL|SIG_IGN|catch): rt_sigaction with an empty mask; `catch` is SA_SIGINFO without SA_RESTART. */
export function sysSignal(k: Kernel, me: Task, sig: number, disposition: SignalDisposition): SysResult<0> {
  const r = sysRtSigaction(k, me, sig, { handler: disposition, flags: disposition === 'catch' ? SA_SIGINFO : 0, mask: 0n });
  return r.ok ? ok(0) : r;
}

/** rt_sigpending(): the pending signals (thread and shared) that the thread blocks. */
export function sysRtSigpending(k: Kernel, me: Task): SysResult<SigSet> {
  return syscall(k, () => pendingSet(me) & me.sigBlocked);
}

/** A call that may block: its result now, or 'blocked' (a `sigwait_resumed` event will carry it). */
export type SigWaitCall = SigWaitOutcome | { readonly kind: 'blocked' };

function sigWaitResult(k: Kernel, r: SigInfo | 'block' | ReturnType<typeof fail>): SysResult<SigWaitCall> {
  k.settle();
  if (r === 'block') return ok({ kind: 'blocked' });
  if (isFail(r)) return err(r.errno);
  return ok({ kind: 'signal', info: r });
}

/** rt_sigsuspend(mask): -1 EINTR once a handler ran (now, or when blocked: a sigwait_resumed event). */
export function sysRtSigsuspend(k: Kernel, me: Task, mask: SigSet): SysResult<SigWaitCall> {
  return sigWaitResult(k, doSigsuspend(k, me, mask));
}

export function sysPause(k: Kernel, me: Task): SysResult<SigWaitCall> {
  return sigWaitResult(k, doSigsuspend(k, me, null));
}

/** rt_sigtimedwait(set, &info, timeout): 0 is a poll (EAGAIN), null waits; other timeouts need a clock the model has not. */
export function sysRtSigtimedwait(k: Kernel, me: Task, set: SigSet, timeout: 0 | null): SysResult<SigWaitCall> {
  return sigWaitResult(k, doSigtimedwait(k, me, set, timeout));
}

/**
 * signalfd4(fd, mask, flags): a new signalfd (fd -1) or a new mask for an
 * existing one (EBADF if not open, EINVAL if not a signalfd). The file takes
 * the signals of its mask without SIGKILL and SIGSTOP.
 */
export function sysSignalfd(k: Kernel, me: Task, fd: number, mask: SigSet, flags: number): SysResult<number> {
  return syscall(k, () => {
    if ((flags & ~(SFD_CLOEXEC | SFD_NONBLOCK)) !== 0) return fail(Errno.EINVAL);
    const m = mask & ~UNBLOCKABLE;
    if (fd === -1) {
      const file: SignalFd = { kind: 'signalfd', mask: m, nonblock: (flags & SFD_NONBLOCK) !== 0, cloexec: (flags & SFD_CLOEXEC) !== 0 };
      const nfd = me.group.ownFiles(k).install(file);
      return nfd < 0 ? fail(Errno.EMFILE) : nfd;
    }
    const f = fd >= 0 ? me.group.filesRef?.get(fd) : undefined;
    if (f === undefined) return fail(Errno.EBADF);
    if (f.kind !== 'signalfd') return fail(Errno.EINVAL);
    f.mask = m;
    // "wake_up(&current->sighand->signalfd_wqh)": readers look at the new mask.
    for (const th of me.group.threads) if (th.blocked?.syscall === 'read') th.woken = true;
    return fd;
  });
}

/** read(fd) of one struct signalfd_siginfo: EBADF if not open, EINVAL for a file that is not a signalfd. */
export function sysRead(k: Kernel, me: Task, fd: number): SysResult<SigWaitCall> {
  const f = fd >= 0 ? me.group.filesRef?.get(fd) : undefined;
  if (f === undefined) return err(Errno.EBADF);
  if (f.kind !== 'signalfd') return err(Errno.EINVAL);
  return sigWaitResult(k, doSignalfdRead(k, me, fd, f));
}

/** reboot(magic1, magic2, cmd, NULL): in a child PID namespace the caller exits (no return) and the namespace's init dies. */
export function sysReboot(k: Kernel, me: Task, magic1: number, magic2: number, cmd: number): SysResult<never> {
  return syscall<never>(k, () => {
    const r = doReboot(k, me, magic1, magic2, cmd);
    if (isFail(r)) return r;
    return undefined as never;
  });
}
