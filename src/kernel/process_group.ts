// Process groups and sessions (kernel/sys.c: setpgid, setsid, getpgid,
// getsid). Both are attachments of a thread group to a Pid; a pgrp keeps its
// number while any member lives, even after its leader was reaped.

import { Errno } from '../abi/errno.js';
import { freePid } from './alloc_pid.js';
import type { Kernel } from './kernel.js';
import type { Pid } from './pid.js';
import { fail } from './result.js';
import type { Fail } from './result.js';
import type { Task } from './task.js';
import type { ThreadGroup } from './thread_group.js';
import { setsidClearTty } from './tty.js';

/** find_task_by_vpid(): the task whose tid is `nr` in the caller's namespace. */
export function findTaskByVpid(me: Task, nr: number): Task | null {
  if (nr <= 0) return null;
  return me.activeNs.findPid(nr)?.task ?? null;
}

function changePgrp(k: Kernel, group: ThreadGroup, pgrp: Pid): void {
  const old = group.pgrp;
  if (old === pgrp) return;
  old.deletePgrpMember(group);
  group.pgrp = pgrp;
  pgrp.addPgrpMember(group);
  freePid(k, old);
}

/** setpgid(pid, pgid). */
export function doSetpgid(k: Kernel, me: Task, pidArg: number, pgidArg: number): 0 | Fail {
  // "if (!pid) pid = task_pid_vnr(group_leader); if (!pgid) pgid = pid; if (pgid < 0) return -EINVAL":
  // a pgid of 0 becomes the pid first, so setpgid(-1, 0) is EINVAL, not ESRCH.
  const pidNr = pidArg === 0 ? me.group.leader.tidIn(me.activeNs) : pidArg;
  const pgid = pgidArg === 0 ? pidNr : pgidArg;
  if (pgid < 0) return fail(Errno.EINVAL);
  const p = findTaskByVpid(me, pidNr);
  if (p === null) return fail(Errno.ESRCH);
  // "Only group leaders can be moved": the id must name a thread group leader.
  if (!p.isLeader) return fail(Errno.EINVAL);
  if (p.parent !== null && p.parent.group === me.group) {
    // A child: same session, and not after it exec'd.
    if (p.group.session !== me.group.session) return fail(Errno.EPERM);
    if (p.group.execId > 0) return fail(Errno.EACCES);
  } else if (p.group !== me.group) {
    return fail(Errno.ESRCH);
  }
  // A session leader cannot move.
  if (p.group.session === p.group.tgidPid) return fail(Errno.EPERM);
  let pgrp: Pid = p.pid;
  if (pgid !== p.tidIn(me.activeNs)) {
    const target = me.activeNs.findPid(pgid);
    if (target === undefined) return fail(Errno.EPERM);
    let inSession = false;
    for (const g of target.pgrpMembers) if (g.session === me.group.session) inSession = true;
    if (!inSession) return fail(Errno.EPERM);
    pgrp = target;
  }
  if (p.group.session !== me.group.session) return fail(Errno.EPERM);
  changePgrp(k, p.group, pgrp);
  return 0;
}

/** setsid(): a new session and process group named after the caller's tgid; EPERM if that pgrp exists. */
export function doSetsid(k: Kernel, me: Task): number | Fail {
  const group = me.group;
  const leaderPid = group.tgidPid;
  // "Fail if a process group id already exists that equals the proposed session id."
  if (leaderPid.pgrpMembers.size > 0 || leaderPid.sessionMembers.size > 0) return fail(Errno.EPERM);
  const oldSession = group.session;
  oldSession.deleteSessionMember(group);
  group.session = leaderPid;
  leaderPid.addSessionMember(group);
  changePgrp(k, group, leaderPid);
  setsidClearTty(k, group);
  freePid(k, oldSession);
  return leaderPid.nrIn(me.activeNs);
}

/** getpgid(pid) / getsid(pid): 0 means the caller; ESRCH for an unknown id. */
export function groupOf(me: Task, pid: number): ThreadGroup | Fail {
  if (pid === 0) return me.group;
  const p = findTaskByVpid(me, pid);
  if (p === null) return fail(Errno.ESRCH);
  return p.group;
}
