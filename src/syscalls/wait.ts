// wait4(2) and waitid(2): option checks and id lookups as kernel_wait4() and
// kernel_waitid_prepare() make them, in the caller's namespace.

import { Errno } from '../abi/errno.js';
import { IdType, WCONTINUED, WEXITED, WNOHANG, WNOWAIT, WSTOPPED, WUNTRACED, __WALL, __WCLONE, __WNOTHREAD } from '../abi/wait.js';
import type { Kernel } from '../kernel/kernel.js';
import { pidfdGet } from '../kernel/pidfd.js';
import { isFail } from '../kernel/result.js';
import type { Task } from '../kernel/task.js';
import { doWait } from '../kernel/wait.js';
import type { WaitOutcome, WaitRequest, WaitTarget } from '../kernel/wait_types.js';
import { err, ok } from './result.js';
import type { SysResult } from './result.js';

/** A wait's answer now, or 'blocked': a `wait_resumed` event will carry it. */
export type WaitCall = WaitOutcome | { readonly kind: 'blocked' };

function run(k: Kernel, me: Task, req: WaitRequest): SysResult<WaitCall> {
  const r = doWait(k, me, req);
  k.settle();
  if (r === 'block') return ok({ kind: 'blocked' });
  if (r.kind === 'error') return err(r.errno);
  return ok(r);
}

/** A Pid that the caller's namespace cannot name still makes a target that matches nothing (ECHILD). */
const NOBODY: WaitTarget = { kind: 'pid', pid: null as never };

export function sysWait4(k: Kernel, me: Task, upid: number, options: number): SysResult<WaitCall> {
  if ((options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL)) !== 0) return err(Errno.EINVAL);
  // "-INT_MIN is not defined"
  if (upid === -2147483648) return err(Errno.ESRCH);
  const ns = me.activeNs;
  let target: WaitTarget;
  if (upid === -1) target = { kind: 'all' };
  else if (upid < 0) {
    const p = ns.findPid(-upid);
    target = p === undefined ? NOBODY : { kind: 'pgid', pid: p };
  } else if (upid === 0) target = { kind: 'pgid', pid: me.group.pgrp };
  else {
    const p = ns.findPid(upid);
    target = p === undefined ? NOBODY : { kind: 'pid', pid: p };
  }
  if (target === NOBODY) return err(Errno.ECHILD);
  return run(k, me, { syscall: 'wait4', target, options: options | WEXITED });
}

export function sysWaitid(k: Kernel, me: Task, idtype: number, id: number, options: number): SysResult<WaitCall> {
  if ((options & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL)) !== 0) return err(Errno.EINVAL);
  if ((options & (WEXITED | WSTOPPED | WCONTINUED)) === 0) return err(Errno.EINVAL);
  const ns = me.activeNs;
  let target: WaitTarget;
  let opts = options;
  switch (idtype) {
    case IdType.P_ALL:
      target = { kind: 'all' };
      break;
    case IdType.P_PID: {
      if (id <= 0) return err(Errno.EINVAL);
      const p = ns.findPid(id);
      if (p === undefined) return err(Errno.ECHILD);
      target = { kind: 'pid', pid: p };
      break;
    }
    case IdType.P_PGID: {
      if (id < 0) return err(Errno.EINVAL);
      const p = id === 0 ? me.group.pgrp : ns.findPid(id);
      if (p === undefined) return err(Errno.ECHILD);
      target = { kind: 'pgid', pid: p };
      break;
    }
    case IdType.P_PIDFD: {
      if (id < 0) return err(Errno.EINVAL);
      const f = pidfdGet(me, id);
      if (isFail(f)) return err(f.errno);
      target = { kind: 'pid', pid: f.pid };
      // "if (f_flags & O_NONBLOCK) wo->wo_flags |= WNOHANG"
      if (f.nonblock) opts |= WNOHANG;
      break;
    }
    default:
      return err(Errno.EINVAL);
  }
  const r = run(k, me, { syscall: 'waitid', target, options: opts });
  // kernel_waitid(): a wait made non-blocking only by an O_NONBLOCK pidfd answers EAGAIN, not "nothing yet".
  if (r.ok && r.value.kind === 'none' && (options & WNOHANG) === 0) return err(Errno.EAGAIN);
  return r;
}
