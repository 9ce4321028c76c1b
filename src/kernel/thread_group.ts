// struct signal_struct: what the threads of one process share. A thread group
// has a leader (whose tid is the group's tgid), its threads in creation order,
// its process group and session, the group-wide exit and stop state, and the
// subreaper flags.

import type { FdTable } from './fd_table.js';
import type { IntrusiveList } from './list.js';
import type { Pid } from './pid.js';
import type { SigHand } from './sighand.js';
import type { SigInfo } from './signal_types.js';
import type { Task } from './task.js';

export class ThreadGroup {
  /** group_leader. Changes only when a non-leader thread execs (de_thread). */
  leader: Task;
  /** thread_head: the leader first, then threads in creation order; a thread leaves at release. */
  readonly threads: Task[];
  /** signal->live: threads that have not yet started to exit. */
  live = 0;
  /** signal->pids[PIDTYPE_PGID] and [PIDTYPE_SID]. */
  pgrp: Pid;
  session: Pid;
  /** SIGNAL_GROUP_EXIT and group_exit_code: the whole group is dying with this status word. */
  groupExit = false;
  groupExitCode = 0;
  /** SIGNAL_STOP_STOPPED: the group is stopped; stopCode is the signal wait reports (0 once consumed). */
  stopped = false;
  stopCode = 0;
  /** SIGNAL_STOP_CONTINUED: a continue not yet reported to a WCONTINUED waiter. */
  continuedPending = false;
  /** PR_SET_CHILD_SUBREAPER. */
  isChildSubreaper = false;
  /** Some ancestor is a subreaper: orphans look for one (find_new_reaper). */
  hasChildSubreaper = false;
  /** SIGNAL_UNKILLABLE: the group is a namespace's init. */
  unkillable = false;
  /** signal->curr_target: where complete_signal starts looking for a thread to wake. */
  currTarget: Task;
  private shared: SigInfo[] | null = null;
  /** self_exec_id: bumped by each execve. */
  execId = 0;
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
    /** sighand: may be shared with other groups (CLONE_SIGHAND without CLONE_THREAD). */
    public sighand: SigHand,
    /** The pidfd table (files_struct). */
    public files: FdTable,
    /** Creation order, for snapshots. */
    readonly serial: number,
  ) {
    this.leader = leader;
    this.threads = [leader];
    this.currTarget = leader;
    this.pgrp = pgrp;
    this.session = session;
  }

  /** Process-directed signals that wait for the group to continue (shared_pending; made on first use). */
  get sharedPending(): SigInfo[] {
    return (this.shared ??= []);
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
    return this.threads.length === 1 && this.threads[0] === this.leader;
  }

  /** next_thread(): the thread after t on the circular list. */
  nextThread(t: Task): Task {
    const i = this.threads.indexOf(t);
    return this.threads[(i + 1) % this.threads.length]!;
  }

  /** find_alive_thread(): the first thread, in list order, that has not started to exit. */
  aliveThread(): Task | null {
    for (const t of this.threads) if (t.exitState === 'alive') return t;
    return null;
  }
}
