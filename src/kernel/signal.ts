// Sending and delivering signals (kernel/signal.c). A signal is generated
// into a pending set (the thread's, or the group's shared one), as
// __send_signal_locked does: prepare_signal (stop/continue side effects,
// ignored signals, the protection of namespace inits), legacy_queue (a
// standard signal pends once, a real-time one queues every instance), then
// complete_signal (which thread to wake, and the fast group exit of a fatal
// signal). Delivery is get_signal on each woken thread's way back to user
// space, when the kernel settles: dequeue (own pending first, synchronous
// signals first, then lowest number), act (ignore, stop, exit, or set up a
// handler frame that blocks sa_mask and the signal), and run the frames newest
// first, each sigreturn restoring the mask it saved.

import { releaseDeferredResult } from './sigwait_result.js';
import { Errno } from '../abi/errno.js';
import {
  defaultAction,
  isRtSignal,
  SA_NOCLDSTOP,
  SA_NODEFER,
  SA_RESETHAND,
  SA_RESTART,
  sigismember,
  sigmask,
  Signal,
  SiCode,
  UNBLOCKABLE,
  validSignal,
} from '../abi/signal.js';
import type { SigSet } from '../abi/signal.js';
import { nsCapable } from './cred.js';
import type { Kernel } from './kernel.js';
import { fail, type Fail } from './result.js';
import { DEFAULT_ACTION } from './sighand.js';
import type { SigAction, SigFrame, SigInfo } from './signal_types.js';
import type { Task } from './task.js';
import type { ThreadGroup } from './thread_group.js';
import { pgrpOrphaned } from './exit.js';
import { dequeueSignal, dropPending, hasPendingOutside } from './sigpending.js';
import { wakeWaiters } from './wait.js';

/** How a signal is addressed (enum pid_type): one thread (PIDTYPE_PID), or a thread group (PIDTYPE_TGID). */
export type SignalScope = 'thread' | 'group';

const isStopSignal = (sig: number): boolean => defaultAction(sig) === 'stop';
/** sig_kernel_only(): SIGKILL and SIGSTOP. */
const kernelOnly = (sig: number): boolean => sig === Signal.SIGKILL || sig === Signal.SIGSTOP;
/** sig_kernel_ignore(): ignored by default. */
const kernelIgnore = (sig: number): boolean => defaultAction(sig) === 'ign' || sig === Signal.SIGCONT;
/** sig_kernel_coredump(). */
const kernelCoredump = (sig: number): boolean => defaultAction(sig) === 'core';

/** sighand->action[sig - 1]. */
export function sigAction(group: ThreadGroup, sig: number): SigAction {
  return group.sighandRef === null ? DEFAULT_ACTION : group.sighandRef.action(sig);
}

/** sig_handler_ignored(): SIG_IGN, or SIG_DFL for a signal whose default is to ignore. */
export function handlerIgnored(group: ThreadGroup, sig: number): boolean {
  const h = group.disposition(sig);
  return h === 'SIG_IGN' || (h === 'SIG_DFL' && kernelIgnore(sig));
}

/** sig_task_ignored(). */
function taskIgnores(k: Kernel, t: Task, sig: number, force: boolean): boolean {
  const handler = t.group.disposition(sig);
  // "SIGKILL and SIGSTOP may not be sent to the global init"
  if (k.isGlobalInit(t) && kernelOnly(sig)) return true;
  // A namespace init ignores what it has no handler for, unless an ancestor namespace forces SIGKILL/SIGSTOP.
  if (t.group.unkillable && handler === 'SIG_DFL' && !(force && kernelOnly(sig))) return true;
  return handler === 'SIG_IGN' || (handler === 'SIG_DFL' && kernelIgnore(sig));
}

/** sig_ignored(): "Blocked signals are never ignored, since the signal handler may change by the time it is unblocked." */
function sigIgnored(k: Kernel, t: Task, sig: number, force: boolean): boolean {
  if (sigismember(t.sigBlocked, sig) || sigismember(t.realBlocked, sig)) return false;
  return taskIgnores(k, t, sig, force);
}

/** sig_fatal(): the default action kills. */
function fatal(t: Task, sig: number): boolean {
  const a = defaultAction(sig);
  return a !== 'ign' && a !== 'stop' && a !== 'cont' && t.group.disposition(sig) === 'SIG_DFL';
}

/**
 * wants_signal(): not blocked, not exiting; SIGKILL always; not stopped; and
 * either running (the sender itself: task_curr) or not already woken for
 * another signal in this step (!task_sigpending).
 */
