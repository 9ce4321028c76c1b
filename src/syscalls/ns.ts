// unshare(2) and setns(2), the PID namespace part.

import { CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWTIME, CLONE_NEWUSER, CLONE_NEWUTS, CLONE_NS_FLAGS } from '../abi/clone.js';
import { Errno } from '../abi/errno.js';
import { anyFlag, withoutFlags } from '../kernel/flags.js';
import type { Kernel } from '../kernel/kernel.js';
import { doUnshare, pidForChildrenOf, pidnsInstall } from '../kernel/nsproxy.js';
import type { PidNamespace } from '../kernel/pid_namespace.js';
import { pidfdGet } from '../kernel/pidfd.js';
import { fail, isFail, type Fail } from '../kernel/result.js';
import type { Task } from '../kernel/task.js';
import { syscall } from './result.js';
import type { SysResult } from './result.js';

export function sysUnshare(k: Kernel, me: Task, flags: number): SysResult<0> {
  return syscall(k, () => doUnshare(k, me, flags));
}

/** A namespace file, as open("/proc/PID/ns/pid" or "pid_for_children") would give it; ENOENT where the link cannot be read. */
export function nsFileOf(task: Task, which: 'ns' | 'ns_for_children'): PidNamespace | Fail {
  if (task.exitState === 'dead') return fail(Errno.ENOENT);
  if (which === 'ns') return task.activeNs;
  return pidForChildrenOf(task) ?? fail(Errno.ENOENT);
}

/** setns(nsfd, flags) with a PID namespace file. */
export function sysSetnsNamespace(k: Kernel, me: Task, ns: PidNamespace, flags: number): SysResult<0> {
  return syscall(k, () => {
    // "if (flags && (ns->ns_type != flags)) err = -EINVAL"
    if (flags !== 0 && flags !== CLONE_NEWPID) return fail(Errno.EINVAL);
    return pidnsInstall(k, me, ns);
  });
}

/** setns(pidfd, flags): the namespaces of the task the pidfd names; only CLONE_NEWPID is modeled. */
export function sysSetnsPidfd(k: Kernel, me: Task, fd: number, flags: number): SysResult<0> {
  return syscall(k, () => {
    const f = pidfdGet(me, fd);
    if (isFail(f)) return f;
    if (flags === 0 || withoutFlags(flags, CLONE_NS_FLAGS) !== 0) return fail(Errno.EINVAL);
    if (anyFlag(flags, CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP | CLONE_NEWTIME)) return fail(Errno.ENOSYS);
    // validate_nsset(): the task must still have its namespaces (not exited).
    const t = f.pid.task;
    if (t === null || t.exitState !== 'alive') return fail(Errno.ESRCH);
    return pidnsInstall(k, me, t.activeNs);
  });
}
