// The model's invariants as code (STYLE.md, habit 7). Tests run checkInvariants
// after every step; each violation is reported with what was found.

import { MAX_PID_NS_LEVEL, TASK_COMM_LEN } from '../abi/limits.js';
import type { Kernel } from './kernel.js';
import type { Pid } from './pid.js';
import type { Task } from './task.js';
import type { ThreadGroup } from './thread_group.js';
import { MAX_USER_NS_LEVEL } from './limits.js';
import { ttyViolations } from './invariants_tty.js';

/** INVALID_UID is (uid_t)-1: no task ever holds it (setuid(-1) is EINVAL), so a kuid lies in [0, 2^32 - 2]. */
const MAX_KUID = 2 ** 32 - 2;

/** Bytes of `s` in UTF-8, stopping early once past `limit` (a 100 MB comm costs nothing). */
export function utf8LengthUpTo(s: string, limit: number): number {
  // A UTF-16 unit is at least one byte: a string longer than the limit in units is longer in bytes.
  if (s.length > limit) return limit + 1;
  let n = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return n;
}

/** Why `comm` is not one Linux can hold (15 bytes at most, no NUL: strscpy into char comm[TASK_COMM_LEN]), or null. */
export function commError(comm: string): string | null {
  if (utf8LengthUpTo(comm, TASK_COMM_LEN - 1) > TASK_COMM_LEN - 1) return `comm is longer than ${TASK_COMM_LEN - 1} bytes`;
  if (comm.includes('\0')) return 'comm holds a NUL byte';
  return null;
}

export class InvariantError extends Error {
  constructor(readonly violations: readonly string[]) {
    super(`invariant violated:\n  ${violations.join('\n  ')}`);
    this.name = 'InvariantError';
  }
}

