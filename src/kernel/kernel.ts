// The kernel: every namespace, Pid and task, the event stream, and the loop
// that lets the consequences of a system call run to completion (tasks killed
// by a signal exit, a dying namespace init finishes once its namespace is
// empty, blocked waits resume). Nothing here reads a clock or a random source.

import { initialNsSet, NsCounter, type NsSet } from './ns_identity.js';
import { PID_MAX_DEFAULT, PID_MAX_LIMIT } from '../abi/limits.js';
import type { Cred } from './cred.js';
import type { KernelEvent, KernelEventListener } from './events.js';
import { ExitQueue } from './exit_queue.js';
import { PidNamespace } from './pid_namespace.js';
import { Pid } from './pid.js';
import { Task } from './task.js';
import { attachThreadGroup, ThreadGroup } from './thread_group.js';
import { UserNamespace } from './user_namespace.js';
import { installPid } from './alloc_pid.js';
import { finishZap, runExit } from './exit.js';
import { retryBlockedWait } from './wait.js';
import { returnToUser } from './signal.js';
import { retrySigWait } from './sigwait.js';
import { isWaitRequest } from './wait_types.js';
import { isTtyRequest, retryTtyCall } from './n_tty.js';
import type { TtyState } from './tty.js';

/**
 * How the kernel starts:
 * - `scenario`: as SCENARIO.md's start state: a host namespace (level 0,
 *   pid_max 4194304, invisible) holding `ns0` (level 1, pid_max 32768), whose
 *   pid 1 is `init`, its parent outside the model;
 * - `plain`: one root namespace `ns0` at level 0 whose pid 1 is `init`.
 */
export interface KernelOptions {
  readonly mode?: 'scenario' | 'plain';
  /** ns0's kernel.pid_max (default 32768). */
  readonly pidMax?: number;
  /** The host namespace's cursor in scenario mode: where the host numbers of ns0's tasks start. */
  readonly hostCursor?: number;
  /** Comm of the first task (default `init`). */
  readonly initComm?: string;
}

/**
 * Everything a restored kernel is made of (src/snapshot/load.ts builds these
 * from a snapshot): the constructor then adopts them instead of making the
 * default start state.
 */
export interface KernelParts {
  readonly rootUserNs: UserNamespace;
  readonly host: PidNamespace | null;
  readonly namespaces: readonly PidNamespace[];
  readonly init: Task;
  readonly blockedWaiters: readonly Task[];
  readonly exitQueue: readonly { task: Task; code: number }[];
  readonly sigPending: readonly Task[];
  readonly zapWaiting: readonly Task[];
  readonly taskSeq: number;
  readonly serials: number;
  readonly userNsSerial: number;
}

export class Kernel {
  readonly rootUserNs: UserNamespace;
  /** The scenario's outer namespace (scenario mode), else null. */
  readonly host: PidNamespace | null;
  /** ns0, ns1, ... in creation order. */
  readonly namespaces: PidNamespace[] = [];
  readonly init: Task;
  /** Tasks blocked in a wait, to retry when something changes. */
  readonly blockedWaiters = new Set<Task>();
  /** Tasks that must run do_exit() (a fatal signal reached them). */
  readonly exitQueue = new ExitQueue();
  /**
   * TIF_SIGPENDING: threads woken for a signal (complete_signal, an unblock,
   * SIGCONT) that run get_signal on their way back to user space as the
   * kernel settles. A thread blocked in a call takes them when it retries.
   */
  readonly sigPending = new Set<Task>();
  /** Dying namespace inits waiting in zap_pid_ns_processes(). */
  readonly zapWaiting = new Set<Task>();
  /** Terminals (kernel/tty.ts): made on the first open of /dev/ptmx, so fork and exit look at one null. */
  ttys: TtyState | null = null;
  /** What the snapshot this kernel was loaded from said it left out (its `omitted`): a save says it again. */
  omitted: readonly string[] = [];
  private readonly listeners = new Set<KernelEventListener>();
  /** Makes mount, UTS, IPC, cgroup, network and time namespaces in creation order (ns_identity.ts). */
  readonly nsCounter = new NsCounter();
  private startNsSet: NsSet | null = null;
  private seq = 0;
  private serials = 0;
  private userNsSerial = 0;

