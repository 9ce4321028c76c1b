// The calls that sleep until a signal comes (kernel/signal.c, fs/signalfd.c):
// rt_sigsuspend and pause return EINTR once a handler has run (a signal
// without a handler restarts them); rt_sigtimedwait and a signalfd read take
// a pending signal of their set without running its handler.

import { Errno } from '../abi/errno.js';
import { UNBLOCKABLE } from '../abi/signal.js';
import type { SigSet } from '../abi/signal.js';
import type { KernelEvent, SigWaitOutcome } from './events.js';
import { deferResult } from './sigwait_result.js';
import type { Kernel } from './kernel.js';
import { fail } from './result.js';
import type { Fail } from './result.js';
import { restarts, returnToUser, setBlocked, setupFrames } from './signal.js';
import { dequeueSignal, signalPending } from './sigpending.js';
import type { SigInfo, SignalFd, SigWaitRequest } from './signal_types.js';
import type { Task } from './task.js';
import { runFramesWhileBlocked } from './wait.js';

/** What a signal-wait call gives now: its result, or 'block' (the task is then blocked in it). */
export type SigWaitCall = SigInfo | 'block';

function block(k: Kernel, t: Task, req: SigWaitRequest): 'block' {
  t.blocked = req;
  t.woken = false;
  k.blockedWaiters.add(t);
  return 'block';
}

/**
 * sys_rt_sigsuspend(): the mask is replaced (saved_sigmask keeps the old
 * one) until a handler runs; the first handler frame restores the old mask
 * at its sigreturn. With `mask` null this is pause(2).
 */
export function doSigsuspend(k: Kernel, t: Task, mask: SigSet | null): Fail | 'block' {
  if (mask !== null) {
    t.savedMask = t.sigBlocked;
    setBlocked(k, t, mask & ~UNBLOCKABLE);
  }
  const syscall = mask === null ? 'pause' : 'rt_sigsuspend';
  if (setupFrames(k, t) >= 0) return fail(Errno.EINTR);
  if (t.exitState === 'alive' && !t.group.groupExit) return block(k, t, { syscall });
  return 'block';
}

/**
 * do_sigtimedwait(): a pending signal of `set` (blocked or not), taken
 * without its handler. With none, a zero timeout answers EAGAIN; no timeout
 * sleeps with the set unblocked (real_blocked keeps the mask, so that a
 * signal blocked before is still not ignored, nor fatal at once).
 */
export function doSigtimedwait(k: Kernel, t: Task, set: SigSet, timeout: 0 | null): SigInfo | Fail | 'block' {
  const want = set & ~UNBLOCKABLE;
  const got = dequeueSignal(t, ~want);
  if (got !== null) return got;
  if (timeout === 0) return fail(Errno.EAGAIN);
  t.realBlocked = t.sigBlocked;
  t.sigBlocked = t.sigBlocked & ~want;
  return block(k, t, { syscall: 'rt_sigtimedwait', set: want });
}

/** signalfd_read() of one siginfo: a pending signal of the file's set, EAGAIN for O_NONBLOCK, else sleep. */
export function doSignalfdRead(k: Kernel, t: Task, fd: number, file: SignalFd): SigInfo | Fail | 'block' {
  const got = dequeueSignal(t, ~file.mask);
  if (got !== null) return got;
  if (file.nonblock) return fail(Errno.EAGAIN);
  return block(k, t, { syscall: 'read', fd, file });
}

function finish(k: Kernel, t: Task, req: SigWaitRequest, outcome: SigWaitOutcome): true {
  t.blocked = null;
  k.blockedWaiters.delete(t);
  returnToUser(k, t);
  const event: KernelEvent = { type: 'sigwait_resumed', task: t.seq, syscall: req.syscall, outcome };
  if (t.stopped && t.exitState === 'alive') deferResult(t, event);
  else k.emit(event);
  return true;
}


/** A woken signal wait runs again. Returns whether anything moved. */
export function retrySigWait(k: Kernel, t: Task, req: SigWaitRequest): boolean {
  if (!t.woken || t.stopped) return false;
  t.woken = false;
  switch (req.syscall) {
    case 'rt_sigsuspend':
    case 'pause': {
      // -ERESTARTNOHAND: only a handler ends it; a signal without one (ignored, a stop) is taken and the call goes on.
      const took = { n: 0 };
      if (setupFrames(k, t, took) >= 0) return finish(k, t, req, { kind: 'error', errno: Errno.EINTR });
      return took.n > 0;
    }
    case 'rt_sigtimedwait': {
      // The sleep ends: the mask comes back, then the set is looked at again.
      t.sigBlocked = t.realBlocked;
      t.realBlocked = 0n;
      const got = dequeueSignal(t, ~req.set);
      if (got !== null) return finish(k, t, req, { kind: 'signal', info: got });
      // Woken early (schedule_hrtimeout_range said so) with nothing of the set: -EINTR, and what woke it is delivered.
      setupFrames(k, t);
      return finish(k, t, req, { kind: 'error', errno: Errno.EINTR });
    }
    case 'read': {
      const got = dequeueSignal(t, ~req.file.mask);
      if (got !== null) return finish(k, t, req, { kind: 'signal', info: got });
      if (!signalPending(k, t)) return false;
      const took = { n: 0 };
      const flags = setupFrames(k, t, took);
      if (flags < 0 || restarts(flags)) {
        runFramesWhileBlocked(k, t);
        return took.n > 0;
      }
      return finish(k, t, req, { kind: 'error', errno: Errno.EINTR });
    }
  }
}
