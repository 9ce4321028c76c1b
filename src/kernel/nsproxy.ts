// unshare(2) and setns(2) for PID namespaces (kernel/fork.c ksys_unshare,
// kernel/nsproxy.c, kernel/pid_namespace.c pidns_install). Neither moves the
// caller: they change the namespace its future children are born in.

import { CLONE_FILES, CLONE_FS, CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWTIME, CLONE_NEWUSER, CLONE_NEWUTS, CLONE_SIGHAND, CLONE_SYSVSEM, CLONE_THREAD, CLONE_VM } from '../abi/clone.js';
import { Errno } from '../abi/errno.js';
import { nsCapable } from './cred.js';
import { anyFlag, hasFlag, withoutFlags } from './flags.js';
import { checkNewPidNs, createUserNs } from './fork.js';
import type { Kernel } from './kernel.js';
import type { PidNamespace } from './pid_namespace.js';
import { fail, isFail } from './result.js';
import type { Fail } from './result.js';
import type { Task } from './task.js';

const UNSHARE_ALLOWED =
  CLONE_THREAD | CLONE_FS | CLONE_NEWNS | CLONE_SIGHAND | CLONE_VM | CLONE_FILES | CLONE_SYSVSEM | CLONE_NEWUTS | CLONE_NEWIPC |
  CLONE_NEWNET | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWCGROUP | CLONE_NEWTIME;

/** ksys_unshare() for the flags identity models. */
export function doUnshare(k: Kernel, me: Task, flagsIn: number): 0 | Fail {
  let flags = flagsIn;
  if (withoutFlags(flags, UNSHARE_ALLOWED) !== 0) return fail(Errno.EINVAL);
  if (hasFlag(flags, CLONE_NEWUSER)) flags |= CLONE_THREAD | CLONE_FS;
  if (hasFlag(flags, CLONE_VM)) flags |= CLONE_SIGHAND;
  if (hasFlag(flags, CLONE_SIGHAND)) flags |= CLONE_THREAD;
  // check_unshare_flags(): "Not implemented, but pretend it works if there is nothing to unshare."
  if (anyFlag(flags, CLONE_THREAD | CLONE_SIGHAND | CLONE_VM) && !me.group.empty) return fail(Errno.EINVAL);
  if (anyFlag(flags, CLONE_SIGHAND | CLONE_VM) && sighandShared(k, me)) return fail(Errno.EINVAL);
  if (anyFlag(flags, CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP | CLONE_NEWTIME)) return fail(Errno.ENOSYS);
  let cred = me.cred;
  if (hasFlag(flags, CLONE_NEWUSER)) {
    const c = createUserNs(k, cred);
    if (isFail(c)) return c;
    cred = c;
  }
  if (hasFlag(flags, CLONE_NEWPID)) {
    if (!nsCapable(cred, cred.userNs)) return fail(Errno.EPERM);
    // copy_pid_ns(): only once per namespace change, before any child was born into it.
    if (me.activeNs !== me.nsForChildren) return fail(Errno.EINVAL);
    const e = checkNewPidNs(me.nsForChildren, cred);
    if (e !== 0) return e;
    me.nsForChildren = k.createPidNamespace(me.nsForChildren, cred.userNs);
    k.emit({ type: 'ns_switched', task: me.seq, pidForChildren: me.nsForChildren.name });
  }
  me.cred = cred;
  return 0;
}

function sighandShared(k: Kernel, me: Task): boolean {
  const mine = me.group.sighandRef;
  // A group without a table of its own shares nothing.
  if (mine === null) return false;
  for (const t of k.liveTasks()) if (t.group !== me.group && t.group.sighandRef === mine) return true;
  return false;
}

/** pidns_install(): join `target` for future children; only the active namespace or one below it. */
export function pidnsInstall(k: Kernel, me: Task, target: PidNamespace): 0 | Fail {
  if (!nsCapable(me.cred, target.userNs) || !nsCapable(me.cred, me.cred.userNs)) return fail(Errno.EPERM);
  const active = me.activeNs;
  if (target.level < active.level || !active.isAncestorOf(target)) return fail(Errno.EINVAL);
  me.nsForChildren = target;
  k.emit({ type: 'ns_switched', task: me.seq, pidForChildren: target.name });
  return 0;
}

/** pidns_for_children_get(): unreadable (ENOENT) while the namespace has no init, or once the task has exited. */
export function pidForChildrenOf(t: Task): PidNamespace | null {
  if (t.exitState !== 'alive') return null;
  return t.nsForChildren.childReaper === null ? null : t.nsForChildren;
}