function wants(k: Kernel, t: Task, sig: number, current: Task | null): boolean {
  if (sigismember(t.sigBlocked, sig)) return false;
  if (t.exitState !== 'alive') return false;
  if (sig === Signal.SIGKILL) return true;
  if (t.stopped) return false;
  return t === current || !k.sigPending.has(t);
}

/** has_si_pid_and_uid(): siginfo layouts that carry a sender (SIL_KILL, SIL_CHLD, SIL_RT). */
function hasSiPid(info: SigInfo): boolean {
  const c = info.code;
  if (c === SiCode.SI_KERNEL) return true;
  if (c > 0 && c < SiCode.SI_KERNEL) return info.signo === (Signal.SIGCHLD as number) && c <= SiCode.CLD_CONTINUED;
  return c !== SiCode.SI_TIMER && c !== SiCode.SI_SIGIO;
}

/**
 * The siginfo kill() and friends send (prepare_kill_siginfo, then
 * send_signal_locked's "from an ancestor pid namespace?"): a sender
 * invisible in the target's namespace shows as si_pid 0 and is forced
 * through a namespace init's protection.
 */
export function userSigInfo(sender: Task, target: Task, sig: number, code: SiCode): { info: SigInfo; force: boolean } {
  const visible = sender.tidIn(target.activeNs) !== 0;
  return {
    info: { signo: sig, code, pid: visible ? sender.tgidIn(sender.activeNs) : 0, status: 0 },
    force: !visible,
  };
}

/**
 * send_signal_locked() for a siginfo the sender wrote (rt_sigqueueinfo and
 * friends): si_pid is kept as written, not translated, unless the sender is
 * invisible in the target's namespace (then 0, and forced); SI_KERNEL forces.
 */
function queuedSigInfo(sender: Task, target: Task, info: SigInfo): { info: SigInfo; force: boolean } {
  if (!hasSiPid(info)) return { info, force: false };
  let force = info.code === SiCode.SI_KERNEL;
  if (sender.tidIn(target.activeNs) === 0) {
    info = { ...info, pid: 0 };
    force = true;
  }
  return { info, force };
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
 * __send_signal_locked() with prepare_signal(), legacy_queue() and
 * complete_signal(). `target` is the task the id named; `scope` whether
 * only that thread may take it; `from` the sending task (current), if any.
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
  if (sigIgnored(k, target, sig, force)) return;
  // A process-directed SIGKILL to a live thread is never queued: __send_signal_locked() "goto out_set"s
  // it, and complete_signal() starts the group exit at once (which would empty shared_pending anyway).
  // A dying namespace's zap sends one per process, so this spares each an array and an entry.
  if (sig === Signal.SIGKILL && scope === 'group' && target.exitState === 'alive') {
    if (k.listening) k.emit({ type: 'signalled', task: target.seq, signal: sig, from: from?.seq ?? null });
    startGroupExit(k, group, sig);
    return;
  }
  const q = scope === 'thread' ? target.pending : group.sharedPending;
  // legacy_queue(): a standard signal already pending is not queued again.
  if (!isRtSignal(sig) && q.some((x) => x.signo === sig)) return;
  q.push(info);
  if (k.listening) k.emit({ type: 'signalled', task: target.seq, signal: sig, from: from?.seq ?? null });
  signalfdNotify(group);
  completeSignal(k, target, sig, scope, from);
}

/** complete_signal(): the thread to wake (curr_target onwards for a group signal), or the group exit of a fatal one. */
function completeSignal(k: Kernel, p: Task, sig: number, scope: SignalScope, current: Task | null): void {
  const group = p.group;
  let t: Task | null = null;
  if (wants(k, p, sig, current)) t = p;
  else if (scope === 'thread' || group.empty) return;
  else {
    let c = group.currTarget;
    if (!group.threads.has(c)) c = group.threads.first!;
    const start = c;
    do {
      if (wants(k, c, sig, current)) {
        t = c;
        break;
      }
      c = group.nextThread(c);
    } while (c !== start);
    // "Otherwise the signal will be dequeued by whichever thread next unblocks it."
    if (t === null) return;
    group.currTarget = t;
  }
  // A namespace init's group is not taken down here by anything but SIGKILL: a fatal signal that
  // reached it (blocked, hence not ignored) is dropped at delivery instead (seen on Linux 6.18).
  if (fatal(p, sig) && !group.groupExit && (!group.unkillable || sig === Signal.SIGKILL) && !sigismember(t.realBlocked, sig) && !kernelCoredump(sig)) {
    startGroupExit(k, group, sig);
    return;
  }
  signalWakeUp(k, t);
}

