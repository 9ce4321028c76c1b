// struct signal_struct: what the threads of one process share. A thread group
// has a leader (whose tid is the group's tgid), its threads in creation order,
// its process group and session, the group-wide exit and stop state, and the
// subreaper flags.

import { FdTable } from './fd_table.js';
import type { IntrusiveList } from './list.js';
import type { Pid } from './pid.js';
import { SigHand } from './sighand.js';
import type { SigInfo, SignalDisposition } from './signal_types.js';
import { ThreadList } from './task.js';
import type { Task } from './task.js';

const GROUP_EXIT = 1 << 0;
const STOP_STOPPED = 1 << 1;
const STOP_CONTINUED = 1 << 2;
const UNKILLABLE = 1 << 3;
const IS_CHILD_SUBREAPER = 1 << 4;
const HAS_CHILD_SUBREAPER = 1 << 5;
const NOT_DUMPABLE = 1 << 6;

export class ThreadGroup {
  /** group_leader. Changes only when a non-leader thread execs (de_thread). */
  leader: Task;
  /** thread_head: the leader first, then threads in creation order; a thread leaves at release. */
  readonly threads = new ThreadList();
  /** signal->live: threads that have not yet started to exit. */
  live = 0;
  /** signal->pids[PIDTYPE_PGID] and [PIDTYPE_SID]. */
  pgrp: Pid;
  session: Pid;
  /** group_exit_code: the status word of a group exit. */
  groupExitCode = 0;
  /** The signal a stopped group's wait reports (0 once consumed). */
  stopCode = 0;
  /**
   * signal->flags (SIGNAL_GROUP_EXIT, SIGNAL_STOP_STOPPED,
   * SIGNAL_STOP_CONTINUED, SIGNAL_UNKILLABLE) and the is_child_subreaper /
   * has_child_subreaper bits, in one word as the kernel keeps them.
   */
  private flags = 0;

  /** SIGNAL_GROUP_EXIT: the whole group is dying with groupExitCode. */
  get groupExit(): boolean {
    return (this.flags & GROUP_EXIT) !== 0;
  }
  set groupExit(v: boolean) {
    this.flags = v ? this.flags | GROUP_EXIT : this.flags & ~GROUP_EXIT;
  }

  /** SIGNAL_STOP_STOPPED: the group is stopped. */
  get stopped(): boolean {
    return (this.flags & STOP_STOPPED) !== 0;
  }
  set stopped(v: boolean) {
    this.flags = v ? this.flags | STOP_STOPPED : this.flags & ~STOP_STOPPED;
  }

  /** SIGNAL_STOP_CONTINUED: a continue not yet reported to a WCONTINUED waiter. */
  get continuedPending(): boolean {
    return (this.flags & STOP_CONTINUED) !== 0;
  }
  set continuedPending(v: boolean) {
    this.flags = v ? this.flags | STOP_CONTINUED : this.flags & ~STOP_CONTINUED;
  }

  /** PR_SET_CHILD_SUBREAPER. */
  get isChildSubreaper(): boolean {
    return (this.flags & IS_CHILD_SUBREAPER) !== 0;
  }
  set isChildSubreaper(v: boolean) {
    this.flags = v ? this.flags | IS_CHILD_SUBREAPER : this.flags & ~IS_CHILD_SUBREAPER;
  }

  /** Some ancestor is a subreaper: orphans look for one (find_new_reaper). */
  get hasChildSubreaper(): boolean {
    return (this.flags & HAS_CHILD_SUBREAPER) !== 0;
  }
  set hasChildSubreaper(v: boolean) {
    this.flags = v ? this.flags | HAS_CHILD_SUBREAPER : this.flags & ~HAS_CHILD_SUBREAPER;
  }

  /** SIGNAL_UNKILLABLE: the group is a namespace's init. */
  get unkillable(): boolean {
    return (this.flags & UNKILLABLE) !== 0;
  }
  set unkillable(v: boolean) {
    this.flags = v ? this.flags | UNKILLABLE : this.flags & ~UNKILLABLE;
  }

