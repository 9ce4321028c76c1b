// exit, exit_group and what follows a task's death (kernel/exit.c): its
// children go to a new reaper (a live thread of the group, a subreaper, or
// the namespace init), its parent hears of it, and a dying namespace init
// first kills its whole namespace and waits for it to empty.

import { SA_NOCLDWAIT, Signal, SiCode } from '../abi/signal.js';
import { releaseFs, releaseMm } from './mm.js';
import { freePid } from './alloc_pid.js';
import type { Kernel } from './kernel.js';
import type { PidNamespace } from './pid_namespace.js';
import type { Pid } from './pid.js';
import { groupSendSigInfo, sendSignal, sigAction, startGroupExit } from './signal.js';
import type { SigInfo } from './signal_types.js';
import type { Task } from './task.js';
import type { ThreadGroup } from './thread_group.js';
import { releaseTty, ttyGroupExit } from './tty.js';
import { reapableZombie, wakeWaiters } from './wait.js';

/** exit(2) (SYS_exit): only the calling thread ends. `code` is the status word. */
export function doExit(k: Kernel, t: Task, code: number): void {
  runExit(k, t, code);
}

/** exit_group(2): every thread ends with the first group exit's status. */
export function doGroupExit(k: Kernel, t: Task, code: number): void {
  const group = t.group;
  if (group.groupExit) code = group.groupExitCode;
  else startGroupExit(k, group, code);
  runExit(k, t, code);
}

/** do_exit() up to the point where exit_notify() may have to wait for a dying namespace. */
export function runExit(k: Kernel, t: Task, code: number): void {
  if (t.exitState !== 'alive') return;
  t.exitState = 'exiting';
  t.exitCode = code;
  t.stopped = false;
  t.blocked = null;
  t.clearHandlersDue();
  k.blockedWaiters.delete(t);
  t.group.live--;
  // A vfork parent killed while it waits: wait_for_vfork_done() sets "child->vfork_done = NULL".
  const vforkChild = t.vforkChild;
  if (vforkChild !== null) {
    vforkChild.vforkParent = null;
    t.vforkChild = null;
  }
  // exit_mm() -> exit_mm_release(): before exit_notify(), so the word is cleared before the parent hears.
  releaseMm(k, t);
  releaseFs(t);
  // disassociate_ctty(1) and the files' last fput (a pty master's hangup), when the group is dead.
  if (k.ttys !== null && t.group.live === 0) ttyGroupExit(k, t);
  // synchronize_group_exit(): the last thread out makes it a group exit with its own code,
  // so wait reports the last thread's status even after the leader left first.
  if (t.group.live === 0 && !t.group.groupExit) {
    t.group.groupExit = true;
    t.group.groupExitCode = code;
  }
  const reaper = findChildReaper(k, t);
  if (reaper === null) return; // zap_pid_ns_processes() is waiting; finishZap() resumes.
  exitNotify(k, t, reaper);
}

/**
 * find_child_reaper(): the namespace's init, unless the exiting task is that
 * init: then another live thread of its group takes over, or, with none left,
 * the namespace dies (zap_pid_ns_processes) and null says "wait".
 */
function findChildReaper(k: Kernel, father: Task): Task | null {
  const ns = father.activeNs;
  const reaper = ns.childReaper;
  if (reaper !== father) return reaper ?? father;
  const alive = father.group.aliveThread();
  if (alive !== null) {
    ns.childReaper = alive;
    return alive;
  }
  zapPidNsProcesses(k, father, ns);
  return null;
}

/** SEND_SIG_PRIV: a kernel signal, forced past the init protection (one shared, immutable siginfo). */
const ZAP_KILL: SigInfo = Object.freeze({ signo: Signal.SIGKILL, code: SiCode.SI_KERNEL, pid: 0, status: 0 });

/**
 * zap_pid_ns_processes(): no more forks into the namespace, SIGCHLD ignored
 * so that dead children reap themselves, and SIGKILL for every task in it.
 */
function zapPidNsProcesses(k: Kernel, me: Task, ns: PidNamespace): void {
  ns.adding = false;
  me.group.ownSighand(k).set(Signal.SIGCHLD, 'SIG_IGN');
  me.zapInitPids = me.isLeader ? 1 : 2;
  // Walked in place: a SIGKILL only queues the group's exit (settle runs it), so no number changes under the walk.
  const idr = ns.idr;
  for (let nr = idr.nextMapped(2); nr >= 0; nr = idr.nextMapped(nr + 1)) {
    const task = idr.get(nr)!.task;
    if (task === null || task.group.groupExit) continue;
    sendSignal(k, task, ZAP_KILL, 'group', true, null);
  }
  k.zapWaiting.add(me);
}

/** A rebooted namespace's init: the status word its SIGCHLD carries, before reboot_pid_ns's code replaced the group's. */
const rebootNotifyWord = new WeakMap<ThreadGroup, number>();

/**
 * The rest of zap_pid_ns_processes(): reap children (kernel_wait4 with __WALL
 * until ECHILD), then wait until only the init's own Pids are left. Returns
 * whether anything moved.
 */