/** Every violation found, or an empty list. */
export function findViolations(k: Kernel): string[] {
  const bad: string[] = [];
  const v = (cond: boolean, msg: () => string): void => {
    if (!cond) bad.push(msg());
  };
  const pids = new Set<Pid>();
  // Checks of a whole list run once per list, not once per member (a pgrp of a million would be quadratic).
  const groups = new Set<ThreadGroup>();
  // The task list is the root namespace's number space: each Pid's task must hold that Pid.
  const root = k.rootNs.idr;
  for (let nr = root.nextMapped(0); nr >= 0; nr = root.nextMapped(nr + 1)) {
    const pid = root.get(nr)!;
    if (pid.task !== null) v(pid.task.pid === pid, () => `Pid ${pid.serial} names task ${pid.task!.seq}, whose own Pid is ${pid.task!.pid.serial}`);
  }
  // A task off the task list (its Pid unhashed or not naming it) would vanish from every walk and its numbers be reused.
  const listed = (t: Task): boolean => t.exitState !== 'dead' && t.pid.hashed && t.pid.task === t;
  v(k.init.exitState === 'dead' || listed(k.init), () => `init (task ${k.init.seq}) is not released but not on the task list`);
  // Parent chains end (at init, whose parent is outside the model): tasks known to reach the end, so each chain is walked once.
  const rooted = new Set<Task>();
  const live = k.liveTasks();
  for (const t of live) {
    const name = `task ${t.seq} (${t.comm})`;
    v(t.exitState !== 'dead', () => `${name} is dead but still listed`);
    v(t.pid.hashed, () => `${name}: its Pid was freed`);
    const commBad = commError(t.comm);
    v(commBad === null, () => `${name}: ${commBad}`);
    for (const [what, id] of [['uid', t.cred.uid], ['euid', t.cred.euid], ['suid', t.cred.suid]] as const) {
      v(Number.isInteger(id) && id >= 0 && id <= MAX_KUID, () => `${name}: ${what} ${id} is not a valid kuid`);
    }
    v(t.cred.userNs.level <= MAX_USER_NS_LEVEL, () => `${name}: its user namespace is deeper than ${MAX_USER_NS_LEVEL}`);
    // pid_ns_for_children is the active namespace, one unshare()d below it, or one setns() joined below it (pidns_install).
    v(t.activeNs.isAncestorOf(t.nsForChildren), () => `${name}: ns_for_children ${t.nsForChildren.name} is not ${t.activeNs.name} or below it`);
    // Invariant: real_parent is a task on the task list, never the task itself, and the chain has no cycle.
    // A null parent is one outside the model (init's; in a host snapshot, any task whose parent was not captured).
    if (t.parent !== null) {
      v(t.parent !== t, () => `${name}: is its own parent`);
      v(listed(t.parent), () => `${name}: its parent task ${t.parent!.seq} is not on the task list`);
      // exit_notify() reparents the children before the parent becomes a zombie.
      v(t.parent.exitState === 'alive' || t.parent.exitState === 'exiting', () => `${name}: its parent task ${t.parent!.seq} is ${t.parent!.exitState}`);
    }
    if (!rooted.has(t)) {
      const path: Task[] = [];
      const onPath = new Set<Task>();
      let x: Task | null = t;
      while (x !== null && !rooted.has(x) && !onPath.has(x)) {
        onPath.add(x);
        path.push(x);
        x = x.parent;
      }
      v(x === null || rooted.has(x), () => `${name}: its parent chain has a cycle through task ${x!.seq}`);
      if (x === null || rooted.has(x)) for (const y of path) rooted.add(y);
    }
    for (const [i, p] of (t.pendingIfAny ?? []).entries()) v(p.signo >= 1 && p.signo <= 64, () => `${name}: pending[${i}] has signal ${p.signo}`);
    // Invariant: a task visible in a namespace is visible in every ancestor.
    for (let ns = t.activeNs.parent; ns !== null; ns = ns.parent) v(t.tidIn(ns) !== 0, () => `${name} visible in ${t.activeNs.name} but not in its ancestor ${ns.name}`);
    const group = t.group;
    v(group.threads.has(t), () => `${name} missing from its group's thread list`);
    if (!groups.has(group)) {
      groups.add(group);
      const threadsBad = group.threads.linkError();
      v(threadsBad === null, () => `${name}: its group's thread list: ${threadsBad}`);
      // Each thread on the list is on the task list too (its Pid names it), or it would drop out of every walk.
      for (const th of group.threads) v(listed(th), () => `${name}: thread ${th.seq} of its group is not on the task list`);
      // signal->live counts the threads that have not started to exit.
      let alive = 0;
      for (const th of group.threads) if (th.exitState === 'alive') alive++;
      v(group.live === alive, () => `${name}: its group's live count is ${group.live} but ${alive} threads are alive`);
      // SIGNAL_UNKILLABLE: set by copy_process on exactly the groups that are pid 1 of their namespace (is_child_reaper).
      const tgid = group.tgidPid;
      v(group.unkillable === (tgid.nrAt(tgid.ns.level) === 1), () => `${name}: its group is ${group.unkillable ? '' : 'not '}unkillable but its tgid is ${tgid.nrAt(tgid.ns.level)} in ${tgid.ns.name}`);
      v(group.threads.size === 0 || group.threads.has(group.currTarget), () => `${name}: its group's curr_target ${group.currTarget.seq} is not one of its threads`);
      for (const [i, p] of (group.sharedPendingIfAny ?? []).entries()) v(p.signo >= 1 && p.signo <= 64, () => `${name}: its group's shared pending[${i}] has signal ${p.signo}`);
    }
    // Invariant: tgid is the leader's tid.
    v(group.tgidPid === group.leader.pid, () => `${name}: tgid Pid is not its leader's Pid`);
    // The one place a tgid and a tid are compared: the brands say they are different kinds of id.
    v((t.tgidIn(t.activeNs) as number) === group.leader.tidIn(t.activeNs), () => `${name}: tgid differs from leader's tid`);
    v(group.threads.first === group.leader, () => `${name}: leader is not first on the thread list`);
    // Threads of a group share the active namespace.
    v(t.activeNs === group.leader.activeNs, () => `${name}: not in its leader's namespace`);
    if (t.isLeader) {
      v(group.tgidPid.tgidOf === group, () => `${name}: tgid Pid not attached to its group`);
      v(group.pgrp.pgrpMembers.has(group), () => `${name}: not attached to its pgrp`);
      v(group.session.sessionMembers.has(group), () => `${name}: not attached to its session`);
      if (t.parent !== null) v(t.parent.children.has(t), () => `${name}: not on its parent's children list`);
    } else {
      v(t.exitSignal === -1, () => `${name}: a thread with an exit signal`);
    }
    // forget_original_parent() hands the children on before a task becomes a zombie.
    v(t.children.size === 0 || t.exitState === 'alive' || t.exitState === 'exiting', () => `${name}: a ${t.exitState} task holds children`);
    const kidsBad = t.childListError();
    v(kidsBad === null, () => `${name}: its children list: ${kidsBad}`);
    for (const c of t.children) {
      v(c.parent === t, () => `${name}: child ${c.seq} names another parent`);
      v(c.isLeader, () => `${name}: child ${c.seq} is not a group leader`);
      v(c.exitState !== 'dead', () => `${name}: child ${c.seq} is dead but listed`);
      v(listed(c), () => `${name}: child ${c.seq} is not on the task list (its Pid is unhashed or does not name it)`);
    }
    if (t.blocked !== null) v(k.blockedWaiters.has(t), () => `${name}: blocked but not on the waiters list`);
    pids.add(t.pid);
    pids.add(group.pgrp);
    pids.add(group.session);
    if (t.exitState === 'alive' && t.group.stopped) v(t.stopped, () => `${name}: group stopped but thread runs`);
  }
  for (const p of pids) {
    v(p.hashed, () => `Pid ${p.serial}: in use but freed`);
    const listBad = p.memberListError();
    v(listBad === null, () => `Pid ${p.serial}: its member lists: ${listBad}`);
    // Invariant: all members of a process group share one session.
    let session: Pid | null = null;
    for (const g of p.pgrpMembers) {
      session ??= g.session;
      v(g.session === session, () => `Pid ${p.serial}: pgrp has members in two sessions`);
    }
    for (const u of p.numbers) v(u.ns.idr.get(u.nr) === p, () => `Pid ${p.serial}: number ${u.nr} in ${u.ns.name} maps elsewhere`);
  }
  // Every allocated number maps back to its Pid, and no number is used twice.
  const all = k.host === null ? k.namespaces : [k.host, ...k.namespaces];
  for (const ns of all) {
    let count = 0;
    for (const [nr, pid] of ns.idr.ascending()) {
      count++;
      v(pid.nrIn(ns) === nr, () => `${ns.name}: number ${nr} maps to a Pid that says ${pid.nrIn(ns)}`);
      v(pid.inUse, () => `${ns.name}: number ${nr} is held by an unused Pid`);
      v(pid.hashed, () => `${ns.name}: number ${nr} is held by a freed Pid`);
    }
    // No number is reserved without a Pid behind it (a failed alloc_pid gives back what it took).
    v(ns.idr.size === count, () => `${ns.name}: ${ns.idr.size} numbers taken but ${count} mapped`);
    v(count === ns.pidAllocated, () => `${ns.name}: pid_allocated ${ns.pidAllocated} but ${count} numbers mapped`);
    v(ns.pidMax >= 301 || ns === k.ns0, () => `${ns.name}: pid_max ${ns.pidMax} below the minimum`);
    if (ns.parent !== null) {
      v(ns.level === ns.parent.level + 1, () => `${ns.name}: level is not its parent's + 1`);
      // create_pid_namespace(): "if (!in_userns(parent_pid_ns->user_ns, user_ns)) goto out" (EPERM).
      v(ns.parent.userNs.contains(ns.userNs), () => `${ns.name}: owned by a user namespace outside its parent's`);
    }
    v(ns.level <= MAX_PID_NS_LEVEL, () => `${ns.name}: level ${ns.level} is deeper than ${MAX_PID_NS_LEVEL}`);
    // Invariant: child_reaper is a thread of the group whose tgid is 1 there (set by copy_process for pid 1,
    // moved to another thread of that group by find_child_reaper), and a namespace with a live pid 1 has one.
    if (ns !== k.host) {
      const reaper = ns.childReaper;
      if (reaper !== null) {
        const tgid = reaper.group.tgidPid;
        v(tgid.ns === ns && tgid.nrAt(ns.level) === 1, () => `${ns.name}: child reaper task ${reaper.seq} is not of the group with pid 1 there`);
        if (reaper.exitState !== 'dead') v(listed(reaper), () => `${ns.name}: child reaper task ${reaper.seq} is not on the task list`);
      }
      // Invariant: a namespace that never had its pid 1 has cursor 0. Its first task must get pid 1, and
      // alloc_pid resets the cursor of a namespace that never had a Pid when it fails ("if (!(ns->pid_allocated
      // & PIDNS_ADDING))" ... idr_set_cursor(&ns->idr, 0)); set_tid does not move it, and ns_last_pid writes
      // only the writer's active namespace, which has its init.
      if (reaper === null) v(ns.idr.cursor === 0, () => `${ns.name}: cursor ${ns.idr.cursor} but the namespace never had its pid 1`);
      // Invariant: only the death of its init disables a namespace's allocation (disable_pid_allocation in zap_pid_ns_processes).
      if (reaper === null) v(ns.adding, () => `${ns.name}: allocation disabled but the namespace never had its pid 1`);
      // Invariant: and it does disable it: once no thread of the init's group is alive, zap_pid_ns_processes
      // has run (find_child_reaper finds no live thread to take over), so nothing more can be born there.
      if (reaper !== null && reaper.group.aliveThread() === null) v(!ns.adding, () => `${ns.name}: its init's group has no live thread but allocation is enabled`);
      const one = ns.idr.get(1)?.task;
      if (one !== null && one !== undefined && one.exitState === 'alive' && one.pid.ns === ns) v(reaper !== null && reaper.group === one.group, () => `${ns.name}: pid 1 (task ${one.seq}) is alive but is not the child reaper`);
    }
  }
  if (k.ttys !== null) bad.push(...ttyViolations(k));
  return bad;
}

export function checkInvariants(k: Kernel): void {
  const bad = findViolations(k);
  if (bad.length > 0) throw new InvariantError(bad);
}
