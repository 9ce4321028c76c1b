// unshare(2) and setns(2) (kernel/fork.c ksys_unshare, kernel/nsproxy.c,
// kernel/pid_namespace.c pidns_install). For PID namespaces neither moves the
// caller: they change the namespace its future children are born in; the
// other types (ns_identity.ts) move it at once, time only for its children.

import { CLONE_FILES, CLONE_FS, CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWTIME, CLONE_NEWUSER, CLONE_NEWUTS, CLONE_SIGHAND, CLONE_SYSVSEM, CLONE_THREAD, CLONE_VM } from '../abi/clone.js';
import { Errno } from '../abi/errno.js';
import { nsCapable } from './cred.js';
import { anyFlag, hasFlag, withoutFlags } from './flags.js';
import { checkNewPidNs, createUserNs } from './fork.js';
import type { Kernel } from './kernel.js';
import type { PidNamespace } from './pid_namespace.js';
import { fsShared, releaseFs } from './mm.js';
import { newNsSet, OTHER_NS_FLAGS, type NsIdentity } from './ns_identity.js';
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
  let cred = me.cred;
  if (hasFlag(flags, CLONE_NEWUSER)) {
    const c = createUserNs(k, cred);
    if (isFail(c)) return c;
    cred = c;
  }
  // unshare_nsproxy_namespaces(): CAP_SYS_ADMIN in the (possibly new) user namespace for any new namespace.
  const otherNs = flags & OTHER_NS_FLAGS;
  if ((otherNs !== 0 || hasFlag(flags, CLONE_NEWPID)) && !nsCapable(cred, cred.userNs)) return fail(Errno.EPERM);
  if (hasFlag(flags, CLONE_NEWPID)) {
    // copy_pid_ns(): only once per namespace change, before any child was born into it.
    if (me.activeNs !== me.nsForChildren) return fail(Errno.EINVAL);
    const e = checkNewPidNs(me.nsForChildren, cred);
    if (e !== 0) return e;
    me.nsForChildren = k.createPidNamespace(me.nsForChildren, cred.userNs);
    k.emit({ type: 'ns_switched', task: me.seq, pidForChildren: me.nsForChildren.name });
  }
  // unshare_fs(): CLONE_FS (implied by CLONE_NEWNS and CLONE_NEWUSER) gives the caller a private fs_struct.
  if (hasFlag(flags, CLONE_NEWNS) || hasFlag(flags, CLONE_FS)) releaseFs(me);
  // create_new_namespaces(): the caller moves into each new one at once, except time: unshare(CLONE_NEWTIME)
  // changes only time_for_children (its children are born there).
  if (otherNs !== 0) me.nsset = newNsSet(k.nsCounter, k.nsSetOf(me), otherNs, cred.userNs, false);
  me.cred = cred;
  return 0;
}

/**
 * setns() into one namespace of these types (kernel/nsproxy.c validate_ns
 * and each type's install): CAP_SYS_ADMIN over the namespace's owner and the
 * caller's own user namespace (mntns_install also asks CAP_SYS_CHROOT, which
 * root has with it); a time namespace only for a single-threaded caller
 * (timens_install: -EUSERS), and it becomes both time and time_for_children.
 */
export function otherNsInstall(k: Kernel, me: Task, ns: NsIdentity): 0 | Fail {
  const e = otherNsCheck(me, ns, true);
  if (e !== 0) return e;
  otherNsCommit(k, me, ns);
  return 0;
}

/** The checks of otherNsInstall, changing nothing (setns through a pidfd checks every namespace first). */
export function otherNsCheck(me: Task, ns: NsIdentity, ownFs: boolean): 0 | Fail {
  if (ns.type === 'time' && !singleThreaded(me)) return fail(Errno.EUSERS);
  if (!nsCapable(me.cred, ns.userNs) || !nsCapable(me.cred, me.cred.userNs)) return fail(Errno.EPERM);
  // prepare_nsset() uses the caller's own fs_struct when CLONE_NEWNS is the only flag (a copy otherwise),
  // and mntns_install() refuses a shared one.
  if (ns.type === 'mnt' && ownFs && fsShared(me)) return fail(Errno.EINVAL);
  return 0;
}

/** commit_nsset() for one namespace. */
export function otherNsCommit(k: Kernel, me: Task, ns: NsIdentity): void {
  const old = k.nsSetOf(me);
  me.nsset = ns.type === 'time' ? { ...old, time: ns, timeForChildren: ns } : { ...old, [ns.type]: ns };
}

/** current_is_single_threaded(): no other live thread, and no other process using the memory (CLONE_VM). */
function singleThreaded(me: Task): boolean {
  for (const t of me.group.threads) if (t !== me && t.exitState === 'alive') return false;
  return me.mm === null || me.mm.users.size <= 1;
}

function sighandShared(k: Kernel, me: Task): boolean {
  const mine = me.group.sighandRef;
  // A group without a table of its own shares nothing.
  if (mine === null) return false;
  for (const t of k.liveTasks()) if (t.group !== me.group && t.group.sighandRef === mine) return true;
  return false;
}

/** pidns_install()'s checks, changing nothing. */
export function pidnsCheck(me: Task, target: PidNamespace): 0 | Fail {
  if (!nsCapable(me.cred, target.userNs) || !nsCapable(me.cred, me.cred.userNs)) return fail(Errno.EPERM);
  const active = me.activeNs;
  if (target.level < active.level || !active.isAncestorOf(target)) return fail(Errno.EINVAL);
  return 0;
}

/** pidns_install(): join `target` for future children; only the active namespace or one below it. */
export function pidnsInstall(k: Kernel, me: Task, target: PidNamespace): 0 | Fail {
  const e = pidnsCheck(me, target);
  if (e !== 0) return e;
  me.nsForChildren = target;
  k.emit({ type: 'ns_switched', task: me.seq, pidForChildren: target.name });
  return 0;
}

/** pidns_for_children_get(): unreadable (ENOENT) while the namespace has no init, or once the task has exited. */
export function pidForChildrenOf(t: Task): PidNamespace | null {
  if (t.exitState !== 'alive') return null;
  return t.nsForChildren.childReaper === null ? null : t.nsForChildren;
}