export function finishZap(k: Kernel, me: Task): boolean {
  let moved = false;
  let childrenLeft = false;
  for (const th of [...me.group.threads]) {
    for (const c of [...th.children]) {
      if (reapableZombie(c)) {
        releaseTask(k, c, me);
        moved = true;
      } else if (c.exitState !== 'dead') {
        childrenLeft = true;
      }
    }
  }
  if (childrenLeft) return moved;
  if (me.activeNs.pidAllocated !== me.zapInitPids) return moved;
  k.zapWaiting.delete(me);
  // "if (pid_ns->reboot) current->signal->group_exit_code = pid_ns->reboot": what wait reports. The SIGCHLD
  // carries tsk->exit_code, the code do_exit() was given (SIGKILL when killed, 0 when the init rebooted itself; seed 101850).
  if (me.activeNs.reboot !== 0) {
    rebootNotifyWord.set(me.group, me.exitCode);
    me.group.groupExitCode = me.activeNs.reboot;
  }
  exitNotify(k, me, me);
  return true;
}

/**
 * find_new_reaper(): a live thread of the father's group; else the nearest
 * subreaper ancestor in the same namespace level; else the namespace's reaper.
 */
function findNewReaper(father: Task, childReaper: Task): Task {
  const thread = father.group.aliveThread();
  if (thread !== null) return thread;
  if (father.group.hasChildSubreaper) {
    const level = father.pid.level;
    for (let r = father.parent; r !== null && r.pid.level === level; r = r.parent) {
      if (!r.group.isChildSubreaper) continue;
      const alive = r.group.aliveThread();
      if (alive !== null) return alive;
    }
  }
  return childReaper;
}

/** exit_notify() with forget_original_parent() and reparent_leader(). */
function exitNotify(k: Kernel, t: Task, childReaper: Task): void {
  // Children whose reparenting made them reap themselves (rare: only made when children exist).
  const dead: Task[] | null = t.children.size > 0 ? [] : null;
  if (t.children.size > 0) {
    const reaper = findNewReaper(t, childReaper);
    const moved = [...t.children];
    for (const p of moved) {
      for (const th of p.group.threads) {
        th.parent = reaper;
        // PR_SET_PDEATHSIG: the parent *thread* is gone, even when a sibling thread takes the child
        // (group_send_sig_info with SEND_SIG_NOINFO from the exiting thread: permission applies).
        if (th.pdeathSignal !== 0 && th.exitState === 'alive') groupSendSigInfo(k, t, th.pdeathSignal, th, SiCode.SI_USER, 'group');
      }
      if (k.listening) k.emit({ type: 'reparented', task: p.seq, from: t.seq, to: reaper.seq });
      // "If this is a threaded reparent there is no need to notify anyone anything has happened."
      if (reaper.group !== t.group) reparentLeader(k, t, p, dead!);
    }
    t.clearChildren();
    for (const p of moved) reaper.addChild(p);
  }
  // group_dead: the last thread of the group is leaving.
  if (t.group.live === 0) killOrphanedPgrp(k, t.group.leader, null);
  t.exitState = 'zombie';
  let autoreap: boolean;
  if (t.isLeader) autoreap = t.group.empty && doNotifyParent(k, t, t.exitSignal);
  else autoreap = true;
  if (k.listening) k.emit({ type: 'exited', task: t.seq, status: t.exitCode });
  if (dead !== null) for (const p of dead) releaseTask(k, p, null);
  if (autoreap) {
    t.exitState = 'dead';
    releaseTask(k, t, null);
  }
}

/** reparent_leader(): "We don't want people slaying init": exit_signal becomes SIGCHLD; a zombie is announced again. */
function reparentLeader(k: Kernel, father: Task, p: Task, dead: Task[]): void {
  if (p.exitState === 'dead') return;
  p.exitSignal = Signal.SIGCHLD;
  if (p.exitState === 'zombie' && p.group.empty) {
    if (doNotifyParent(k, p, p.exitSignal)) {
      p.exitState = 'dead';
      dead.push(p);
    }
  }
  killOrphanedPgrp(k, p, father);
}

/**
 * kill_orphaned_pgrp(): a process group that this exit (parent null) or this
 * reparenting (parent = the exiting father) leaves orphaned, and that has
 * stopped members, gets SIGHUP then SIGCONT (POSIX; kernel/exit.c).
 */
function killOrphanedPgrp(k: Kernel, tsk: Task, father: Task | null): void {
  const parent = father ?? tsk.parent;
  if (parent === null) return;
  const pgrp = tsk.group.pgrp;
  const ignored = father === null ? tsk.group : null;
  if (parent.group.pgrp === pgrp || parent.group.session !== tsk.group.session) return;
  if (!pgrpOrphaned(pgrp, ignored)) return;
  if (![...pgrp.pgrpMembers].some((g) => g.stopped)) return;
  for (const sig of [Signal.SIGHUP, Signal.SIGCONT]) {
    for (const g of [...pgrp.pgrpMembers].reverse()) {
      // SEND_SIG_PRIV: a kernel signal (SI_KERNEL, si_pid 0), forced.
      const info: SigInfo = { signo: sig, code: SiCode.SI_KERNEL, pid: 0, status: 0 };
      sendSignal(k, g.leader, info, 'group', true, null);
    }
  }
}

