// The model's invariants as code (STYLE.md, habit 7). Tests run checkInvariants
// after every step; each violation is reported with what was found.

import type { Kernel } from './kernel.js';
import type { Pid } from './pid.js';
import type { ThreadGroup } from './thread_group.js';

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
  for (const t of k.liveTasks()) {
    const name = `task ${t.seq} (${t.comm})`;
    v(t.exitState !== 'dead', () => `${name} is dead but still listed`);
    v(t.pid.hashed, () => `${name}: its Pid was freed`);
    // Invariant: a task visible in a namespace is visible in every ancestor.
    for (let ns = t.activeNs.parent; ns !== null; ns = ns.parent) v(t.tidIn(ns) !== 0, () => `${name} visible in ${t.activeNs.name} but not in its ancestor ${ns.name}`);
    const group = t.group;
    v(group.threads.has(t), () => `${name} missing from its group's thread list`);
    if (!groups.has(group)) {
      groups.add(group);
      const threadsBad = group.threads.linkError();
      v(threadsBad === null, () => `${name}: its group's thread list: ${threadsBad}`);
      // Each thread on the list is on the task list too (its Pid names it), or it would drop out of every walk.
      for (const th of group.threads) v(th.pid.task === th, () => `${name}: thread ${th.seq} of its group is not on the task list`);
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
      v(t.children.size === 0 || t.exitState === 'alive' || t.exitState === 'exiting', () => `${name}: released thread holds children`);
      v(t.exitSignal === -1, () => `${name}: a thread with an exit signal`);
    }
    const kidsBad = t.childListError();
    v(kidsBad === null, () => `${name}: its children list: ${kidsBad}`);
    for (const c of t.children) {
      v(c.parent === t, () => `${name}: child ${c.seq} names another parent`);
      v(c.isLeader, () => `${name}: child ${c.seq} is not a group leader`);
      v(c.exitState !== 'dead', () => `${name}: child ${c.seq} is dead but listed`);
      v(c.pid.task === c, () => `${name}: child ${c.seq} is not on the task list (its Pid does not name it)`);
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
    if (ns.parent !== null) v(ns.level === ns.parent.level + 1, () => `${ns.name}: level is not its parent's + 1`);
  }
  return bad;
}

export function checkInvariants(k: Kernel): void {
  const bad = findViolations(k);
  if (bad.length > 0) throw new InvariantError(bad);
}