  constructor(options: KernelOptions = {}, parts?: KernelParts) {
    if (parts !== undefined) {
      this.rootUserNs = parts.rootUserNs;
      this.host = parts.host;
      for (const ns of parts.namespaces) this.namespaces.push(ns); // a spread would be one argument per namespace
      this.init = parts.init;
      for (const t of parts.blockedWaiters) this.blockedWaiters.add(t);
      for (const e of parts.exitQueue) this.exitQueue.push(e.task, e.code);
      for (const t of parts.sigPending) this.sigPending.add(t);
      for (const t of parts.zapWaiting) this.zapWaiting.add(t);
      this.seq = parts.taskSeq;
      this.serials = parts.serials;
      this.userNsSerial = parts.userNsSerial;
      return;
    }
    const mode = options.mode ?? 'scenario';
    this.rootUserNs = new UserNamespace(null, 0, this.userNsSerial++);
    this.host = mode === 'scenario' ? new PidNamespace(null, this.rootUserNs, PID_MAX_LIMIT, 'host', this.nextSerial()) : null;
    // The host already has tasks of its own; where its cursor stands is invisible to every actor.
    if (this.host !== null) this.host.idr.cursor = options.hostCursor ?? 1000;
    const ns0 = this.createPidNamespace(this.host, this.rootUserNs);
    ns0.pidMax = options.pidMax ?? PID_MAX_DEFAULT;
    const nrs: number[] = [];
    for (let ns: PidNamespace | null = ns0; ns !== null; ns = ns.parent) {
      const nr = ns === ns0 ? 1 : ns.idr.allocCyclic(1, ns.pidMax);
      if (ns === ns0) ns.idr.allocExact(1);
      nrs[ns.level] = nr;
    }
    const pid = new Pid(ns0, nrs, this.nextSerial());
    installPid(pid);
    ns0.idr.cursor = 2;
    const cred: Cred = { uid: 0, euid: 0, suid: 0, userNs: this.rootUserNs, caps: true };
    const init = new Task(this.seq++, pid, null, 17, ns0, options.initComm ?? 'init', cred);
    attachThreadGroup(new ThreadGroup(init, pid, pid, null, null, this.nextSerial()));
    // SCENARIO.md's start state: the runner, init's parent outside the model, gives init
    // PR_SET_PDEATHSIG SIGKILL so that its own death takes the scenario with it.
    if (mode === 'scenario') init.pdeathSignal = 9;
    this.init = init;
  }

  /** The namespaces (other than PID and user) the scenario starts in: the host's, index 0 of each type. */
  get initialNsSet(): NsSet {
    return (this.startNsSet ??= initialNsSet(this.nsCounter, this.rootUserNs));
  }

  /** A task's set; null on the task means the start set. */
  nsSetOf(t: Task): NsSet {
    return t.nsset ?? this.initialNsSet;
  }

  get ns0(): PidNamespace {
    return this.namespaces[0]!;
  }

  nextSerial(): number {
    return this.serials++;
  }

  nextTaskSeq(): number {
    return this.seq++;
  }


  /** The counters a snapshot saves: next task sequence, next object serial, next user-namespace serial. */
  counters(): { taskSeq: number; serials: number; userNsSerial: number } {
    return { taskSeq: this.seq, serials: this.serials, userNsSerial: this.userNsSerial };
  }

  nextUserNsSerial(): number {
    return this.userNsSerial++;
  }

  createPidNamespace(parent: PidNamespace | null, userNs: UserNamespace): PidNamespace {
    const ns = this.makePidNamespace(parent, userNs);
    this.registerPidNamespace(ns);
    return ns;
  }

