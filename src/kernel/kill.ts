// kill(2) and its thread-directed and pidfd relatives (kernel/signal.c): how an id
// names the tasks to signal, as the caller's namespace sees them.

import { Errno } from '../abi/errno.js';
import { SiCode, validSignal } from '../abi/signal.js';
import type { Kernel } from './kernel.js';
import type { Pid } from './pid.js';
import { findTaskByVpid } from './process_group.js';
import { fail } from './result.js';
import type { Fail } from './result.js';
import { groupSendSigInfo } from './signal.js';
import type { Task } from './task.js';

/** __kill_pgrp_info(): every group of the pgrp; success if any got it, else the last error. */
function killPgrp(k: Kernel, me: Task, sig: number, pgrp: Pid): 0 | Fail {
  let success = false;
  let last: Errno | 0 = Errno.ESRCH;
  const shared = { zeroed: false };
  // do_each_pid_task() walks the pid's hlist, where attach_pid() adds at the head: newest member first.
  for (const g of [...pgrp.pgrpMembers].reverse()) {
    const err = groupSendSigInfo(k, me, sig, g.leader, SiCode.SI_USER, 'group', shared);
    if (err === 0) success = true;
    last = err;
  }
  return success ? 0 : last === 0 ? 0 : fail(last);
}

/** kill_something_info(). */
export function doKill(k: Kernel, me: Task, pid: number, sig: number): 0 | Fail {
  // kill(2) checks the signal only per target (check_kill_permission): with no target, ESRCH wins.
  const ns = me.activeNs;
  if (pid > 0) {
    // kill_pid_info(): the task whose tid this is; the whole group gets it.
    const p = findTaskByVpid(me, pid);
    if (p === null) return fail(Errno.ESRCH);
    const err = groupSendSigInfo(k, me, sig, p, SiCode.SI_USER, 'group');
    return err === 0 ? 0 : fail(err);
  }
  // "-INT_MIN is undefined. Exclude this case to avoid a UBSAN warning."
  if (pid === -2147483648) return fail(Errno.ESRCH);
  if (pid !== -1) {
    const pgrp = pid === 0 ? me.group.pgrp : ns.findPid(-pid);
    if (pgrp === undefined) return fail(Errno.ESRCH);
    return killPgrp(k, me, sig, pgrp);
  }
  // kill(-1): every process the caller can see except its namespace's init and its own group.
  let count = 0;
  let retval: Errno | 0 = 0;
  const shared = { zeroed: false };
  for (const t of k.liveTasks()) {
    if (!t.isLeader) continue;
    const nr = t.tidIn(ns);
    if (nr <= 1 || t.group === me.group) continue;
    const err = groupSendSigInfo(k, me, sig, t, SiCode.SI_USER, 'group', shared);
    count++;
    if (err !== Errno.EPERM) retval = err;
  }
  if (count === 0) return fail(Errno.ESRCH);
  return retval === 0 ? 0 : fail(retval);
}

/** do_tkill(): the thread `tid` of group `tgid` (tgid ≤ 0 skips the group check, as tkill). */
export function doTgkill(k: Kernel, me: Task, tgid: number, tid: number, sig: number): 0 | Fail {
  if (tid <= 0 || tgid <= 0) return fail(Errno.EINVAL);
  const p = findTaskByVpid(me, tid);
  if (p === null || p.tgidIn(me.activeNs) !== tgid) return fail(Errno.ESRCH);
  if (!validSignal(sig)) return fail(Errno.EINVAL);
  // do_send_specific(): a task that is exiting (no sighand) counts as gone... only once released; a zombie takes it silently.
  const err = groupSendSigInfo(k, me, sig, p, SiCode.SI_TKILL, 'thread');
  return err === 0 ? 0 : fail(err);
}
