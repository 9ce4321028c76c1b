// Sending and delivering signals (kernel/signal.c). The model has no
// scheduler: a signal is delivered as soon as a thread can take it, and a
// stopped group keeps what it cannot take until SIGCONT. Delivery follows
// prepare_signal (stop/continue side effects, ignored signals, the
// protection of namespace inits) and complete_signal (which thread, and the
// group exit of a fatal signal).

import { Errno } from '../abi/errno.js';
import { defaultAction, Signal, SiCode, validSignal } from '../abi/signal.js';
import { nsCapable } from './cred.js';
import type { Kernel } from './kernel.js';
import type { Pid } from './pid.js';
import type { SigInfo } from './signal_types.js';
import type { Task } from './task.js';
import type { ThreadGroup } from './thread_group.js';
import { wakeWaiters } from './wait.js';

/** How a signal is addressed (enum pid_type): one thread, a thread group, or every thread group of a pgrp or of kill(-1). */
export type SignalScope = 'thread' | 'group';

const isStopSignal = (sig: number): boolean => defaultAction(sig) === 'stop';
/** sig_kernel_only(): SIGKILL and SIGSTOP. */
const kernelOnly = (sig: number): boolean => sig === Signal.SIGKILL || sig === Signal.SIGSTOP;
/** sig_kernel_ignore(): ignored by default. */
const kernelIgnore = (sig: number): boolean => defaultAction(sig) === 'ign' || sig === Signal.SIGCONT;

/** sig_task_ignored(). */
function taskIgnores(k: Kernel, t: Task, sig: number, force: boolean): boolean {
  const handler = t.group.disposition(sig);
  // "SIGKILL and SIGSTOP may not be sent to the global init"
  if (k.isGlobalInit(t) && kernelOnly(sig)) return true;
  // A namespace init ignores what it has no handler for, unless an ancestor namespace forces SIGKILL/SIGSTOP.
  if (t.group.unkillable && handler === 'SIG_DFL' && !(force && kernelOnly(sig))) return true;
  return handler === 'SIG_IGN' || (handler === 'SIG_DFL' && kernelIgnore(sig));
}

/** sig_fatal(): the default action kills. */
function fatal(t: Task, sig: number): boolean {
  const a = defaultAction(sig);
  return a !== 'ign' && a !== 'stop' && a !== 'cont' && t.group.disposition(sig) === 'SIG_DFL';
}

/** wants_signal() without the blocked mask (not modeled). */
function wants(t: Task, sig: number): boolean {
  if (t.exitState !== 'alive') return false;
  if (sig === Signal.SIGKILL) return true;
  return !t.stopped;
}

/**
 * The siginfo kill() and friends send, and whether the sender is forced
 * through a namespace init's protection: a sender invisible in the target's
 * namespace (an ancestor) shows as si_pid 0 and is forced (send_signal_locked).
 */
export function userSigInfo(sender: Task, target: Task, sig: number, code: SiCode): { info: SigInfo; force: boolean } {
  const visible = sender.tidIn(target.activeNs) !== 0;
  return {
    info: { signo: sig, code, pid: visible ? sender.tgidIn(sender.activeNs) : 0, status: 0 },
    force: !visible,
  };
}

/** check_kill_permission(): EPERM unless same group, matching uids, CAP_KILL, or SIGCONT within the session. */
export function killPermitted(sender: Task, target: Task, sig: number): boolean {
  if (sender.group === target.group) return true;
  const c = sender.cred;
  const tc = target.cred;
  if (c.euid === tc.suid || c.euid === tc.uid || c.uid === tc.suid || c.uid === tc.uid) return true;
  if (nsCapable(c, tc.userNs)) return true;
  return sig === Signal.SIGCONT && sender.group.session === target.group.session;
}

/**
 * __send_signal_locked() with prepare_signal() and complete_signal().
 * `target` is the task the id named; `scope` whether only that thread may take it.
 */
