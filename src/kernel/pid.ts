// struct pid (include/linux/pid.h): the identity of a task, a process group or
// a session, apart from its numbers. A Pid has one number per namespace level,
// from the root (level 0) down to the namespace it was allocated in. Numbers
// stay taken while any task is attached to the Pid under any type; the object
// itself may outlive its numbers (a pidfd keeps it, as put_pid does).

import type { Level } from './ids.js';
import { asLevel } from './ids.js';
import type { PidNamespace } from './pid_namespace.js';
import type { Task } from './task.js';
import type { ThreadGroup } from './thread_group.js';

/** struct upid: one number and the namespace it lives in. */
export interface UPid {
  readonly nr: number;
  readonly ns: PidNamespace;
}

const NO_GROUPS: ReadonlySet<ThreadGroup> = new Set();

export class Pid {
  /** Index = namespace level. Immutable. */
  readonly numbers: readonly UPid[];
  /** Creation order among all Pids of the kernel; identifies it in snapshots. */
  readonly serial: number;
  /** PIDTYPE_PID: the task whose thread id this is; null once it was released. */
  task: Task | null = null;
  /** PIDTYPE_TGID: the thread group whose id this is (attached while its leader holds this Pid). */
  tgidOf: ThreadGroup | null = null;
  /** PIDTYPE_PGID: the thread groups in this process group (made on first use). Invariant: all share one session. */
  private pgrp: Set<ThreadGroup> | null = null;
  /** PIDTYPE_SID: the thread groups in this session (made on first use). */
  private session: Set<ThreadGroup> | null = null;
  /** False once free_pid() gave the numbers back. */
  hashed = true;

  constructor(numbers: readonly UPid[], serial: number) {
    this.numbers = numbers;
    this.serial = serial;
  }

  get pgrpMembers(): ReadonlySet<ThreadGroup> {
    return this.pgrp ?? NO_GROUPS;
  }

  get sessionMembers(): ReadonlySet<ThreadGroup> {
    return this.session ?? NO_GROUPS;
  }

  addPgrpMember(g: ThreadGroup): void {
    (this.pgrp ??= new Set()).add(g);
  }

  deletePgrpMember(g: ThreadGroup): void {
    this.pgrp?.delete(g);
  }

  addSessionMember(g: ThreadGroup): void {
    (this.session ??= new Set()).add(g);
  }

  deleteSessionMember(g: ThreadGroup): void {
    this.session?.delete(g);
  }

  /** pid->level: the level of the namespace the Pid was allocated in. */
  get level(): Level {
    return asLevel(this.numbers.length - 1);
  }

  /** ns_of_pid(): the innermost namespace, where the number was first allocated. */
  get ns(): PidNamespace {
    return this.numbers[this.numbers.length - 1]!.ns;
  }

  /** pid_nr_ns(): the number in `ns`; 0 when the Pid is not visible there or was freed. */
  nrIn(ns: PidNamespace): number {
    if (!this.hashed) return 0;
    const upid = this.numbers[ns.level];
    return upid !== undefined && upid.ns === ns ? upid.nr : 0;
  }

  /** Whether any task still uses the Pid under some type (pid_has_task for every type). */
  get inUse(): boolean {
    return this.task !== null || this.tgidOf !== null || (this.pgrp !== null && this.pgrp.size > 0) || (this.session !== null && this.session.size > 0);
  }
}
