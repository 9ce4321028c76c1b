// unshare(2) and setns(2): PID namespaces, and the identities of the other
// types (mount, UTS, IPC, cgroup, network, time; kernel/ns_identity.ts).

import { CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUSER, CLONE_NS_FLAGS } from '../abi/clone.js';
import { Errno } from '../abi/errno.js';
import { anyFlag, withoutFlags } from '../kernel/flags.js';
import type { Kernel } from '../kernel/kernel.js';
import { doUnshare, otherNsCheck, otherNsCommit, otherNsInstall, pidForChildrenOf, pidnsCheck, pidnsInstall } from '../kernel/nsproxy.js';
import { NS_TYPE_FLAG, type NsIdentity, type NsType } from '../kernel/ns_identity.js';
import type { PidNamespace } from '../kernel/pid_namespace.js';
import { ptraceMayAccess } from '../kernel/ptrace.js';
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

/** A namespace file of another type (`/proc/PID/ns/TYPE`, or `time_for_children`); ENOENT once the task is gone. */
export function otherNsFileOf(k: Kernel, task: Task, type: NsType, forChildren: boolean): NsIdentity | Errno {
  if (task.exitState !== 'alive') return Errno.ENOENT;
  const set = k.nsSetOf(task);
  return forChildren ? set.timeForChildren : set[type];
}

/** setns(nsfd, flags) with a namespace file of another type: "if (flags && (ns->ns_type != flags)) err = -EINVAL". */
export function sysSetnsOther(k: Kernel, me: Task, ns: NsIdentity, flags: number): SysResult<0> {
  return syscall(k, () => {
    if (flags !== 0 && flags !== NS_TYPE_FLAG[ns.type]) return fail(Errno.EINVAL);
    return otherNsInstall(k, me, ns);
  });
}

/**
 * setns(pidfd, flags): the namespaces of the task the pidfd names, each
 * flag's in validate_nsset()'s order, all checked before any is joined.
 * Joining a user namespace is not modeled (ENOSYS).
 */
export function sysSetnsPidfd(k: Kernel, me: Task, fd: number, flags: number): SysResult<0> {
  return syscall(k, () => {
    // setns(): an open file that is neither a namespace file nor a pidfd (a pty, a signalfd) is EINVAL.
    const open = fd >= 0 ? me.group.filesRef?.get(fd) : undefined;
    if (open !== undefined && open.kind !== undefined && open.kind !== 'pidfd') return fail(Errno.EINVAL);
    const f = pidfdGet(me, fd);
    if (isFail(f)) return f;
    if (flags === 0 || withoutFlags(flags, CLONE_NS_FLAGS) !== 0) return fail(Errno.EINVAL);
    if (anyFlag(flags, CLONE_NEWUSER)) return fail(Errno.ENOSYS);
    // validate_nsset(): pid_task() (ESRCH once released), then ptrace_may_access(tsk, PTRACE_MODE_READ_REALCREDS)
    // (EPERM; a zombie is checked with the dumpability it died with), then tsk->nsproxy (ESRCH once it exited).
    const t = f.pid.task;
    if (t === null || t.exitState === 'dead') return fail(Errno.ESRCH);
    if (!ptraceMayAccess(k, me, t)) return fail(Errno.EPERM);
    if (t.exitState !== 'alive') return fail(Errno.ESRCH);
    const set = k.nsSetOf(t);
    const order: readonly (NsType | 'pid')[] = ['mnt', 'uts', 'ipc', 'pid', 'cgroup', 'net', 'time'];
    const joins: NsIdentity[] = [];
    for (const type of order) {
      if (type === 'pid') {
        if (!anyFlag(flags, CLONE_NEWPID)) continue;
        const e = pidnsCheck(me, t.activeNs);
        if (e !== 0) return e;
        continue;
      }
      if (!anyFlag(flags, NS_TYPE_FLAG[type])) continue;
      const e = otherNsCheck(me, set[type], flags === CLONE_NEWNS);
      if (e !== 0) return e;
      joins.push(set[type]);
    }
    for (const ns of joins) otherNsCommit(k, me, ns);
    if (anyFlag(flags, CLONE_NEWPID)) return pidnsInstall(k, me, t.activeNs);
    return 0;  });
}
