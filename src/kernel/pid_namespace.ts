// struct pid_namespace (include/linux/pid_namespace.h, kernel/pid_namespace.c):
// one level of the tree of PID namespaces, with its own number space, its
// pid_max, its child reaper (the "init" of the namespace) and its life.

import type { Level } from './ids.js';
import { asLevel } from './ids.js';
import { Idr } from './idr.js';
import type { Pid } from './pid.js';
import type { Task } from './task.js';
import type { UserNamespace } from './user_namespace.js';

export class PidNamespace {
  readonly level: Level;
  /** The namespace's numbers (ns->idr). */
  readonly idr = new Idr<Pid>();
  /** kernel.pid_max for this namespace (per namespace since Linux 6.14). */
  pidMax: number;
  /** ns->child_reaper: the init that adopts orphans; null until pid 1 exists. Never reset (as in Linux). */
  childReaper: Task | null = null;
  /** The count part of ns->pid_allocated: Pids holding a number here. */
  pidAllocated = 0;
  /** PIDNS_ADDING: cleared by disable_pid_allocation() when the init dies; forks then fail with ENOMEM. */
  adding = true;
  /** pid_ns->reboot: the signal a reboot(2) inside the namespace makes its init's death report (SIGHUP, SIGINT), else 0. */
  reboot = 0;

  /** This namespace's ancestors and itself, index = level: where a Pid's number at each level lives. */
  readonly chain: readonly PidNamespace[];

  constructor(
    /** Null for the root of the tree. Immutable. */
    readonly parent: PidNamespace | null,
    /** The user namespace that owns it (capabilities over it are held there). Immutable. */
    readonly userNs: UserNamespace,
    pidMax: number,
    /** Name in views: `ns0`, `ns1`, ... in creation order; `host` for the scenario's outer namespace. */
    readonly name: string,
    /** Creation order, for snapshots. */
    readonly serial: number,
  ) {
    this.level = asLevel(parent === null ? 0 : parent.level + 1);
    this.chain = parent === null ? [this] : [...parent.chain, this];
    this.pidMax = pidMax;
  }

  /** Whether `other` is this namespace or lies below it (the ancestor walk of pidns_install). */
  isAncestorOf(other: PidNamespace): boolean {
    return other.chain[this.level] === this;
  }

  /** find_pid_ns(): the Pid that `nr` names here, if any. */
  findPid(nr: number): Pid | undefined {
    return this.idr.get(nr);
  }

  /** idr_get_cursor(): the number the next cyclic allocation starts from. */
  get cursor(): number {
    return this.idr.cursor;
  }
}
