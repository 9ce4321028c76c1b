// A procfs mounted for one PID namespace (fs/proc/base.c, array.c): every
// number it shows is seen from that namespace, and it lists only what that
// namespace can see. This backs the views of the scenario language.

import type { Kernel } from '../kernel/kernel.js';
import type { PidNamespace } from '../kernel/pid_namespace.js';
import { pidForChildrenOf } from '../kernel/nsproxy.js';
import type { Task } from '../kernel/task.js';
import { taskState } from './state.js';
import type { ProcState } from './state.js';
import { cttyOf, pidNrIn } from '../kernel/tty.js';

/** One entry of the /proc readdir with the fields `ps` prints. */
export interface ProcRow {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  readonly sid: number;
  readonly state: ProcState;
  readonly name: string;
  /** The leader task behind the row (for tools that follow it). */
  readonly taskSeq: number;
}

/** The identity lines of /proc/PID/status. */
export interface ProcStatus {
  readonly name: string;
  readonly state: ProcState;
  readonly tgid: number;
  readonly pid: number;
  readonly ppid: number;
  readonly nstgid: readonly number[];
  readonly nspid: readonly number[];
  readonly nspgid: readonly number[];
  readonly nssid: readonly number[];
}

/** The targets of /proc/PID/ns/pid and pid_for_children: namespace names, null where the link cannot be read. */
export interface ProcNsLinks {
  readonly pid: string;
  readonly pidForChildren: string | null;
}

export class ProcFs {
  constructor(
    readonly kernel: Kernel,
    /** The namespace the procfs was mounted for. */
    readonly ns: PidNamespace,
  ) {}

  /** proc_pid_lookup(): /proc/N exists for any task whose tid is N here (threads too, though readdir hides them). */
  lookup(nr: number): Task | null {
    return this.ns.findPid(nr)?.task ?? null;
  }

  /** next_tgid(): the thread groups visible here, by ascending tgid (zombie leaders included). */
  readdir(): ProcRow[] {
    const rows: ProcRow[] = [];
    for (const [nr, pid] of this.ns.idr.ascending()) {
      const group = pid.tgidOf;
      if (group === null) continue;
      const t = group.leader;
      rows.push({
        pid: nr,
        ppid: this.ppidOf(t),
        pgid: t.pgidIn(this.ns),
        sid: t.sidIn(this.ns),
        state: taskState(t),
        name: t.comm,
        taskSeq: t.seq,
      });
    }
    return rows;
  }

  /**
   * do_task_stat()'s tty_nr and tpgid: -1 and no terminal without one, else
   * the foreground group as this namespace numbers it (0 when not visible or
   * none) and the terminal (its index in creation order; tty_nr encodes the
   * device, whose number only the kernel chooses).
   */
  ttyOf(t: Task): { tpgid: number; tty: number | null } {
    const tty = cttyOf(this.kernel, t.group);
    return tty === null ? { tpgid: -1, tty: null } : { tpgid: pidNrIn(tty.pgrp, this.ns), tty: tty.index };
  }

  /** "ppid = pid_alive(p) ? task_tgid_nr_ns(rcu_dereference(p->real_parent), ns) : 0" */
  private ppidOf(t: Task): number {
    return t.parent?.tgidIn(this.ns) ?? 0;
  }

  /** /proc/PID/status of a task visible here; the NS* columns run from this namespace's level to the task's. */
  status(t: Task): ProcStatus | null {
    if (t.exitState === 'dead' || t.tidIn(this.ns) === 0) return null;
    const pid = t.pid;
    const cols = (f: (ns: PidNamespace) => number): number[] => {
      const out: number[] = [];
      const chain = pid.ns.chain;
      for (let g = this.ns.level; g <= pid.level; g++) out.push(f(chain[g]!));
      return out;
    };
    return {
      name: t.comm,
      state: taskState(t),
      tgid: t.tgidIn(this.ns),
      pid: t.tidIn(this.ns),
      ppid: this.ppidOf(t),
      nstgid: cols((ns) => t.tgidIn(ns)),
      nspid: cols((ns) => t.tidIn(ns)),
      nspgid: cols((ns) => t.pgidIn(ns)),
      nssid: cols((ns) => t.sidIn(ns)),
    };
  }

  /** /proc/PID/task: the tids of the task's thread group, ascending (threads released at exit are gone). */
  tasks(t: Task): number[] | null {
    if (t.exitState === 'dead' || t.tidIn(this.ns) === 0) return null;
    return t.group.threads
      .toArray()
      .filter((th) => th.exitState !== 'dead')
      .map((th) => th.tidIn(this.ns))
      .filter((n) => n !== 0)
      .sort((a, b) => a - b);
  }

  /** readlink /proc/PID/ns/{pid,pid_for_children}. */
  nsLinks(t: Task): ProcNsLinks {
    return { pid: t.activeNs.name, pidForChildren: pidForChildrenOf(t)?.name ?? null };
  }
}