/** signal_wake_up(): TIF_SIGPENDING, and an interruptible sleep (a blocked call) is woken. */
export function signalWakeUp(k: Kernel, t: Task): void {
  k.sigPending.add(t);
  if (t.blocked !== null) t.woken = true;
}

/** signalfd_notify(): readers of a signalfd of this group's sighand look again. */
function signalfdNotify(group: ThreadGroup): void {
  for (const th of group.threads) if (th.blocked?.syscall === 'read') th.woken = true;
}

/**
 * __set_task_blocked(): a new mask; shared signals it now blocks go to
 * another thread that does not (retarget_shared_pending), and signals it
 * unblocks make the thread take them on its way back (recalc_sigpending).
 */
export function setBlocked(k: Kernel, t: Task, mask: SigSet): void {
  mask &= ~UNBLOCKABLE;
  const old = t.sigBlocked;
  if (old === mask) return;
  t.sigBlocked = mask;
  const shared = t.group.sharedPendingIfAny;
  let retarget = 0n;
  if (shared !== null) for (const i of shared) if (sigismember(mask & ~old, i.signo)) retarget |= sigmask(i.signo);
  if (retarget !== 0n && !t.group.empty) {
    for (let c = t.group.nextThread(t); c !== t && retarget !== 0n; c = t.group.nextThread(c)) {
      if (c.exitState !== 'alive') continue;
      if ((retarget & ~c.sigBlocked) === 0n) continue;
      if (!k.sigPending.has(c)) signalWakeUp(k, c);
      retarget &= c.sigBlocked;
    }
  }
  if (hasPendingOutside(t, mask)) k.sigPending.add(t);
}

/** What get_signal() hands back for a handler: the siginfo and the action as it was (before SA_RESETHAND reset it). */
interface Delivery {
  readonly info: SigInfo;
  readonly action: SigAction;
}

/**
 * get_signal(): dequeues and acts on signals until one needs a handler
 * (returned), the thread stops or its group exits, or nothing is left (null).
 */
function getSignal(k: Kernel, t: Task, took: { n: number }): Delivery | null {
  for (;;) {
    if (t.exitState !== 'alive' || t.group.groupExit || t.stopped) return null;
    const info = dequeueSignal(t, t.sigBlocked);
    if (info === null) return null;
    took.n++;
    const sig = info.signo;
    const action = sigAction(t.group, sig);
    if (action.handler === 'SIG_IGN') continue;
    if (action.handler === 'catch') {
      // SA_ONESHOT: the handler is reset now; the frame keeps the action it was given.
      if ((action.flags & SA_RESETHAND) !== 0) t.group.ownSighand(k).set(sig, { ...action, handler: 'SIG_DFL' });
      return { info, action };
    }
    if (kernelIgnore(sig)) continue;
    // "Container-init gets no signals it doesn't want from same container": what an ancestor forced
    // (SIGKILL, SIGSTOP) still acts; anything else that reaches a default action here is dropped.
    if (t.group.unkillable && !kernelOnly(sig)) continue;
    if (isStopSignal(sig)) {
      // "The job control signals do nothing in an orphaned pgrp, but SIGSTOP always works."
      if (sig !== Signal.SIGSTOP && pgrpOrphaned(t.group.pgrp, null)) continue;
      stopGroup(k, t.group, sig);
      return null;
    }
    // term or core: the group exits (cores are not dumped in the model).
    startGroupExit(k, t.group, sig);
    return null;
  }
}

/**
 * handle_signal() for every signal get_signal() gives: a frame each, the
 * mask growing by sa_mask and (without SA_NODEFER) the signal itself. The
 * first frame saves the mask sigsuspend put aside, if any. Returns the
 * flags of the first handler set up, or -1 when none was.
 */
export function setupFrames(k: Kernel, t: Task, took: { n: number } = { n: 0 }): number {
  let first = -1;
  for (;;) {
    const d = getSignal(k, t, took);
    if (d === null) return first;
    const saved = t.savedMask ?? t.sigBlocked;
    t.savedMask = null;
    t.handlersDue.push({ info: d.info, saved });
    let mask = t.sigBlocked | d.action.mask;
    if ((d.action.flags & SA_NODEFER) === 0) mask |= sigmask(d.info.signo);
    setBlocked(k, t, mask);
    if (first < 0) first = d.action.flags;
  }
}

/** Whether the first handler's flags (setupFrames) make an interrupted call restart (-ERESTARTSYS with SA_RESTART). */
export const restarts = (flags: number): boolean => flags >= 0 && (flags & SA_RESTART) !== 0;

