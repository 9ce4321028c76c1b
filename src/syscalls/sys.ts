// prctl(2) (the subreaper and parent-death-signal options), setuid(2), setresuid(2) and the pid sysctls.

import { Errno } from '../abi/errno.js';
import { PR_GET_CHILD_SUBREAPER, PR_GET_DUMPABLE, PR_GET_PDEATHSIG, PR_SET_CHILD_SUBREAPER, PR_SET_DUMPABLE, PR_SET_PDEATHSIG } from '../abi/prctl.js';
import { validSignal } from '../abi/signal.js';
import type { Kernel } from '../kernel/kernel.js';
import { fail } from '../kernel/result.js';
import { doSetresuid, doSetuid, sysctlRead, sysctlWrite } from '../kernel/sys.js';
import type { SysctlKey } from '../kernel/sys.js';
import type { Task } from '../kernel/task.js';
import { syscall } from './result.js';
import type { SysResult } from './result.js';

/**
 * prctl(PR_SET_CHILD_SUBREAPER, n), prctl(PR_GET_CHILD_SUBREAPER),
 * prctl(PR_SET_PDEATHSIG, sig) (EINVAL unless valid_signal; 0 clears it) and
 * prctl(PR_GET_PDEATHSIG); a GET's result is the value it stores through its
 * pointer. Other options are not modeled (ENOSYS).
 */
export function sysPrctl(k: Kernel, me: Task, option: number, arg: number): SysResult<number> {
  return syscall(k, () => {
    if (option === PR_SET_CHILD_SUBREAPER) {
      const group = me.group;
      group.isChildSubreaper = arg !== 0;
      // walk_process_tree(me, propagate_has_child_subreaper): descendants learn there is one.
      if (arg !== 0) propagateHasChildSubreaper(me);
      return 0;
    }
    if (option === PR_GET_CHILD_SUBREAPER) return me.group.isChildSubreaper ? 1 : 0;
    if (option === PR_SET_PDEATHSIG) {
      if (!validSignal(arg)) return fail(Errno.EINVAL);
      me.pdeathSignal = arg;
      return 0;
    }
    if (option === PR_GET_PDEATHSIG) return me.pdeathSignal;
    // kernel/sys.c: get_dumpable() is the syscall's value; a set takes SUID_DUMP_DISABLE (0) or SUID_DUMP_USER (1) alone.
    if (option === PR_GET_DUMPABLE) return me.group.dumpable ? 1 : 0;
    if (option === PR_SET_DUMPABLE) {
      if (arg !== 0 && arg !== 1) return fail(Errno.EINVAL);
      me.group.dumpable = arg === 1;
      return 0;
    }
    return fail(Errno.ENOSYS);
  });
}

function propagateHasChildSubreaper(me: Task): void {
  // An explicit stack, filled one child at a time: a spread into push() is one argument per child and overflows the call stack past ~100k.
  const stack: Task[] = [];
  for (const t of me.group.threads) for (const c of t.children) stack.push(c);
  while (stack.length > 0) {
    const p = stack.pop()!;
    // "If task has has_child_subreaper - all its descendants already have it"; a namespace init stops the walk.
    if (p.group.hasChildSubreaper || (p.pid.nr === 1 && p.isLeader)) continue;
    p.group.hasChildSubreaper = true;
    for (const t of p.group.threads) for (const c of t.children) stack.push(c);
  }
}

export function sysSetuid(k: Kernel, me: Task, uid: number): SysResult<0> {
  return syscall(k, () => doSetuid(me, uid));
}

/** setresuid(2): -1 leaves an id as it is. */
export function sysSetresuid(k: Kernel, me: Task, ruid: number, euid: number, suid: number): SysResult<0> {
  return syscall(k, () => doSetresuid(me, ruid, euid, suid));
}

export function sysSysctlRead(k: Kernel, me: Task, key: SysctlKey): SysResult<number> {
  return syscall(k, () => sysctlRead(me, key));
}

export function sysSysctlWrite(k: Kernel, me: Task, key: SysctlKey, value: number): SysResult<0> {
  return syscall(k, () => sysctlWrite(me, key, value));
}
