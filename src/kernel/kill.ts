// kill(2) and its thread-directed and pidfd relatives (kernel/signal.c): how an id
// names the tasks to signal, as the caller's namespace sees them.

import { Errno } from '../abi/errno.js';
import { SiCode, validSignal } from '../abi/signal.js';
import type { Kernel } from './kernel.js';
import type { Pid } from './pid.js';
import { findTaskByVpid } from './process_group.js';
import { fail } from './result.js';
import type { Fail } from './result.js';
import { groupSendSigInfo, sendQueuedSigInfo } from './signal.js';
import type { SigInfo } from './signal_types.js';
import type { Task } from './task.js';

/**
 * __kill_pgrp_info(): every group of the pgrp; success if any got it, else
 * the last error (ESRCH for an empty group). `info` is a siginfo the caller
 * wrote (pidfd_send_signal), null for kill()'s own.
 */
export function killPgrpInfo(k: Kernel, me: Task, sig: number, pgrp: Pid, info: SigInfo | null = null): 0 | Fail {
  let success = false;
  let last: 0 | Fail = fail(Errno.ESRCH);
  const shared = { zeroed: false };
  // do_each_pid_task() walks the pid's hlist, where attach_pid() adds at the head: newest member first.
  for (const g of [...pgrp.pgrpMembers].reverse()) {
    const err = info === null ? groupSendSigInfo(k, me, sig, g.leader, SiCode.SI_USER, 'group', shared) : sendQueuedSigInfo(k, me, g.leader, info, 'group', shared);
    if (err === 0) success = true;
    last = err;
  }
  return success ? 0 : last;
}

/** kill_something_info(). */
export function doKill(k: Kernel, me: Task, pid: number, sig: number): 0 | Fail {
  // kill(2) checks the signal only per target (check_kill_permission): with no target, ESRCH wins.
  const ns = me.activeNs;
  if (pid > 0) {
    // kill_pid_info(): the task whose tid this is; the whole group gets it.
    const p = findTaskByVpid(me, pid);
    if (p === null) return fail(Errno.ESRCH);
    return groupSendSigInfo(k, me, sig, p, SiCode.SI_USER, 'group');
  }
  // "-INT_MIN is undefined. Exclude this case to avoid a UBSAN warning."
  if (pid === -2147483648) return fail(Errno.ESRCH);
  if (pid !== -1) {
    const pgrp = pid === 0 ? me.group.pgrp : ns.findPid(-pid);
    if (pgrp === undefined) return fail(Errno.ESRCH);
    return killPgrpInfo(k, me, sig, pgrp);
  }
  // kill(-1): every process the caller can see except its namespace's init and its own group.
  let count = 0;
  let retval: 0 | Fail = 0;
  const shared = { zeroed: false };
  for (const t of k.liveTasks()) {
    if (!t.isLeader) continue;
    const nr = t.tidIn(ns);
    if (nr <= 1 || t.group === me.group) continue;
    const err = groupSendSigInfo(k, me, sig, t, SiCode.SI_USER, 'group', shared);
    count++;
    if (err === 0 || err.errno !== Errno.EPERM) retval = err;
  }
  if (count === 0) return fail(Errno.ESRCH);
  return retval;
}

/** do_tkill(): the thread `tid` of group `tgid` (tgid ≤ 0 skips the group check, as tkill). */
export function doTgkill(k: Kernel, me: Task, tgid: number, tid: number, sig: number): 0 | Fail {
  if (tid <= 0 || tgid <= 0) return fail(Errno.EINVAL);
  const p = findTaskByVpid(me, tid);
  if (p === null || p.tgidIn(me.activeNs) !== tgid) return fail(Errno.ESRCH);
  if (!validSignal(sig)) return fail(Errno.EINVAL);
  // do_send_specific(): a task that is exiting (no sighand) counts as gone... only once released; a zombie takes it silently.
  return groupSendSigInfo(k, me, sig, p, SiCode.SI_TKILL, 'thread');
}

/**
 * rt_sigqueueinfo(pid, sig, info): "Not even root can pretend to send
 * signals from the kernel. Nor can they impersonate a kill() or its thread-directed form, which
 * adds source info": a code >= 0 or SI_TKILL only to the caller's own tid
 * (EPERM first, before the pid is looked up). si_pid goes as written.
 */
export function doSigqueueinfo(k: Kernel, me: Task, pid: number, sig: number, code: number, siPid: number, value: number): 0 | Fail {
  if ((code >= 0 || code === (SiCode.SI_TKILL as number)) && me.tidIn(me.activeNs) !== pid) return fail(Errno.EPERM);
  // kill_proc_info(): find_vpid(pid), the whole group.
  const p = findTaskByVpid(me, pid);
  if (p === null) return fail(Errno.ESRCH);
  return sendQueuedSigInfo(k, me, p, { signo: sig, code, pid: siPid, status: 0, value }, 'group');
}

/** rt_tgsigqueueinfo(tgid, tid, sig, info): do_send_specific() with the caller's siginfo; the same si_code rule. */
export function doTgsigqueueinfo(k: Kernel, me: Task, tgid: number, tid: number, sig: number, code: number, siPid: number, value: number): 0 | Fail {
  if (tid <= 0 || tgid <= 0) return fail(Errno.EINVAL);
  if ((code >= 0 || code === (SiCode.SI_TKILL as number)) && me.tidIn(me.activeNs) !== tid) return fail(Errno.EPERM);
  const p = findTaskByVpid(me, tid);
  if (p === null || p.tgidIn(me.activeNs) !== tgid) return fail(Errno.ESRCH);
  return sendQueuedSigInfo(k, me, p, { signo: sig, code, pid: siPid, status: 0, value }, 'thread');
}
