// wait4 and waitid (kernel/exit.c: do_wait and its helpers). A wait looks at
// the children of every thread of the caller's group (or only its own with
// __WNOTHREAD), picks the first eligible one in list order, and reports a
// zombie (reaping it unless WNOWAIT), a stop (WUNTRACED) or a continue
// (WCONTINUED). With nothing to report yet it blocks, unless WNOHANG.

import { Errno } from '../abi/errno.js';
import { Signal } from '../abi/signal.js';
import { decodeExitWord, WCONTINUED, WEXITED, WNOHANG, WNOWAIT, WUNTRACED, __WALL, __WCLONE, __WNOTHREAD } from '../abi/wait.js';
import { releaseTask } from './exit.js';
import type { Kernel } from './kernel.js';
import { restarts, returnToUser, setupFrames } from './signal.js';
import { signalPending } from './sigpending.js';
import type { Task } from './task.js';
import type { ThreadGroup } from './thread_group.js';
import { isWaitRequest } from './wait_types.js';
import type { WaitOutcome, WaitRequest } from './wait_types.js';

/** delay_group_leader(): a zombie leader is not reported while its other threads live. */
function delayGroupLeader(p: Task): boolean {
  return p.isLeader && !p.group.empty;
}

/** A zombie that wait can take now. */
export function reapableZombie(p: Task): boolean {
  return p.exitState === 'zombie' && !delayGroupLeader(p);
}

/** eligible_pid(). */
function eligiblePid(req: WaitRequest, p: Task): boolean {
  switch (req.target.kind) {
    case 'all':
      return true;
    case 'pid':
      return p.group.tgidPid === req.target.pid;
    case 'pgid':
      return p.group.pgrp === req.target.pid;
  }
}

/** eligible_child(): __WALL takes all; otherwise __WCLONE selects children whose exit signal is not SIGCHLD. */
function eligibleChild(req: WaitRequest, p: Task): boolean {
  if (!eligiblePid(req, p)) return false;
  if ((req.options & __WALL) !== 0) return true;
  return (p.exitSignal !== Signal.SIGCHLD) === ((req.options & __WCLONE) !== 0);
}

interface Scan {
  /** -ECHILD until some child might still match. */
  noTask: boolean;
}

/** wait_consider_task(): null when this child gives nothing now. */
function considerTask(k: Kernel, current: Task, req: WaitRequest, p: Task, scan: Scan): WaitOutcome | null {
  if (p.exitState === 'dead') return null;
  if (!eligibleChild(req, p)) return null;
  if (p.exitState === 'zombie') {
    if (!delayGroupLeader(p)) return waitTaskZombie(k, current, req, p);
    scan.noTask = false;
  } else {
    // "@p is alive and it's gonna stop, continue or exit, so there always is something to wait for."
    scan.noTask = false;
  }
  const stopped = waitTaskStopped(current, req, p);
  if (stopped !== null) return stopped;
  return waitTaskContinued(current, req, p);
}

function waitTaskZombie(k: Kernel, current: Task, req: WaitRequest, p: Task): WaitOutcome | null {
  if ((req.options & WEXITED) === 0) return null;
  const pid = p.tidIn(current.activeNs);
  const group = p.group;
  const word = group.groupExit ? group.groupExitCode : p.exitCode;
  if ((req.options & WNOWAIT) === 0) {
    p.exitState = 'dead';
    releaseTask(k, p, current);
  }
  return { kind: 'found', pid, status: decodeExitWord(word) };
}

function waitTaskStopped(current: Task, req: WaitRequest, p: Task): WaitOutcome | null {
  if ((req.options & WUNTRACED) === 0) return null;
  const group = p.group;
  if (!group.stopped || group.stopCode === 0) return null;
  const code = group.stopCode;
  if ((req.options & WNOWAIT) === 0) group.stopCode = 0;
  return { kind: 'found', pid: p.tidIn(current.activeNs), status: { kind: 'stopped', signal: code } };
}

function waitTaskContinued(current: Task, req: WaitRequest, p: Task): WaitOutcome | null {
  if ((req.options & WCONTINUED) === 0) return null;
  const group = p.group;
  if (!group.continuedPending) return null;
  if ((req.options & WNOWAIT) === 0) group.continuedPending = false;
  return { kind: 'found', pid: p.tidIn(current.activeNs), status: { kind: 'continued' } };
}

