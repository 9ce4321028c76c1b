// struct pid (include/linux/pid.h): the identity of a task, a process group or
// a session, apart from its numbers. A Pid has one number per namespace level,
// from the root (level 0) down to the namespace it was allocated in. Numbers
// stay taken while any task is attached to the Pid under any type; the object
// itself may outlive its numbers (a pidfd keeps it, as put_pid does).
//
// struct pid holds `numbers[level + 1]` of struct upid inline; a Pid keeps
// plain integers: its two innermost numbers as fields (most Pids have no
// others) and any outer ones in an array. The namespace of level L is the
// L-th entry of its own namespace's chain, shared by every Pid allocated there.

import type { Level } from './ids.js';
import { EMPTY_LIST, IntrusiveList } from './list.js';
import type { MemberList } from './list.js';
import type { PidNamespace } from './pid_namespace.js';
import type { Task } from './task.js';
import type { ThreadGroup } from './thread_group.js';

/** struct upid: one number and the namespace it lives in. */
export interface UPid {
  readonly nr: number;
  readonly ns: PidNamespace;
}

/** pid->tasks[PIDTYPE_PGID], threaded through each member group's pgrp links. */
class PgrpList extends IntrusiveList<ThreadGroup> {
  protected prevOf(n: ThreadGroup): ThreadGroup | null {
    return n.pgrpPrev;
  }
  protected nextOf(n: ThreadGroup): ThreadGroup | null {
    return n.pgrpNext;
  }
  protected listOf(n: ThreadGroup): IntrusiveList<ThreadGroup> | null {
    return n.pgrpList;
  }
  protected setLinks(n: ThreadGroup, prev: ThreadGroup | null, next: ThreadGroup | null, list: IntrusiveList<ThreadGroup> | null): void {
    n.pgrpPrev = prev;
    n.pgrpNext = next;
    n.pgrpList = list;
  }
  protected setPrev(n: ThreadGroup, prev: ThreadGroup | null): void {
    n.pgrpPrev = prev;
  }
  protected setNext(n: ThreadGroup, next: ThreadGroup | null): void {
    n.pgrpNext = next;
  }
}

/** pid->tasks[PIDTYPE_SID], threaded through each member group's session links. */
class SessionList extends IntrusiveList<ThreadGroup> {
  protected prevOf(n: ThreadGroup): ThreadGroup | null {
    return n.sessionPrev;
  }
  protected nextOf(n: ThreadGroup): ThreadGroup | null {
    return n.sessionNext;
  }
  protected listOf(n: ThreadGroup): IntrusiveList<ThreadGroup> | null {
    return n.sessionList;
  }
  protected setLinks(n: ThreadGroup, prev: ThreadGroup | null, next: ThreadGroup | null, list: IntrusiveList<ThreadGroup> | null): void {
    n.sessionPrev = prev;
    n.sessionNext = next;
    n.sessionList = list;
  }
  protected setPrev(n: ThreadGroup, prev: ThreadGroup | null): void {
    n.sessionPrev = prev;
  }
  protected setNext(n: ThreadGroup, next: ThreadGroup | null): void {
    n.sessionNext = next;
  }
}

export class Pid {
  // Field order is layout: what a lookup and pid_nr_ns() read (task, hashed, ns, nr, parentNr) comes
  // first, in the object's first cache line.
  /** PIDTYPE_PID: the task whose thread id this is; null once it was released. */
  task: Task | null = null;
  /** False once free_pid() gave the numbers back. */
  hashed = true;
  /** ns_of_pid(): the innermost namespace, where the number was first allocated. Immutable. */
  readonly ns: PidNamespace;
  /** numbers[level].nr: the number in its own namespace. Immutable. */
  readonly nr: number;
  /** numbers[level - 1].nr: the number in the parent namespace (0 at level 0). Immutable. */
  readonly parentNr: number;
  /** numbers[0 .. level - 2].nr, or null when level < 2. Immutable. The two innermost stay inline: most Pids need no array. */
  readonly outerNrs: readonly number[] | null;
  /** Creation order among all Pids of the kernel; identifies it in snapshots. */
  readonly serial: number;
  /** PIDTYPE_TGID: the thread group whose id this is (attached while its leader holds this Pid). */
  tgidOf: ThreadGroup | null = null;
  /** PIDTYPE_PGID: the thread groups in this process group (made on first use). Invariant: all share one session. */
  private pgrp: PgrpList | null = null;
  /** PIDTYPE_SID: the thread groups in this session (made on first use). */
  private session: SessionList | null = null;

  /** `nrs[l]` is the number at level l, for every level of `ns`. */
  constructor(ns: PidNamespace, nrs: readonly number[], serial: number) {
    const level = ns.level;
    this.ns = ns;
    this.nr = nrs[level]!;
    this.parentNr = level > 0 ? nrs[level - 1]! : 0;
    this.outerNrs = level > 1 ? nrs.slice(0, level - 1) : null;
    this.serial = serial;
  }

  /** numbers[l].nr: the number at level l (0 ≤ l ≤ level). */
  nrAt(l: number): number {
    const level = this.ns.level;
    return l === level ? this.nr : l === level - 1 ? this.parentNr : this.outerNrs![l]!;
  }

  /** Every level's number, index = level (made on demand). */
  get nrs(): readonly number[] {
    const out: number[] = [];
    for (let l = 0; l <= this.ns.level; l++) out.push(this.nrAt(l));
    return out;
  }

  /** numbers[]: each level's number with its namespace (made on demand; hot paths use nrAt). */
  get numbers(): readonly UPid[] {
    const chain = this.ns.chain;
    return this.nrs.map((nr, i) => ({ nr, ns: chain[i]! }));
  }

  get pgrpMembers(): MemberList<ThreadGroup> {
    return this.pgrp ?? EMPTY_LIST;
  }

  get sessionMembers(): MemberList<ThreadGroup> {
    return this.session ?? EMPTY_LIST;
  }

  /** What is wrong with the pgrp and session member lists' links, or null (the invariant checker). */
  memberListError(): string | null {
    const p = this.pgrp?.linkError() ?? null;
    if (p !== null) return `pgrp: ${p}`;
    const s = this.session?.linkError() ?? null;
    return s === null ? null : `session: ${s}`;
  }

  /** False when `g` is on another process group's list (it must leave that one first). */
  addPgrpMember(g: ThreadGroup): boolean {
    return (this.pgrp ??= new PgrpList()).add(g);
  }

  deletePgrpMember(g: ThreadGroup): void {
    this.pgrp?.delete(g);
  }

  /** False when `g` is on another session's list (it must leave that one first). */
  addSessionMember(g: ThreadGroup): boolean {
    return (this.session ??= new SessionList()).add(g);
  }

  deleteSessionMember(g: ThreadGroup): void {
    this.session?.delete(g);
  }

  /** pid->level: the level of the namespace the Pid was allocated in. */
  get level(): Level {
    return this.ns.level;
  }

  /** pid_nr_ns(): the number in `ns`; 0 when the Pid is not visible there or was freed. */
  nrIn(ns: PidNamespace): number {
    if (!this.hashed) return 0;
    const l = ns.level;
    return l <= this.ns.level && this.ns.chain[l] === ns ? this.nrAt(l) : 0;
  }

  /** Whether any task still uses the Pid under some type (pid_has_task for every type). */
  get inUse(): boolean {
    return this.task !== null || this.tgidOf !== null || (this.pgrp !== null && this.pgrp.size > 0) || (this.session !== null && this.session.size > 0);
  }
}
