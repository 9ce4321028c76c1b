// struct task_struct, as far as identity goes: one thread, with its Pid, the
// thread group it belongs to, its parent and children, its exit state, the
// namespace its children will be born in, and what it is blocked in.

import type { Cred } from './cred.js';
import type { PidNamespace } from './pid_namespace.js';
import type { Pid } from './pid.js';
import type { SigInfo } from './signal_types.js';
import type { ThreadGroup } from './thread_group.js';
import type { WaitRequest } from './wait_types.js';

/**
 * A task's life (exit_state plus PF_EXITING):
 * - alive: running or blocked;
 * - exiting: do_exit() has begun but the task is not yet a zombie (a dying
 *   namespace init waits here in zap_pid_ns_processes for the namespace to empty);
 * - zombie: EXIT_ZOMBIE, waiting for its parent (or delayed: a leader with live threads);
 * - dead: EXIT_DEAD, released; its numbers are given back.
 */
export type ExitState = 'alive' | 'exiting' | 'zombie' | 'dead';

const NO_TASKS: ReadonlySet<Task> = new Set();

export class Task {
  /** Creation order in the kernel (init is 0). Immutable; the identity that tools use. */
  readonly seq: number;
  /** thread_pid. Changes only at de_thread, when an exec'ing thread takes over the leader's Pid. */
  pid: Pid;
  group!: ThreadGroup;
  /** real_parent: the task that wait()s for this one; null when it lives outside the model (the host). */
  parent: Task | null;
  /** children: the thread group leaders this task is the real parent of, in list order (made on first use). */
  private kids: Set<Task> | null = null;
  exitState: ExitState = 'alive';
  /** exit_code: the status word (code << 8, or the signal). */
  exitCode = 0;
  /** exit_signal: what the parent is sent at exit; -1 for non-leader threads. */
  exitSignal: number;
  /** nsproxy->pid_ns_for_children. */
  nsForChildren: PidNamespace;
  /** comm: the scenario names tasks by it. */
  comm: string;
  cred: Cred;
  /** The wait this task is blocked in, if any. */
  blocked: WaitRequest | null = null;
  /** TASK_STOPPED: this thread took part in a group stop. */
  stopped = false;
  /** parent_exec_id: the parent's exec count at fork; a mismatch at exit turns exit_signal into SIGCHLD. */
  parentExecId = 0;
  /** Signals aimed at this thread (tgkill) that wait for it to continue. */
  readonly pending: SigInfo[] = [];
  /** Handlers due to run when this thread returns from the wait it is blocked in. */
  readonly handlersDue: SigInfo[] = [];
  /** Woken while blocked in a wait (__wake_up_parent, a signal): the wait runs again. */
  woken = false;
  /** While a dying namespace init waits in zap_pid_ns_processes: how many Pids it waits to be left (1, or 2 for a non-leader). */
  zapInitPids = 0;

  constructor(seq: number, pid: Pid, parent: Task | null, exitSignal: number, nsForChildren: PidNamespace, comm: string, cred: Cred) {
    this.seq = seq;
    this.pid = pid;
    this.parent = parent;
    this.exitSignal = exitSignal;
    this.nsForChildren = nsForChildren;
    this.comm = comm;
    this.cred = cred;
  }

  get children(): ReadonlySet<Task> {
    return this.kids ?? NO_TASKS;
  }

  /** list_add_tail(&p->sibling, &parent->children): appended, so the list keeps fork (and reparent) order. */
  addChild(c: Task): void {
    (this.kids ??= new Set()).add(c);
  }

  removeChild(c: Task): void {
    this.kids?.delete(c);
  }

  clearChildren(): void {
    this.kids = null;
  }

  /** task_active_pid_ns(): the namespace the task's own Pid was allocated in. */
  get activeNs(): PidNamespace {
    return this.pid.ns;
  }

  get isLeader(): boolean {
    return this.group.leader === this;
  }

  /** task_pid_nr_ns(): the thread id as `ns` sees it; 0 when not visible. */
  tidIn(ns: PidNamespace): number {
    return this.pid.nrIn(ns);
  }

  /** task_tgid_nr_ns(): the thread group id as `ns` sees it; 0 when not visible. */
  tgidIn(ns: PidNamespace): number {
    return this.group.tgidPid.nrIn(ns);
  }

  /** task_pgrp_nr_ns(): 0 when not visible in `ns`. */
  pgidIn(ns: PidNamespace): number {
    return this.group.pgrp.nrIn(ns);
  }

  /** task_session_nr_ns(): 0 when not visible in `ns`. */
  sidIn(ns: PidNamespace): number {
    return this.group.session.nrIn(ns);
  }

  /** Whether the task still has its Pid attached (pid_alive()). */
  get hashed(): boolean {
    return this.exitState !== 'dead';
  }
}
