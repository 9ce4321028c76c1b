// fork, clone, clone3 (kernel/fork.c: copy_process). The checks run in the
// kernel's order and all of them before anything changes, so a failing call
// leaves the model as it was (except the allocator cursors, as alloc_pid does).

import { CLONE_CLEAR_SIGHAND, CLONE_DETACHED, CLONE_FILES, CLONE_FS, CLONE_IO, CLONE_NEWPID, CLONE_NEWUSER, CLONE_PARENT, CLONE_SIGHAND, CLONE_SYSVSEM, CLONE_THREAD, CLONE_UNTRACED, CLONE_VM, CLONE_PIDFD, CLONE_NEWNS, CLONE_SETTLS, CLONE_PARENT_SETTID, CLONE_CHILD_SETTID, CLONE_CHILD_CLEARTID, CLONE_VFORK, CLONE_NEWIPC } from '../abi/clone.js';
import { shareFs, shareMm } from './mm.js';
import { newNsSet, OTHER_NS_FLAGS } from './ns_identity.js';
import { Errno } from '../abi/errno.js';
import { MAX_PID_NS_LEVEL } from '../abi/limits.js';
import { allocPid } from './alloc_pid.js';
import { nsCapable } from './cred.js';
import type { Cred } from './cred.js';
import { anyFlag, hasFlag, withoutFlags } from './flags.js';
import type { Kernel } from './kernel.js';
import type { PidNamespace } from './pid_namespace.js';
import { fail, isFail } from './result.js';
import type { Fail } from './result.js';
import { Task } from './task.js';
import { attachThreadGroup, ThreadGroup } from './thread_group.js';
import { UserNamespace } from './user_namespace.js';
import type { SigHand } from './sighand.js';
import { MAX_USER_NS_LEVEL } from './limits.js';
import { inheritCtty } from './tty.js';

export interface CloneArgs {
  /** Clone flags without the exit signal. */
  readonly flags: number;
  /** The signal the parent gets when the child exits (0: none). */
  readonly exitSignal: number;
  /** clone3's set_tid, innermost namespace first; empty when absent. */
  readonly setTid: readonly number[];
  /** The child's comm; the creator's when absent. */
  readonly comm?: string | undefined;
}

/**
 * Flags the model implements: identity flags, sharing flags (CLONE_VM and
 * CLONE_FILES are modeled; CLONE_FS, CLONE_SYSVSEM and CLONE_IO change nothing
 * it models), the tid words (CLONE_PARENT_SETTID, CLONE_CHILD_SETTID,
 * CLONE_CHILD_CLEARTID: the syscalls layer reports what is written), CLONE_SETTLS
 * (the thread pointer, invisible to identity) and CLONE_PIDFD.
 */
const MODELED =
  CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_PARENT | CLONE_THREAD | CLONE_SYSVSEM | CLONE_DETACHED |
  CLONE_UNTRACED | CLONE_NEWUSER | CLONE_NEWPID | CLONE_IO | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID |
  CLONE_CHILD_CLEARTID | CLONE_PIDFD | CLONE_VFORK | OTHER_NS_FLAGS;

/** create_user_ns(): a child user namespace owned by the caller's euid, in which it holds every capability. */
export function createUserNs(k: Kernel, cred: Cred): Cred | Fail {
  const parent = cred.userNs;
  if (parent.level > MAX_USER_NS_LEVEL) return fail(Errno.EUSERS);
  // "The owner uid must be mapped in the parent": maps cannot be written here.
  if (!parent.mapped) return fail(Errno.EPERM);
  const ns = new UserNamespace(parent, cred.euid, k.nextUserNsSerial());
  return { ...cred, userNs: ns, caps: true };
}

/** create_pid_namespace(): a child of `parent`, owned by `userNs`. Checks only; `k.createPidNamespace` makes it. */
export function checkNewPidNs(parent: PidNamespace, cred: Cred): 0 | Fail {
  if (!parent.userNs.contains(cred.userNs)) return fail(Errno.EINVAL);
  if (parent.level + 1 > MAX_PID_NS_LEVEL) return fail(Errno.ENOSPC);
  return 0;
}

