// getpid, getppid, gettid, getpgrp, getpgid, getsid, the process-group setter, setsid: every
// id is read in the caller's active namespace (0 when not visible there).

import type { Kernel } from '../kernel/kernel.js';
import { doSetpgid, doSetsid, groupOf } from '../kernel/process_group.js';
import { isFail } from '../kernel/result.js';
import type { Task } from '../kernel/task.js';
import { syscall } from './result.js';
import type { SysResult } from './result.js';

export function sysGetpid(k: Kernel, me: Task): SysResult<number> {
  return syscall(k, () => me.tgidIn(me.activeNs));
}

/** getppid(): the parent's tgid, 0 when the parent lives in an ancestor namespace. */
export function sysGetppid(k: Kernel, me: Task): SysResult<number> {
  return syscall(k, () => me.parent?.tgidIn(me.activeNs) ?? 0);
}

export function sysGettid(k: Kernel, me: Task): SysResult<number> {
  return syscall(k, () => me.tidIn(me.activeNs));
}

export function sysGetpgrp(k: Kernel, me: Task): SysResult<number> {
  return syscall(k, () => me.pgidIn(me.activeNs));
}

export function sysGetpgid(k: Kernel, me: Task, pid: number): SysResult<number> {
  return syscall(k, () => {
    const g = groupOf(me, pid);
    return isFail(g) ? g : g.pgrp.nrIn(me.activeNs);
  });
}

export function sysGetsid(k: Kernel, me: Task, pid: number): SysResult<number> {
  return syscall(k, () => {
    const g = groupOf(me, pid);
    return isFail(g) ? g : g.session.nrIn(me.activeNs);
  });
}

export function sysSetpgid(k: Kernel, me: Task, pid: number, pgid: number): SysResult<0> {
  return syscall(k, () => doSetpgid(k, me, pid, pgid));
}

export function sysSetsid(k: Kernel, me: Task): SysResult<number> {
  return syscall(k, () => doSetsid(k, me));
}
