// struct task_struct, as far as identity goes: one thread, with its Pid, the
// thread group it belongs to, its parent and children, its exit state, the
// namespace its children will be born in, and what it is blocked in.

import type { Cred } from './cred.js';
import { asPgid, asSid, asTgid, asTid, type Pgid, type Sid, type Tgid, type Tid } from './ids.js';
import type { FsShare, Mm } from './mm.js';
import type { NsSet } from './ns_identity.js';
import type { PidNamespace } from './pid_namespace.js';
import type { Pid } from './pid.js';
import type { SigSet } from '../abi/signal.js';
import type { SigFrame, SigInfo } from './signal_types.js';
import type { ThreadGroup } from './thread_group.js';
import type { BlockedCall } from './wait_types.js';
import { EMPTY_LIST, IntrusiveList } from './list.js';
import type { MemberList } from './list.js';

/**
 * A task's life (exit_state plus PF_EXITING):
 * - alive: running or blocked;
 * - exiting: do_exit() has begun but the task is not yet a zombie (a dying
 *   namespace init waits here in zap_pid_ns_processes for the namespace to empty);
 * - zombie: EXIT_ZOMBIE, waiting for its parent (or delayed: a leader with live threads);
 * - dead: EXIT_DEAD, released; its numbers are given back.
 */
export type ExitState = 'alive' | 'exiting' | 'zombie' | 'dead';

/** parent->children, threaded through each child's `sibling` links. */
export class ChildList extends IntrusiveList<Task> {
  protected prevOf(n: Task): Task | null {
    return n.sibPrev;
  }
  protected nextOf(n: Task): Task | null {
    return n.sibNext;
  }
  protected listOf(n: Task): IntrusiveList<Task> | null {
    return n.sibList;
  }
  protected setLinks(n: Task, prev: Task | null, next: Task | null, list: IntrusiveList<Task> | null): void {
    n.sibPrev = prev;
    n.sibNext = next;
    n.sibList = list;
  }
  protected setPrev(n: Task, prev: Task | null): void {
    n.sibPrev = prev;
  }
  protected setNext(n: Task, next: Task | null): void {
    n.sibNext = next;
  }
}

/** signal->thread_head: a thread group's threads, threaded through each task's `thread_node` links. */
export class ThreadList extends IntrusiveList<Task> {
  protected prevOf(n: Task): Task | null {
    return n.threadPrev;
  }
  protected nextOf(n: Task): Task | null {
    return n.threadNext;
  }
  protected listOf(n: Task): IntrusiveList<Task> | null {
    return n.threadList;
  }
  protected setLinks(n: Task, prev: Task | null, next: Task | null, list: IntrusiveList<Task> | null): void {
    n.threadPrev = prev;
    n.threadNext = next;
    n.threadList = list;
  }
  protected setPrev(n: Task, prev: Task | null): void {
    n.threadPrev = prev;
  }
  protected setNext(n: Task, next: Task | null): void {
    n.threadNext = next;
  }
}

/**
 * The fields of a task that most tasks never set (they keep their defaults
 * from fork to release): kept apart so that a task costs less while it is an
 * ordinary running process.
 */
class TaskExtra {
  blocked: BlockedCall | null = null;
  stopped = false;
  parentExecId = 0;
  woken = false;
  zapInitPids = 0;
  pending: SigInfo[] | null = null;
  due: SigFrame[] | null = null;
  clearChildTid = false;
  vforkParent: Task | null = null;
  vforkChild: Task | null = null;
  sigBlocked: SigSet = 0n;
  realBlocked: SigSet = 0n;
  savedMask: SigSet | null = null;
  pdeathSignal = 0;
  mm: Mm | null = null;
  nsset: NsSet | null = null;
  fs: FsShare | null = null;
}

export class Task {
  /** Creation order in the kernel (init is 0). Immutable; the identity that tools use. */
  readonly seq: number;
  /** thread_pid. Changes only at de_thread, when an exec'ing thread takes over the leader's Pid. */
  pid: Pid;
  group!: ThreadGroup;
  /** real_parent: the task that wait()s for this one; null when it lives outside the model (the host). */
  parent: Task | null;
  /** children: the thread group leaders this task is the real parent of, in list order (made on first use). */
  private kids: ChildList | null = null;
  /** thread_node: the links on the group's thread list. */
  threadPrev: Task | null = null;
  threadNext: Task | null = null;
  threadList: IntrusiveList<Task> | null = null;
  /** sibling: the links on the parent's children list. */
  sibPrev: Task | null = null;
  sibNext: Task | null = null;
  sibList: IntrusiveList<Task> | null = null;
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
  /**
   * mm: the memory, when it is shared with another task (CLONE_VM, a thread) or
   * ever was; null for a private one (mm_users 1). Cleared by exit_mm and exec.
   */
  get mm(): Mm | null {
    return this.x === null ? null : this.x.mm;
  }
  set mm(v: Mm | null) {
    if (v !== null || this.x !== null) this.extra.mm = v;
  }

