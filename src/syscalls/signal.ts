// kill, tgkill, pidfd_send_signal and the disposition call signal()/sigaction().

import { Errno } from '../abi/errno.js';
import { Signal, validSignal } from '../abi/signal.js';
import type { Kernel } from '../kernel/kernel.js';
import { doKill, doTgkill } from '../kernel/kill.js';
import { doPidfdSendSignal } from '../kernel/pidfd.js';
import { fail } from '../kernel/result.js';
import type { SignalDisposition } from '../kernel/signal_types.js';
import type { Task } from '../kernel/task.js';
import { syscall } from './result.js';
import type { SysResult } from './result.js';

export function sysKill(k: Kernel, me: Task, pid: number, sig: number): SysResult<0> {
  return syscall(k, () => doKill(k, me, pid, sig));
}

export function sysTgkill(k: Kernel, me: Task, tgid: number, tid: number, sig: number): SysResult<0> {
  return syscall(k, () => doTgkill(k, me, tgid, tid, sig));
}

export function sysPidfdSendSignal(k: Kernel, me: Task, fd: number, sig: number, flags = 0): SysResult<0> {
  return syscall(k, () => doPidfdSendSignal(k, me, fd, sig, flags));
}

/**
 * rt_sigaction(): SIGKILL and SIGSTOP cannot be changed; `catch` installs a
 * SA_SIGINFO handler without SA_RESTART. Setting SIG_IGN drops what is pending.
 */
export function sysSignal(k: Kernel, me: Task, sig: number, disposition: SignalDisposition): SysResult<0> {
  return syscall(k, () => {
    if (!validSignal(sig) || sig < 1 || sig === Signal.SIGKILL || sig === Signal.SIGSTOP) return fail(Errno.EINVAL);
    // SIG_DFL into a group that never made a table changes nothing: no table is made for it.
    if (disposition === 'SIG_DFL' && me.group.sighandRef === null) return 0 as const;
    me.group.ownSighand(k).set(sig, disposition);
    return 0 as const;
  });
}