  /** A namespace object not yet part of the tree (clone makes it before alloc_pid can still fail). */
  makePidNamespace(parent: PidNamespace | null, userNs: UserNamespace): PidNamespace {
    // New namespaces start at PID_MAX_LIMIT (Linux 6.14, per-namespace pid_max).
    return new PidNamespace(parent, userNs, PID_MAX_LIMIT, `ns${this.namespaces.length}`, this.nextSerial());
  }

  registerPidNamespace(ns: PidNamespace): void {
    this.namespaces.push(ns);
    this.emit({ type: 'ns_created', ns: ns.name, parent: ns.parent?.name ?? null, level: ns.level });
  }

  /** The root of the namespace tree (the host in scenario mode). */
  get rootNs(): PidNamespace {
    return this.host ?? this.ns0;
  }

  /** is_global_init(): pid 1 of the root namespace (only in plain mode is it modeled). */
  isGlobalInit(t: Task): boolean {
    return t.pid.level === 0 && t.pid.nr === 1 && t.group.tgidPid === t.pid;
  }

  subscribe(listener: KernelEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: KernelEvent): void {
    for (const l of this.listeners) l(event);
  }

  /** Whether anyone subscribed: hot paths skip building events nobody reads. */
  get listening(): boolean {
    return this.listeners.size > 0;
  }

  /**
   * Lets everything a call set in motion finish, in a fixed order: queued
   * exits, then dying inits whose namespace may now be empty, then blocked
   * calls that were woken, then threads with signals to take on their way
   * back to user space (creation order); repeated until nothing moves.
   */
  settle(): void {
    if (this.exitQueue.length === 0 && this.zapWaiting.size === 0 && this.blockedWaiters.size === 0 && this.sigPending.size === 0) return;
    for (;;) {
      let moved = false;
      // Drained by index: a namespace's death queues every task in it, and shift() would make that quadratic.
      const q = this.exitQueue;
      for (let i = 0; i < q.length; i++) {
        const task = q.taskAt(i);
        if (task.exitState === 'alive') runExit(this, task, q.codeAt(i));
        moved = true;
      }
      q.clear();
      for (const t of [...this.zapWaiting]) {
        if (finishZap(this, t)) moved = true;
      }
      if (this.exitQueue.length > 0) continue;
      const waiters = [...this.blockedWaiters].sort((a, b) => a.seq - b.seq);
      for (const t of waiters) {
        const req = t.blocked;
        if (req === null || t.exitState !== 'alive') {
          this.blockedWaiters.delete(t);
          continue;
        }
        if (isWaitRequest(req) ? retryBlockedWait(this, t, req) : isTtyRequest(req) ? retryTtyCall(this, t, req) : retrySigWait(this, t, req)) moved = true;
      }
      if (this.exitQueue.length > 0) continue;
      const woken = [...this.sigPending].sort((a, b) => a.seq - b.seq);
      for (const t of woken) {
        // A blocked thread takes its signals when its call runs again; a stopped one when it continues.
        if (t.blocked !== null && t.exitState === 'alive') continue;
        if (t.exitState === 'alive' && !t.stopped && returnToUser(this, t)) moved = true;
        // Nothing it can take is left (returnToUser took all of it): TIF_SIGPENDING clears.
        this.sigPending.delete(t);
      }
      if (!moved && this.exitQueue.length === 0) break;
    }
    // Threads left blocked keep no TIF_SIGPENDING once their call has looked (they sleep again).
    for (const t of [...this.sigPending]) if (t.blocked !== null && !t.woken) this.sigPending.delete(t);
  }

  /**
   * All live (not released) tasks in creation order. Every such task holds
   * a Pid numbered in the root namespace (release_task detaches it), so the
   * root's number space is the task list: no list to keep up on every fork.
   */
  liveTasks(): Task[] {
    const out: Task[] = [];
    const idr = this.rootNs.idr;
    for (let nr = idr.nextMapped(0); nr >= 0; nr = idr.nextMapped(nr + 1)) {
      const t = idr.get(nr)!.task;
      if (t !== null) out.push(t);
    }
    return out.sort((a, b) => a.seq - b.seq);
  }

}