  /** signal->curr_target: where complete_signal starts looking for a thread to wake. */
  currTarget: Task;
  private shared: SigInfo[] | null = null;
  /** self_exec_id: bumped by each execve. */
  execId = 0;
  /**
   * The mm's dumpability (MMF_DUMPABLE; get_dumpable() == SUID_DUMP_USER):
   * cleared when setuid changes the euid (commit_creds sets fs.suid_dumpable,
   * 0 by default), set again by execve, copied by fork, and remembered after
   * the mm is gone (a zombie is checked as it died). ptrace_may_access reads
   * it. Kept per thread group: a process that shares its mm with another
   * (CLONE_VM without CLONE_THREAD) gets a copy here, so one sharer's setuid
   * does not make the other non-dumpable as Linux would (a listed gap).
   */
  get dumpable(): boolean {
    return (this.flags & NOT_DUMPABLE) === 0;
  }
  set dumpable(v: boolean) {
    // Kept inverted in the flags word, so that the default (dumpable) costs no field.
    this.flags = v ? this.flags & ~NOT_DUMPABLE : this.flags | NOT_DUMPABLE;
  }
  /** The links on its process group's and its session's member lists (pid->tasks[PIDTYPE_PGID/SID]). */
  pgrpPrev: ThreadGroup | null = null;
  pgrpNext: ThreadGroup | null = null;
  pgrpList: IntrusiveList<ThreadGroup> | null = null;
  sessionPrev: ThreadGroup | null = null;
  sessionNext: ThreadGroup | null = null;
  sessionList: IntrusiveList<ThreadGroup> | null = null;

  constructor(
    leader: Task,
    pgrp: Pid,
    session: Pid,
    /**
     * sighand: may be shared with other groups (CLONE_SIGHAND without
     * CLONE_THREAD). Null while the group has a private table it never
     * changed (every disposition SIG_DFL): most processes never touch theirs,
     * so the table is made on first write (or when another group shares it).
     */
    public sighandRef: SigHand | null,
    /** The pidfd table (files_struct); null while it is private and empty (made on first open). */
    public filesRef: FdTable | null,
    /** Creation order, for snapshots. */
    readonly serial: number,
  ) {
    this.leader = leader;
    this.threads.add(leader);
    this.currTarget = leader;
    this.pgrp = pgrp;
    this.session = session;
  }

  /** sighand->action[sig - 1]: the disposition, without making a table. */
  disposition(sig: number): SignalDisposition {
    return this.sighandRef === null ? 'SIG_DFL' : this.sighandRef.get(sig);
  }

  /** The group's sighand, made now if it had none (its serial from `k`), to change or to share. */
  ownSighand(k: { nextSerial(): number }): SigHand {
    return (this.sighandRef ??= new SigHand(k.nextSerial()));
  }

  /** Whether an fd could be installed now (RLIMIT_NOFILE not reached). */
  hasFreeFd(): boolean {
    return this.filesRef === null || this.filesRef.hasFree();
  }

  /** The pidfd table, made now if it had none, to open a file in. */
  ownFiles(k: { nextSerial(): number }): FdTable {
    return (this.filesRef ??= new FdTable(k.nextSerial()));
  }

  /** Process-directed signals that wait for the group to continue (shared_pending; made on first use). */
  get sharedPending(): SigInfo[] {
    return (this.shared ??= []);
  }

  /** shared_pending if it was made, else null (readers that must not make it). */
  get sharedPendingIfAny(): SigInfo[] | null {
    return this.shared;
  }

  clearSharedPending(): void {
    if (this.shared !== null) this.shared.length = 0;
  }

  /** The group's id Pid (PIDTYPE_TGID): the leader's Pid. */
  get tgidPid(): Pid {
    return this.leader.pid;
  }

  /** thread_group_empty(): only the leader is left on the thread list. */
  get empty(): boolean {
    return this.threads.size === 1 && this.threads.first === this.leader;
  }

  /** next_thread(): the thread after t on the circular list. */
  nextThread(t: Task): Task {
    return (t.threadList === this.threads ? t.threadNext : null) ?? this.threads.first!;
  }

  /** find_alive_thread(): the first thread, in list order, that has not started to exit. */
  aliveThread(): Task | null {
    for (const t of this.threads) if (t.exitState === 'alive') return t;
    return null;
  }
}

/**
 * copy_process()'s attach_pid() for a new thread group: its leader's Pid
 * becomes the group's tgid, the group joins its process group and session,
 * and pid 1 of a namespace becomes that namespace's init (is_child_reaper).
 * Used by the first task and by fork alike.
 */
export function attachThreadGroup(group: ThreadGroup): void {
  const leader = group.leader;
  const pid = leader.pid;
  leader.group = group;
  group.live = 1;
  pid.task = leader;
  pid.tgidOf = group;
  group.pgrp.addPgrpMember(group);
  group.session.addSessionMember(group);
  if (pid.nr === 1) {
    pid.ns.childReaper = leader;
    group.unkillable = true;
  }
}
