// The part of a task's address space (struct mm_struct) that identity sees:
// who shares it (CLONE_VM, threads), because mm_release() writes and wakes a
// task's clear_child_tid word only while another task still uses the memory
// (kernel/fork.c: "if (atomic_read(&mm->mm_users) > 1)"), and because the tid
// words CLONE_CHILD_SETTID / CLONE_PARENT_SETTID / set_tid_address name live
// in it. A task that never shared its memory has none (Task.mm is null).

import type { Kernel } from './kernel.js';
import type { Task } from './task.js';

export class Mm {
  /** mm_users: the tasks that use this memory and have not passed exit_mm() or exec. */
  readonly users = new Set<Task>();
}

/**
 * fs_struct, as far as setns needs it: who shares it (CLONE_FS). A mount
 * namespace join refuses a shared one (mntns_install: "if (fs->users != 1)
 * return -EINVAL"). Null on a task: private.
 */
export class FsShare {
  readonly users = new Set<Task>();
}

/** copy_fs() with CLONE_FS. */
export function shareFs(parent: Task, child: Task): void {
  let fs = parent.fs;
  if (fs === null) {
    fs = new FsShare();
    fs.users.add(parent);
    parent.fs = fs;
  }
  fs.users.add(child);
  child.fs = fs;
}

/** exit_fs(), and unshare_fs() of a shared one: the task stops sharing. */
export function releaseFs(t: Task): void {
  t.fs?.users.delete(t);
  t.fs = null;
}

/** Whether the task's fs_struct is shared with another live task. */
export function fsShared(t: Task): boolean {
  return t.fs !== null && t.fs.users.size > 1;
}

/** copy_mm() with CLONE_VM: the child uses the parent's memory (made shareable now if it was private). */
export function shareMm(parent: Task, child: Task): void {
  let mm = parent.mm;
  if (mm === null) {
    // No serial: the snapshot does not carry memory yet, and a serial would shift every later one after a restore.
    mm = new Mm();
    mm.users.add(parent);
    parent.mm = mm;
  }
  mm.users.add(child);
  child.mm = mm;
}

/**
 * Tasks that call do_exit() themselves right after starting their group's
 * exit (reboot_pid_ns: send_sig(SIGKILL) to the init, then do_exit(0)): they
 * pass exit_mm() before the threads they just woke can, so no race.
 */
const exitsAhead = new WeakSet<Task>();

/** Marks the caller of a call that ends its group and then exits itself at once (reboot.ts). */
export function exitAheadOfGroup(t: Task): void {
  exitsAhead.add(t);
}

/**
 * In a group exit (exit_group, a fatal signal) the threads pass exit_mm()
 * concurrently: which one is the memory's last user, whose word is left
 * alone, is a race in Linux. The transcript shows no clear for any of them
 * then (both backends follow this), unless a task outside the dying groups
 * keeps the memory in use, so that every one of them is cleared.
 */
function racyInGroupExit(t: Task, mm: Mm): boolean {
  if (!t.group.groupExit || exitsAhead.has(t)) return false;
  for (const u of mm.users) if (u.group !== t.group && u.exitState === 'alive' && !u.group.groupExit) return false;
  return true;
}

/**
 * mm_release() (exit_mm_release at exit, exec_mm_release at exec): the
 * clear_child_tid word gets 0 and a FUTEX_WAKE while another task shares the
 * memory; either way the task forgets the address. Then the task stops using
 * the memory.
 */
export function releaseMm(k: Kernel, t: Task): void {
  const mm = t.mm;
  // "if (tsk->vfork_done) complete_vfork_done(tsk)": the vfork parent's clone returns.
  const parent = t.vforkParent;
  if (parent !== null) {
    t.vforkParent = null;
    parent.vforkChild = null;
    k.emit({ type: 'vfork_done', task: parent.seq, child: t.seq });
  }
  if (t.clearChildTid) {
    if (mm !== null && mm.users.size > 1 && !racyInGroupExit(t, mm) && k.listening) k.emit({ type: 'tid_cleared', task: t.seq });
    t.clearChildTid = false;
  }
  if (mm !== null) {
    mm.users.delete(t);
    t.mm = null;
  }
}