/** is_effectively_child(): the caller's thread group is the child's parent's (unless __WNOTHREAD). */
function effectivelyChild(current: Task, req: WaitRequest, p: Task): boolean {
  const parent = p.parent;
  if (parent === current) return true;
  return (req.options & __WNOTHREAD) === 0 && parent !== null && parent.group === current.group;
}

/** __do_wait(): an outcome, or 'block' when something may still come and WNOHANG is not set. */
export function doWaitOnce(k: Kernel, current: Task, req: WaitRequest): WaitOutcome | 'block' {
  const scan: Scan = { noTask: true };
  const target = req.target;
  let hasTask = true;
  if (target.kind === 'pid') hasTask = target.pid.hashed && target.pid.task !== null;
  else if (target.kind === 'pgid') hasTask = target.pid.hashed && target.pid.pgrpMembers.size > 0;
  if (hasTask) {
    if (target.kind === 'pid') {
      const group = target.pid.tgidOf;
      const leader = group?.leader;
      if (leader !== undefined && leader.pid === target.pid && effectivelyChild(current, req, leader)) {
        const r = considerTask(k, current, req, leader, scan);
        if (r !== null) return r;
      }
    } else {
      // From the caller's own thread round the list (do_wait's for_each_thread starts at current).
      const threads = current.group.threads;
      let th = current;
      for (let i = 0; i < threads.size; i++, th = th.threadNext ?? threads.first!) {
        // No copy: a reap changes the list, but the walk returns right after it.
        for (let p = th.firstChild; p !== null; p = p.sibNext) {
          const r = considerTask(k, current, req, p, scan);
          if (r !== null) return r;
        }
        if ((req.options & __WNOTHREAD) !== 0) break;
      }
    }
  }
  if (scan.noTask) return { kind: 'error', errno: Errno.ECHILD };
  if ((req.options & WNOHANG) !== 0) return { kind: 'none' };
  return 'block';
}

/** A wait system call: its outcome now, or 'block' (the task is then blocked in it). */
export function doWait(k: Kernel, current: Task, req: WaitRequest): WaitOutcome | 'block' {
  const r = doWaitOnce(k, current, req);
  if (r === 'block') {
    current.blocked = req;
    current.woken = false;
    k.blockedWaiters.add(current);
  }
  return r;
}

/**
 * __wake_up_parent() through child_wait_callback(): the waiters of `group`
 * for whom `child` is eligible by id run their wait again.
 */
export function wakeWaiters(group: ThreadGroup, child: Task): void {
  for (const t of group.threads) {
    const req = t.blocked;
    if (req === null || !isWaitRequest(req)) continue;
    if (!eligiblePid(req, child)) continue;
    if ((req.options & __WNOTHREAD) !== 0 && child.parent !== t) continue;
    t.woken = true;
  }
}

/**
 * Runs a woken blocked wait again: it finishes with what it finds; with
 * nothing yet and a signal to take, get_signal runs: a handler without
 * SA_RESTART makes it EINTR, one with SA_RESTART (or a signal without a
 * handler) restarts it, still blocked. Handlers run on the way back to user
 * space, before the call's result is seen. Returns whether anything moved.
 */
export function retryBlockedWait(k: Kernel, t: Task, req: WaitRequest): boolean {
  if (!t.woken || t.stopped) return false;
  t.woken = false;
  let outcome = doWaitOnce(k, t, req);
  if (outcome === 'block') {
    if (!signalPending(k, t)) return false;
    const flags = setupFrames(k, t);
    if (flags < 0 || restarts(flags)) {
      // -ERESTARTSYS: the frames run in user space, then the call is made again (and blocks again: nothing changed).
      runFramesWhileBlocked(k, t);
      return true;
    }
    outcome = { kind: 'error', errno: Errno.EINTR };
  }
  t.blocked = null;
  k.blockedWaiters.delete(t);
  returnToUser(k, t);
  k.emit({ type: 'wait_resumed', task: t.seq, syscall: req.syscall, outcome });
  return true;
}

/** The handler frames of a call that restarts run, and the thread is back in its call. */
export function runFramesWhileBlocked(k: Kernel, t: Task): void {
  const b = t.blocked;
  t.blocked = null;
  returnToUser(k, t);
  if (t.exitState === 'alive') t.blocked = b;
}
