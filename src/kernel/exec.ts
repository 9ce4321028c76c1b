// execve(2), the identity part (fs/exec.c: de_thread, flush_signal_handlers).
// Every other thread of the group dies; a non-leader caller takes over the
// leader's Pid (so its tid becomes the tgid) and the leader is released.
// Handlers fall back to SIG_DFL, pidfds (always O_CLOEXEC) close.

import { releaseMm } from './mm.js';
import { Signal } from '../abi/signal.js';
import { releaseTask, runExit } from './exit.js';
import type { Kernel } from './kernel.js';
import type { Task } from './task.js';

export function doExecve(k: Kernel, me: Task): void {
  const group = me.group;
  // zap_other_threads(): every other thread gets SIGKILL; their deaths are "superseded".
  for (const th of [...group.threads]) {
    if (th === me || th.exitState !== 'alive') continue;
    k.emit({ type: 'superseded', task: th.seq, by: me.seq });
    runExit(k, th, Signal.SIGKILL);
  }
  // exec_mmap() -> exec_mm_release(): the old memory's clear_child_tid word, then a new private mm.
  releaseMm(k, me);
  const leader = group.leader;
  if (leader !== me) {
    // The old leader is a delayed zombie now (or already dead); swap Pids (exchange_tids, transfer_pid).
    const leaderPid = leader.pid;
    const myPid = me.pid;
    me.pid = leaderPid;
    leader.pid = myPid;
    leaderPid.task = me;
    myPid.task = leader;
    group.leader = me;
    // The exec'ing thread takes the leader's place in its parent's children list.
    me.parent = leader.parent;
    me.exitSignal = Signal.SIGCHLD;
    leader.exitSignal = -1;
    const parent = me.parent;
    if (parent !== null) parent.replaceChild(leader, me);
    me.parentExecId = leader.parentExecId;
    // The threads list keeps the new leader first.
    group.threads.addFirst(me);
    if (leader.exitState === 'zombie') {
      leader.exitState = 'dead';
      releaseTask(k, leader, null);
    }
  }
  // de_thread(), no_thread_group: "we have changed execution domain": the exit signal is SIGCHLD again.
  me.exitSignal = Signal.SIGCHLD;
  // cap_bprm_creds_from_file(): a new image gets every capability only as root of its user
  // namespace; a user namespace without a uid map has no root, so the image starts with none.
  const c = me.cred;
  // begin_new_exec(): a secureexec image gets no parent-death signal ("make sure parent cannot signal
  // privileged process"); cap_bprm_creds_from_file() sets secureexec when the euid differs from the
  // real uid (a setuid image, or a setresuid before it; there are no gids here), fuzz seed 721414.
  if (c.euid !== c.uid) me.pdeathSignal = 0;
  // Permitted and effective are computed afresh (handle_privileged_root): a real or effective uid 0
  // gives the full permitted set, and only an effective uid 0 makes it effective; a real uid 0 under
  // another euid keeps it permitted only, as a setresuid does. Then "new->suid = new->fsuid = new->euid".
  const root = c.userNs.mapped;
  const caps = root && c.euid === 0;
  const permitted = root && (c.euid === 0 || c.uid === 0);
  const ids = { uid: c.uid, euid: c.euid, suid: c.euid, userNs: c.userNs };
  me.cred = permitted && !caps ? { ...ids, caps: false, keptCaps: true } : { ...ids, caps };
  group.execId++;
  // begin_new_exec(): euid == uid (there are no gids here), so the new mm is dumpable (SUID_DUMP_USER).
  group.dumpable = me.cred.euid === me.cred.uid;
  // A group that never made a table has only defaults and no files: nothing to flush.
  if (group.sighandRef !== null) {
    group.sighandRef = group.sighandRef.copy(k.nextSerial());
    group.sighandRef.flushHandlers();
  }
  // unshare_files() then close-on-exec: a table shared with another process (CLONE_FILES) stays
  // intact for it, the exec'ing group keeps a copy; every pidfd is O_CLOEXEC, a signalfd only with
  // SFD_CLOEXEC, so what stays open is the signalfds opened without it.
  const files = group.filesRef;
  if (files !== null) {
    const own = files.copy(k.nextSerial());
    own.closeOnExec();
    group.filesRef = own.entries().length > 0 ? own : null;
  }
  group.currTarget = me;
  k.emit({ type: 'execed', task: me.seq });
}