/**
 * do_notify_parent(): the exit signal to the parent (si_pid as the parent's
 * namespace sees the child) and a wakeup for its waiters. Returns true when
 * the child reaps itself (the parent ignores SIGCHLD).
 */
export function doNotifyParent(k: Kernel, tsk: Task, exitSignal: number): boolean {
  const parent = tsk.parent;
  // The scenario's init has its parent outside the model (the host), which reaps it there.
  if (parent === null) return false;
  let sig = exitSignal;
  // A parent that exec'd since the fork gets SIGCHLD, whatever was asked.
  if (sig !== Signal.SIGCHLD && tsk.parentExecId !== parent.group.execId) sig = Signal.SIGCHLD;
  // The common case, a parent that never touched SIGCHLD and blocks nothing: its SIG_DFL ignores the
  // signal (sig_ignored), so nothing is queued and no siginfo need be made; only the waiters wake.
  if (sig === Signal.SIGCHLD && parent.group.sighandRef === null && parent.sigBlocked === 0n && parent.realBlocked === 0n) {
    wakeWaiters(parent.group, tsk);
    return false;
  }
  let autoreap = false;
  const act = sigAction(parent.group, Signal.SIGCHLD);
  // "POSIX.1 defines special semantics for setting SIGCHLD to SIG_IGN or setting the SA_NOCLDWAIT flag":
  // the child reaps itself; with SA_NOCLDWAIT the signal is still sent.
  if (sig === Signal.SIGCHLD && (act.handler === 'SIG_IGN' || (act.flags & SA_NOCLDWAIT) !== 0)) {
    autoreap = true;
    if (act.handler === 'SIG_IGN') sig = 0;
  }
  if (sig > 0 && sig <= 64) {
    // How the group ended: a delayed leader's own exit code is not what its parent hears.
    const rebooted = tsk.activeNs.reboot !== 0 ? rebootNotifyWord.get(tsk.group) : undefined;
    const word = rebooted ?? (tsk.group.groupExit ? tsk.group.groupExitCode : tsk.exitCode);
    const pid = tsk.tidIn(parent.activeNs);
    const info: SigInfo =
      (word & 0x7f) === 0
        ? { signo: sig, code: SiCode.CLD_EXITED, pid, status: (word >> 8) & 0xff }
        : { signo: sig, code: (word & 0x80) !== 0 ? SiCode.CLD_DUMPED : SiCode.CLD_KILLED, pid, status: word & 0x7f };
    sendSignal(k, parent, info, 'group', false, null);
  }
  wakeWaiters(parent.group, tsk);
  return autoreap;
}

/**
 * release_task(): the task's Pid (and, for a leader, the group's tgid, pgrp
 * and session attachments) are dropped and numbers no one uses are freed.
 * The last thread of a group whose leader is a zombie announces the leader.
 */
export function releaseTask(k: Kernel, p: Task, by: Task | null): void {
  for (;;) {
    const group = p.group;
    const leader = group.leader;
    // list_del_rcu(&p->thread_node); curr_target moves on to the thread after it (the first, past the end).
    const threads = group.threads;
    const after = threads.has(p) ? p.threadNext : null;
    threads.delete(p);
    if (group.currTarget === p && threads.size > 0) group.currTarget = after ?? threads.first!;
    const pid = p.pid;
    if (pid.task === p) pid.task = null;
    p.exitState = 'dead';
    if (k.blockedWaiters.size > 0) k.blockedWaiters.delete(p);
    if (k.zapWaiting.size > 0) k.zapWaiting.delete(p);
    if (p === leader) {
      pid.tgidOf = null;
      group.pgrp.deletePgrpMember(group);
      group.session.deleteSessionMember(group);
      p.parent?.removeChild(p);
      freePid(k, group.pgrp);
      freePid(k, group.session);
      // __exit_signal(): the dead group's signal->tty reference goes with it (tty_kref_put).
      if (k.ttys !== null) releaseTty(k.ttys, group);
    }
    freePid(k, pid);
    if (k.listening) k.emit({ type: 'reaped', task: p.seq, by: by?.seq ?? null });
    if (leader !== p && group.empty && leader.exitState === 'zombie') {
      if (doNotifyParent(k, leader, leader.exitSignal)) {
        p = leader;
        by = null;
        continue;
      }
    }
    return;
  }
}

/**
 * will_become_orphaned_pgrp(pgrp, ignored) == true: no member has a parent
 * in a different process group of the same session (ignoring `ignored`).
 */
export function pgrpOrphaned(pgrp: Pid, ignored: ThreadGroup | null): boolean {
  for (const g of pgrp.pgrpMembers) {
    const leader = g.leader;
    if (g === ignored) continue;
    if ((leader.exitState === 'zombie' || leader.exitState === 'dead') && g.empty) continue;
    const parent = leader.parent;
    if (parent === null) continue;
    if (parent.group.pgrp !== pgrp && parent.group.session === g.session) return false;
  }
  return true;
}