export function sendSignal(k: Kernel, target: Task, info: SigInfo, scope: SignalScope, force: boolean, from: Task | null): void {
  const sig = info.signo;
  const group = target.group;
  // prepare_signal(): a group already dying takes nothing more.
  if (group.groupExit) return;
  if (isStopSignal(sig)) {
    dropPending(group, (s) => s === Signal.SIGCONT);
  } else if (sig === Signal.SIGCONT) {
    dropPending(group, isStopSignal);
    if (group.stopped) continueGroup(k, group);
  }
  if (taskIgnores(k, target, sig, force)) return;
  if (k.listening) k.emit({ type: 'signalled', task: target.seq, signal: sig, from: from?.seq ?? null });
  // complete_signal(): which thread takes it.
  let t: Task | null = null;
  if (wants(target, sig)) t = target;
  else if (scope === 'group' && group.threads.size > 1) {
    let c = group.currTarget;
    if (!group.threads.has(c)) c = group.threads.first!;
    const start = c;
    do {
      if (wants(c, sig)) {
        t = c;
        break;
      }
      c = group.nextThread(c);
    } while (c !== start);
    if (t !== null) group.currTarget = t;
  }
  if (t === null) {
    // Nobody can take it now (stopped, or exiting): it waits in the pending set.
    if (group.aliveThread() !== null) queuePending(scope === 'thread' ? target.pending : group.sharedPending, info);
    return;
  }
  if (fatal(t, sig) && defaultAction(sig) !== 'core') {
    startGroupExit(k, group, sig);
    return;
  }
  deliver(k, t, info);
}

/** Standard signals do not queue twice (legacy_queue()). */
function queuePending(q: SigInfo[], info: SigInfo): void {
  if (q.some((x) => x.signo === info.signo)) return;
  q.push(info);
}

function dropPending(group: ThreadGroup, which: (sig: number) => boolean): void {
  const keep = (q: SigInfo[]): void => {
    for (let i = q.length - 1; i >= 0; i--) if (which(q[i]!.signo)) q.splice(i, 1);
  };
  const shared = group.sharedPendingIfAny;
  if (shared !== null) keep(shared);
  for (const t of group.threads) {
    const mine = t.pendingIfAny;
    if (mine !== null) keep(mine);
  }
}

/**
 * What get_signal() does with a signal the thread dequeued: run the handler,
 * stop the group, or make the group exit. A handler of a thread blocked in
 * wait runs when the wait returns (EINTR, as the handler has no SA_RESTART).
 */
function deliver(k: Kernel, t: Task, info: SigInfo): void {
  const sig = info.signo;
  const handler = t.group.disposition(sig);
  if (handler === 'catch') {
    // The handler runs when the thread next returns to user space, at the end of the step; until
    // then a second standard signal of the same number is not queued again (legacy_queue()).
    if (t.handlersDue.some((x) => x.signo === sig)) return;
    t.handlersDue.push(info);
    if (t.blocked !== null) t.woken = true;
    else k.handlersDue.add(t);
    return;
  }
  if (handler === 'SIG_IGN') return;
  const action = defaultAction(sig);
  if (action === 'ign' || action === 'cont') return;
  if (action === 'stop') {
    // "Stop signals other than SIGSTOP from an orphaned process group are discarded" (get_signal)
    if (sig !== Signal.SIGSTOP && pgrpOrphaned(t.group.pgrp, null)) return;
    stopGroup(k, t.group, sig);
    return;
  }
  // term or core: the group exits (cores are not dumped in the model).
  startGroupExit(k, t.group, sig);
}

/**
 * The order in which handlers that are due together run. On the way back to
 * user space the kernel dequeues the lowest-numbered signal first and pushes
 * a frame for each (the handlers mask nothing), so the last frame pushed, the
 * highest-numbered signal's, runs first.
 */
export function handlerOrder(due: readonly SigInfo[]): SigInfo[] {
  return [...due].sort((a, b) => b.signo - a.signo);
}

export function emitCaught(k: Kernel, t: Task, info: SigInfo): void {
  k.emit({ type: 'caught', task: t.seq, signal: info.signo, siPid: info.pid, siCode: info.code, siStatus: info.status });
}

/** complete_signal()'s fatal path and do_group_exit(): every thread is killed with `code` as the status word. */
export function startGroupExit(k: Kernel, group: ThreadGroup, code: number): void {
  if (group.groupExit) return;
  group.groupExit = true;
  group.groupExitCode = code;
  group.stopped = false;
  group.clearSharedPending();
  for (const th of group.threads) {
    if (th.exitState === 'alive') {
      th.stopped = false;
      k.exitQueue.push(th, code);
    }
  }
}

