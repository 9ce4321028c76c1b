// pidfd_open(2), pidfd_send_signal(2) and the pidfd side of waitid and setns
// (kernel/pid.c, kernel/signal.c, fs/pidfs.c).

import { Errno } from '../abi/errno.js';
import { PIDFD_NONBLOCK, PIDFD_SIGNAL_PROCESS_GROUP, PIDFD_SIGNAL_THREAD, PIDFD_SIGNAL_THREAD_GROUP, PIDFD_THREAD } from '../abi/pidfd.js';
import { SiCode } from '../abi/signal.js';
import { killPgrpInfo } from './kill.js';
import type { PidFd } from './fd_table.js';
import type { Kernel } from './kernel.js';
import { fail } from './result.js';
import type { Fail } from './result.js';
import { groupSendSigInfo, sendQueuedSigInfo } from './signal.js';
import type { SigInfo } from './signal_types.js';
import type { Task } from './task.js';

/** pidfd_open(pid, flags): a pidfd for the thread group (or, with PIDFD_THREAD, the thread) `pid` names. */
export function doPidfdOpen(k: Kernel, me: Task, pid: number, flags: number): number | Fail {
  if ((flags & ~(PIDFD_NONBLOCK | PIDFD_THREAD)) !== 0) return fail(Errno.EINVAL);
  if (pid <= 0) return fail(Errno.EINVAL);
  const p = me.activeNs.findPid(pid);
  if (p === undefined) return fail(Errno.ESRCH);
  const thread = (flags & PIDFD_THREAD) !== 0;
  // pidfd_prepare() (Linux 6.15+): ENOENT when the Pid is no thread group's id, as a hint;
  // ESRCH, which wins, when no task holds it any more.
  if (p.task === null) return fail(Errno.ESRCH);
  if (!thread && p.tgidOf === null) return fail(Errno.ENOENT);
  const fd = me.group.ownFiles(k).install({ pid: p, thread, nonblock: (flags & PIDFD_NONBLOCK) !== 0 });
  if (fd < 0) return fail(Errno.EMFILE);
  return fd;
}

/** pidfd_get_pid(): the file behind `fd`, EBADF when it is not an open pidfd. */
export function pidfdGet(me: Task, fd: number): PidFd | Fail {
  const f = fd >= 0 ? me.group.filesRef?.get(fd) : undefined;
  // pidfd_pid(): a file that is not a pidfd is EBADF too.
  if (f === undefined || f.kind === 'signalfd' || f.kind === 'pty') return fail(Errno.EBADF);
  return f;
}

/** The siginfo a pidfd_send_signal caller writes: si_code, si_pid and si_value (si_signo is the call's signal). */
export interface UserSigInfo {
  readonly code: number;
  readonly pid: number;
  readonly value: number;
  /** si_signo as the caller wrote it (pidfd_send_signal refuses one other than its sig); absent: the same. */
  readonly signo?: number;
}

/**
 * pidfd_send_signal(fd, sig, info, flags): one scope flag at most
 * (PIDFD_SIGNAL_THREAD, _THREAD_GROUP, _PROCESS_GROUP; none means the
 * pidfd's own kind); a siginfo may claim any si_code only when sent to the
 * caller's own thread (and not to a process group).
 */
export function doPidfdSendSignal(k: Kernel, me: Task, fd: number, sig: number, flags: number, uinfo: UserSigInfo | null = null): 0 | Fail {
  const scopes = PIDFD_SIGNAL_THREAD | PIDFD_SIGNAL_THREAD_GROUP | PIDFD_SIGNAL_PROCESS_GROUP;
  if ((flags & ~scopes) !== 0) return fail(Errno.EINVAL);
  // "Ensure that only a single signal scope determining flag is set."
  if ((flags & (flags - 1)) !== 0) return fail(Errno.EINVAL);
  const f = pidfdGet(me, fd);
  if ('fail' in f) return f;
  // access_pidfd_pidns(): the target must live in the caller's namespace or below it.
  if (!me.activeNs.isAncestorOf(f.pid.ns)) return fail(Errno.EINVAL);
  const type = flags === 0 ? (f.thread ? 'thread' : 'group') : flags === PIDFD_SIGNAL_THREAD ? 'thread' : flags === PIDFD_SIGNAL_THREAD_GROUP ? 'group' : 'pgrp';
  let info: SigInfo | null = null;
  if (uinfo !== null) {
    if (uinfo.signo !== undefined && uinfo.signo !== sig) return fail(Errno.EINVAL);
    // "Only allow sending arbitrary signals to yourself."
    if ((me.pid !== f.pid || type === 'pgrp') && (uinfo.code >= 0 || uinfo.code === (SiCode.SI_TKILL as number))) return fail(Errno.EPERM);
    info = { signo: sig, code: uinfo.code, pid: uinfo.pid, status: 0, value: uinfo.value };
  }
  if (type === 'pgrp') return killPgrpInfo(k, me, sig, f.pid, info);
  // kill_pid_info_type(): the task holding the Pid; the signal's validity is checked after (check_kill_permission).
  const target = f.pid.task;
  if (target === null) return fail(Errno.ESRCH);
  return info === null
    ? groupSendSigInfo(k, me, sig, target, type === 'thread' ? SiCode.SI_TKILL : SiCode.SI_USER, type)
    : sendQueuedSigInfo(k, me, target, info, type);
}

export function doClose(me: Task, fd: number): 0 | Fail {
  return me.group.filesRef?.close(fd) === true ? 0 : fail(Errno.EBADF);
}