/** Flag tests for copy_process: a plain fork (no flags, the common case) answers each at once. */
const flag = (f: number, bit: number): boolean => f !== 0 && hasFlag(f, bit);
const anyOf = (f: number, mask: number): boolean => f !== 0 && anyFlag(f, mask);

/** copy_process() and the parts of kernel_clone() identity needs. Returns the new task. */
/**
 * copy_process() and the parts of kernel_clone() identity needs. Returns the
 * new task; a CLONE_PIDFD fd is installed by the caller (syscalls/process.ts)
 * after this returns, which is where pidfd_prepare() stands relative to
 * copy_files(): a copied table does not hold it, a shared one does.
 */
export function copyProcess(k: Kernel, current: Task, args: CloneArgs): Task | Fail {
  const f = args.flags;
  if (flag(f, CLONE_NEWNS | CLONE_FS)) return fail(Errno.EINVAL);
  if (flag(f, CLONE_NEWUSER | CLONE_FS)) return fail(Errno.EINVAL);
  // "Thread groups must share signals as well"; "Shared signal handlers imply shared VM".
  if (flag(f, CLONE_THREAD) && !flag(f, CLONE_SIGHAND)) return fail(Errno.EINVAL);
  if (flag(f, CLONE_SIGHAND) && !flag(f, CLONE_VM)) return fail(Errno.EINVAL);
  // "prevent global and container-inits from creating siblings"
  if (flag(f, CLONE_PARENT) && current.group.unkillable) return fail(Errno.EINVAL);
  if (flag(f, CLONE_THREAD)) {
    if (anyOf(f, CLONE_NEWUSER | CLONE_NEWPID) || current.activeNs !== current.nsForChildren) return fail(Errno.EINVAL);
  }
  if (flag(f, CLONE_PIDFD) && flag(f, CLONE_DETACHED)) return fail(Errno.EINVAL);
  // get_unused_fd_flags() for the pidfd fails with EMFILE after the checks above; tested before anything is made.
  if (flag(f, CLONE_PIDFD) && !current.group.hasFreeFd()) return fail(Errno.EMFILE);
  // Other namespaces, ptrace, vfork and the pointer-writing flags are not modeled: say so.
  if ((f === 0 ? 0 : withoutFlags(f, (MODELED >>> 0) + CLONE_CLEAR_SIGHAND)) !== 0) return fail(Errno.ENOSYS);

  // copy_creds()
  let cred = current.cred;
  if (flag(f, CLONE_NEWUSER)) {
    const c = createUserNs(k, cred);
    if (isFail(c)) return c;
    cred = c;
  }
  // copy_namespaces(): one CAP_SYS_ADMIN check for every new namespace, then create_new_namespaces()
  // (copy_pid_ns's rules among them).
  let childNs = current.nsForChildren;
  const newPidNs = flag(f, CLONE_NEWPID);
  const otherNs = f === 0 ? 0 : f & OTHER_NS_FLAGS;
  if (newPidNs || otherNs !== 0) {
    if (!nsCapable(cred, cred.userNs)) return fail(Errno.EPERM);
    // "CLONE_NEWIPC must detach from the undolist: after switching to a new ipc namespace, the old semaphores aren't meaningful"
    if (flag(f, CLONE_NEWIPC | CLONE_SYSVSEM)) return fail(Errno.EINVAL);
  }
  if (newPidNs) {
    if (current.activeNs !== current.nsForChildren) return fail(Errno.EINVAL);
    const e = checkNewPidNs(current.nsForChildren, cred);
    if (e !== 0) return e;
  }
  // The namespace is made only now that nothing else can fail before alloc_pid; if alloc_pid fails it is dropped unseen.
  let madeNs: PidNamespace | null = null;
  if (newPidNs) {
    madeNs = k.makePidNamespace(current.nsForChildren, cred.userNs);
    childNs = madeNs;
  }
  const pid = allocPid(k, childNs, args.setTid, current.cred);
  if (isFail(pid)) return pid;
  if (madeNs !== null) k.registerPidNamespace(madeNs);

  const thread = flag(f, CLONE_THREAD);
  const inheritParent = thread || flag(f, CLONE_PARENT);
  // "CLONE_PARENT re-uses the old parent"
  const parent = inheritParent ? current.parent : current;
  let exitSignal: number;
  if (thread) exitSignal = -1;
  else if (flag(f, CLONE_PARENT)) exitSignal = current.group.leader.exitSignal;
  else exitSignal = args.exitSignal;

  const child = new Task(k.nextTaskSeq(), pid, parent, exitSignal, childNs, args.comm ?? current.comm, cred);
  child.parentExecId = inheritParent ? current.parentExecId : current.group.execId;
  // dup_task_struct() copies the blocked mask (threads and processes alike); pending is emptied and
  // pdeath_signal cleared ("p->pdeath_signal = 0"), which a new Task already is.
  child.sigBlocked = current.sigBlocked;
  pid.task = child;
  // copy_namespaces(): new namespaces owned by the child's user namespace; timens_on_fork() puts the
  // child in its parent's time_for_children, so a parent that unshared CLONE_NEWTIME changes its child's too.
  const parentSet = current.nsset;
  const startSet = parentSet ?? k.initialNsSet;
  if (otherNs !== 0 || startSet.time !== startSet.timeForChildren) child.nsset = newNsSet(k.nsCounter, startSet, otherNs, cred.userNs, true);
  else child.nsset = parentSet;
  // copy_mm(): CLONE_VM shares the memory (threads always do: CLONE_THREAD needs CLONE_SIGHAND needs CLONE_VM).
  if (flag(f, CLONE_VM)) shareMm(current, child);
  if (flag(f, CLONE_FS)) shareFs(current, child);
  // "p->clear_child_tid = (clone_flags & CLONE_CHILD_CLEARTID) ? args->child_tid : NULL"
  if (flag(f, CLONE_CHILD_CLEARTID)) child.clearChildTid = true;
  // CLONE_VFORK: "p->vfork_done = &vfork"; kernel_clone() then waits in wait_for_vfork_done() (killable).
  if (flag(f, CLONE_VFORK)) {
    child.vforkParent = current;
    current.vforkChild = child;
  }

  if (thread) {
    const group = current.group;
    child.group = group;
    group.threads.add(child);
    group.live++;
    // task_join_group_stop(): a thread born into a stopped group is stopped too.
    if (group.stopped) child.stopped = true;
  } else {
    // copy_sighand(): shared (the parent's table is made now if it had none), or a private copy; a
    // default table stays unmade until the child changes it.
    const parentHand = current.group.sighandRef;
    let sighand: SigHand | null;
    if (flag(f, CLONE_SIGHAND)) sighand = current.group.ownSighand(k);
    else if (parentHand === null) sighand = null;
    else {
      sighand = parentHand.copy(k.nextSerial());
      if (flag(f, CLONE_CLEAR_SIGHAND)) sighand.flushHandlers();
    }
    // copy_files(): CLONE_FILES shares the table (made now if the parent had none); otherwise the
    // pidfds are copied, and no table means nothing to copy.
    const parentFiles = current.group.filesRef;
    const files = flag(f, CLONE_FILES) ? current.group.ownFiles(k) : parentFiles === null ? null : parentFiles.copy(k.nextSerial());
    const group = new ThreadGroup(child, current.group.pgrp, current.group.session, sighand, files, k.nextSerial());
    // dup_mm(): the mm's flags, dumpability among them, are the parent's (mm_init, MMF_INIT_MASK).
    group.dumpable = current.group.dumpable;
    // copy_process(): "p->signal->tty = tty_kref_get(current->signal->tty)".
    if (k.ttys !== null) inheritCtty(k, current.group, group);
    const rp = child.parent;
    group.hasChildSubreaper = rp !== null && (rp.group.hasChildSubreaper || rp.group.isChildSubreaper);
    if (rp !== null) rp.addChild(child);
    attachThreadGroup(group);
  }
  if (k.listening) k.emit({ type: 'forked', task: child.seq, parent: child.parent?.seq ?? null, creator: current.seq, thread });
  return child;
}