/** do_signal_stop(): the whole group stops, and the leader's parent hears CLD_STOPPED. */
function stopGroup(k: Kernel, group: ThreadGroup, sig: number): void {
  if (group.stopped || group.groupExit) return;
  group.stopped = true;
  group.stopCode = sig;
  group.continuedPending = false;
  for (const th of group.threads) {
    if (th.exitState === 'alive') {
      th.stopped = true;
      k.emit({ type: 'stopped', task: th.seq, signal: sig });
    }
  }
  notifyParentCldstop(k, group, SiCode.CLD_STOPPED, sig);
}

/** prepare_signal() for SIGCONT: wake every stopped thread and tell the parent. */
function continueGroup(k: Kernel, group: ThreadGroup): void {
  group.stopped = false;
  group.stopCode = 0;
  group.continuedPending = true;
  for (const th of group.threads) {
    if (th.stopped) {
      th.stopped = false;
      if (th.exitState === 'alive') k.emit({ type: 'continued', task: th.seq });
    }
    // A wait interrupted by the stop restarts (-ERESTARTSYS without a handler).
    if (th.blocked !== null) th.woken = true;
  }
  notifyParentCldstop(k, group, SiCode.CLD_CONTINUED, Signal.SIGCONT);
  // What waited for the group to run again is taken now, lowest signal first, thread-directed first.
  for (const th of group.threads) {
    const mine = (th.pendingIfAny?.splice(0) ?? []).sort((a, b) => a.signo - b.signo);
    for (const info of mine) if (th.exitState === 'alive' && !group.groupExit) takePending(k, th, info);
  }
  const shared = (group.sharedPendingIfAny?.splice(0) ?? []).sort((a, b) => a.signo - b.signo);
  for (const info of shared) {
    if (group.groupExit) break;
    const t = group.threads.toArray().find((x) => wants(x, info.signo));
    if (t !== undefined) takePending(k, t, info);
  }
}

function takePending(k: Kernel, t: Task, info: SigInfo): void {
  if (fatal(t, info.signo)) startGroupExit(k, t.group, info.signo);
  else deliver(k, t, info);
}

/** do_notify_parent_cldstop(): SIGCHLD to the leader's real parent, and a wakeup for its waiters. */
function notifyParentCldstop(k: Kernel, group: ThreadGroup, why: SiCode, status: number): void {
  const leader = group.leader;
  const parent = leader.parent;
  if (parent === null) return;
  const info: SigInfo = { signo: Signal.SIGCHLD, code: why, pid: leader.tidIn(parent.activeNs), status };
  // SA_NOCLDSTOP is not modeled: the signal is always sent.
  sendSignal(k, parent, info, 'group', false, null);
  wakeWaiters(parent.group, leader);
}

/**
 * will_become_orphaned_pgrp(pgrp, ignored) == true: no member has a parent
 * in a different process group of the same session (ignoring `ignored`).
 */
export function pgrpOrphaned(pgrp: Pid, ignored: ThreadGroup | null): boolean {
  for (const g of pgrp.pgrpMembers) {
    const leader = g.leader;
    if (g === ignored) continue;
    if ((leader.exitState === 'zombie' || leader.exitState === 'dead') && g.empty) continue;
    const parent = leader.parent;
    if (parent === null) continue;
    if (parent.group.pgrp !== pgrp && parent.group.session === g.session) return false;
  }
  return true;
}

/**
 * The one siginfo that kill(0), kill(-pgid) and kill(-1) pass to every target.
 * send_signal_locked() zeroes its si_pid in place for a target in a namespace
 * where the sender is invisible, so every later target sees si_pid 0 too.
 */
export interface SharedSigInfo {
  zeroed: boolean;
}

/** group_send_sig_info(): permission, then the signal (0 only checks). */
export function groupSendSigInfo(k: Kernel, sender: Task, sig: number, target: Task, code: SiCode, scope: SignalScope, shared?: SharedSigInfo): Errno | 0 {
  if (!validSignal(sig)) return Errno.EINVAL;
  if (!killPermitted(sender, target, sig)) return Errno.EPERM;
  if (sig === 0) return 0;
  const { info, force } = userSigInfo(sender, target, sig, code);
  if (shared !== undefined && force) shared.zeroed = true;
  sendSignal(k, target, shared?.zeroed === true ? { ...info, pid: 0 } : info, scope, force, sender);
  return 0;
}