/**
 * The way back to user space: frames are set up while signals are
 * deliverable, then run newest first; each sigreturn restores the mask its
 * frame saved, which may make more signals deliverable. Frames of a thread
 * that stops stay for when it continues; a dying thread runs none.
 * Returns whether anything happened (a signal was taken, or a frame ran).
 */
export function returnToUser(k: Kernel, t: Task): boolean {
  // Without TIF_SIGPENDING the way back to user space does not look at signals (frames already set up still run).
  if (!k.sigPending.has(t) && !t.hasHandlersDue) return false;
  let moved = false;
  const took = { n: 0 };
  for (;;) {
    setupFrames(k, t, took);
    if (took.n > 0) moved = true;
    if (t.exitState !== 'alive' || t.group.groupExit || t.stopped) return moved;
    const frames = t.handlersDueIfAny;
    const f: SigFrame | undefined = frames?.pop();
    if (f === undefined) return moved;
    moved = true;
    emitCaught(k, t, f.info);
    setBlocked(k, t, f.saved);
  }
}

export function emitCaught(k: Kernel, t: Task, info: SigInfo): void {
  // A queued siginfo's si_value shares its place with si_status (the _rt and _sigchld layouts): a handler reading si_status sees it.
  k.emit({ type: 'caught', task: t.seq, signal: info.signo, siPid: info.pid, siCode: info.code, siStatus: info.value ?? info.status, siValue: info.value ?? null });
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

/**
 * prepare_signal() for SIGCONT: wake every stopped thread and tell the
 * parent. Each thread then goes on with get_signal(): what waited for the
 * group to run again is taken as the kernel settles.
 */
function continueGroup(k: Kernel, group: ThreadGroup): void {
  group.stopped = false;
  group.stopCode = 0;
  group.continuedPending = true;
  for (const th of group.threads) {
    if (th.stopped) {
      th.stopped = false;
      if (th.exitState === 'alive') k.emit({ type: 'continued', task: th.seq });
      releaseDeferredResult(k, th);
    }
    if (th.exitState !== 'alive') continue;
    // A call interrupted by the stop restarts (-ERESTARTSYS without a handler); pending signals are looked at again.
    k.sigPending.add(th);
    if (th.blocked !== null) th.woken = true;
  }
  notifyParentCldstop(k, group, SiCode.CLD_CONTINUED, Signal.SIGCONT);
}

/** do_notify_parent_cldstop(): SIGCHLD to the leader's real parent unless it ignores it or set SA_NOCLDSTOP; its waiters wake either way. */
function notifyParentCldstop(k: Kernel, group: ThreadGroup, why: SiCode, status: number): void {
  const leader = group.leader;
  const parent = leader.parent;
  if (parent === null) return;
  const info: SigInfo = { signo: Signal.SIGCHLD, code: why, pid: leader.tidIn(parent.activeNs), status };
  const act = sigAction(parent.group, Signal.SIGCHLD);
  if (act.handler !== 'SIG_IGN' && (act.flags & SA_NOCLDSTOP) === 0) sendSignal(k, parent, info, 'group', false, null);
  wakeWaiters(parent.group, leader);
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
export function groupSendSigInfo(k: Kernel, sender: Task, sig: number, target: Task, code: SiCode, scope: SignalScope, shared?: SharedSigInfo): 0 | Fail {
  if (!validSignal(sig)) return fail(Errno.EINVAL);
  if (!killPermitted(sender, target, sig)) return fail(Errno.EPERM);
  if (sig === 0) return 0;
  const { info, force } = userSigInfo(sender, target, sig, code);
  if (shared !== undefined && force) shared.zeroed = true;
  sendSignal(k, target, shared?.zeroed === true ? { ...info, pid: 0 } : info, scope, force, sender);
  return 0;
}

/**
 * group_send_sig_info() with a siginfo the sender wrote: check_kill_permission
 * skips the uid rule for a code that does not claim to come from a user
 * (si_code > 0, which only a sender to itself may write).
 */
export function sendQueuedSigInfo(k: Kernel, sender: Task, target: Task, info: SigInfo, scope: SignalScope, shared?: SharedSigInfo): 0 | Fail {
  const sig = info.signo;
  if (!validSignal(sig)) return fail(Errno.EINVAL);
  if (info.code <= 0 && !killPermitted(sender, target, sig)) return fail(Errno.EPERM);
  if (sig === 0) return 0;
  const q = queuedSigInfo(sender, target, info);
  if (shared !== undefined && q.info.pid === 0 && info.pid !== 0) shared.zeroed = true;
  sendSignal(k, target, shared?.zeroed === true ? { ...q.info, pid: 0 } : q.info, scope, q.force, sender);
  return 0;
}