  /** nsproxy's other namespaces (ns_identity.ts); null: the scenario's start set (Kernel.initialNsSet). Kept aside: most tasks never leave it. */
  get nsset(): NsSet | null {
    return this.x === null ? null : this.x.nsset;
  }
  set nsset(v: NsSet | null) {
    if (v !== null || this.x !== null) this.extra.nsset = v;
  }

  /** fs_struct when shared (CLONE_FS); null: private. */
  get fs(): FsShare | null {
    return this.x === null ? null : this.x.fs;
  }
  set fs(v: FsShare | null) {
    if (v !== null || this.x !== null) this.extra.fs = v;
  }
  /** What only waits, stops, queued signals, exec and a dying init use: made on first non-default write. */
  private x: TaskExtra | null = null;

  constructor(seq: number, pid: Pid, parent: Task | null, exitSignal: number, nsForChildren: PidNamespace, comm: string, cred: Cred) {
    this.seq = seq;
    this.pid = pid;
    this.parent = parent;
    this.exitSignal = exitSignal;
    this.nsForChildren = nsForChildren;
    this.comm = comm;
    this.cred = cred;
  }

  private get extra(): TaskExtra {
    return (this.x ??= new TaskExtra());
  }

  /** The call this task is blocked in (a wait, or a signal wait: sigsuspend, pause, sigtimedwait, a signalfd read), if any. */
  get blocked(): BlockedCall | null {
    return this.x === null ? null : this.x.blocked;
  }
  set blocked(v: BlockedCall | null) {
    if (v !== null || this.x !== null) this.extra.blocked = v;
  }

  /** TASK_STOPPED: this thread took part in a group stop. */
  get stopped(): boolean {
    return this.x !== null && this.x.stopped;
  }
  set stopped(v: boolean) {
    if (v || this.x !== null) this.extra.stopped = v;
  }

  /** parent_exec_id: the parent's exec count at fork; a mismatch at exit turns exit_signal into SIGCHLD. */
  get parentExecId(): number {
    return this.x === null ? 0 : this.x.parentExecId;
  }
  set parentExecId(v: number) {
    if (v !== 0 || this.x !== null) this.extra.parentExecId = v;
  }

  /**
   * clear_child_tid is set (CLONE_CHILD_CLEARTID, set_tid_address): the
   * language has one tid word per task (its child_tid), so a flag is the address.
   */
  get clearChildTid(): boolean {
    return this.x !== null && this.x.clearChildTid;
  }
  set clearChildTid(v: boolean) {
    if (v || this.x !== null) this.extra.clearChildTid = v;
  }

  /** vfork_done: the parent blocked in a CLONE_VFORK clone of this task, until this task's mm_release(). */
  get vforkParent(): Task | null {
    return this.x === null ? null : this.x.vforkParent;
  }
  set vforkParent(v: Task | null) {
    if (v !== null || this.x !== null) this.extra.vforkParent = v;
  }

  /** The CLONE_VFORK child this task waits for in wait_for_vfork_done(); null when not waiting. */
  get vforkChild(): Task | null {
    return this.x === null ? null : this.x.vforkChild;
  }
  set vforkChild(v: Task | null) {
    if (v !== null || this.x !== null) this.extra.vforkChild = v;
  }

  /** Woken while blocked in a wait (__wake_up_parent, a signal): the wait runs again. */
  get woken(): boolean {
    return this.x !== null && this.x.woken;
  }
  set woken(v: boolean) {
    if (v || this.x !== null) this.extra.woken = v;
  }

  /** While a dying namespace init waits in zap_pid_ns_processes: how many Pids it waits to be left (1, or 2 for a non-leader). */
  get zapInitPids(): number {
    return this.x === null ? 0 : this.x.zapInitPids;
  }
  set zapInitPids(v: number) {
    if (v !== 0 || this.x !== null) this.extra.zapInitPids = v;
  }

  /** task->pending: signals aimed at this thread (a thread-directed send, the SIGKILL of a group exit), in arrival order (made on first use). */
  get pending(): SigInfo[] {
    return (this.extra.pending ??= []);
  }

  /** Handler frames set up but not yet run (the thread stopped before it reached user space; made on first use). */
  get handlersDue(): SigFrame[] {
    return (this.extra.due ??= []);
  }

  /** task->blocked: the signals this thread blocks (never SIGKILL or SIGSTOP). */
  get sigBlocked(): SigSet {
    return this.x === null ? 0n : this.x.sigBlocked;
  }
  set sigBlocked(v: SigSet) {
    if (v !== 0n || this.x !== null) this.extra.sigBlocked = v;
  }

  /** task->real_blocked: the mask rt_sigtimedwait put aside while it sleeps with the awaited signals unblocked. */
  get realBlocked(): SigSet {
    return this.x === null ? 0n : this.x.realBlocked;
  }
  set realBlocked(v: SigSet) {
    if (v !== 0n || this.x !== null) this.extra.realBlocked = v;
  }

  /** saved_sigmask with TIF_RESTORE_SIGMASK: the mask rt_sigsuspend replaced, restored by the first handler frame's sigreturn. */
  get savedMask(): SigSet | null {
    return this.x === null ? null : this.x.savedMask;
  }
  set savedMask(v: SigSet | null) {
    if (v !== null || this.x !== null) this.extra.savedMask = v;
  }

  /** pdeath_signal (PR_SET_PDEATHSIG): sent to this thread's group when its parent thread exits; 0 for none. */
  get pdeathSignal(): number {
    return this.x === null ? 0 : this.x.pdeathSignal;
  }
  set pdeathSignal(v: number) {
    if (v !== 0 || this.x !== null) this.extra.pdeathSignal = v;
  }

  /** The pending list if one was made, else null (readers that must not make one). */
  get pendingIfAny(): SigInfo[] | null {
    return this.x === null ? null : this.x.pending;
  }

  /** The handlers-due list if one was made, else null. */
  get handlersDueIfAny(): SigFrame[] | null {
    return this.x === null ? null : this.x.due;
  }

  /** Whether any handler is due, without making the list. */
  get hasHandlersDue(): boolean {
    const due = this.handlersDueIfAny;
    return due !== null && due.length > 0;
  }

  clearHandlersDue(): void {
    const due = this.handlersDueIfAny;
    if (due !== null) due.length = 0;
  }

  /** What is wrong with the children list's links, or null (the invariant checker). */
  childListError(): string | null {
    return this.kids?.linkError() ?? null;
  }

  /** The first child in list order (walks go on through `sibNext`). */
  get firstChild(): Task | null {
    return this.kids === null ? null : this.kids.first;
  }

  get children(): MemberList<Task> {
    return this.kids ?? EMPTY_LIST;
  }

  /** list_add_tail(&p->sibling, &parent->children): appended, so the list keeps fork (and reparent) order. */
  addChild(c: Task): boolean {
    return (this.kids ??= new ChildList()).add(c);
  }

  removeChild(c: Task): void {
    this.kids?.delete(c);
  }

  /** Puts `c` where `old` was on the children list (de_thread: the exec'ing thread takes the leader's place). */
  replaceChild(old: Task, c: Task): void {
    this.kids?.replace(old, c);
  }

  /** Empties the list (its members are being moved to another parent). */
  clearChildren(): void {
    this.kids?.clear();
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
  tidIn(ns: PidNamespace): Tid {
    return asTid(this.pid.nrIn(ns));
  }

  /** task_tgid_nr_ns(): the thread group id as `ns` sees it; 0 when not visible. */
  tgidIn(ns: PidNamespace): Tgid {
    return asTgid(this.group.tgidPid.nrIn(ns));
  }

  /** task_pgrp_nr_ns(): 0 when not visible in `ns`. */
  pgidIn(ns: PidNamespace): Pgid {
    return asPgid(this.group.pgrp.nrIn(ns));
  }

  /** task_session_nr_ns(): 0 when not visible in `ns`. */
  sidIn(ns: PidNamespace): Sid {
    return asSid(this.group.session.nrIn(ns));
  }

  /** Whether the task still has its Pid attached (pid_alive()). */
  get hashed(): boolean {
    return this.exitState !== 'dead';
  }
}
