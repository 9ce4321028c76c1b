// struct sigpending: the signals pending for a thread (task->pending) and
// for its group (signal->shared_pending), and how they leave it:
// dequeue_signal()'s order (synchronous first, then lowest number, first
// instance) and the flushes of prepare_signal() and sigaction().

import { sigismember, sigmask, type SigSet } from '../abi/signal.js';
import type { Kernel } from './kernel.js';
import type { SigInfo } from './signal_types.js';
import type { Task } from './task.js';
import type { ThreadGroup } from './thread_group.js';
import { Signal } from '../abi/signal.js';

/** SYNCHRONOUS_MASK: signals an instruction raises, dequeued before any other. */
export const SYNCHRONOUS = new Set<number>([Signal.SIGSEGV, Signal.SIGBUS, Signal.SIGILL, Signal.SIGTRAP, Signal.SIGFPE, Signal.SIGSYS]);

export function dropPending(group: ThreadGroup, which: (sig: number) => boolean): void {
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

/** flush_sigqueue_mask() of one signal over the group (sigaction to an ignoring handler discards what is pending). */
export function flushPendingSignal(group: ThreadGroup, sig: number): void {
  dropPending(group, (s) => s === sig);
}

/** The index of the signal next_signal() would take from `q` outside `mask`: synchronous first, then lowest, first instance. */
function nextIndex(q: readonly SigInfo[] | null, mask: SigSet): number {
  if (q === null) return -1;
  let best = -1;
  let bestSig = 0;
  let bestSync = false;
  for (let i = 0; i < q.length; i++) {
    const s = q[i]!.signo;
    if (sigismember(mask, s)) continue;
    const sync = SYNCHRONOUS.has(s);
    if (best < 0 || (sync && !bestSync) || (sync === bestSync && s < bestSig)) {
      best = i;
      bestSig = s;
      bestSync = sync;
    }
  }
  return best;
}

/** dequeue_signal(mask): the thread's own pending first, then the group's shared set. */
export function dequeueSignal(t: Task, mask: SigSet): SigInfo | null {
  const mine = t.pendingIfAny;
  const i = nextIndex(mine, mask);
  if (i >= 0) return mine!.splice(i, 1)[0]!;
  const shared = t.group.sharedPendingIfAny;
  const j = nextIndex(shared, mask);
  if (j >= 0) return shared!.splice(j, 1)[0]!;
  return null;
}

/** Whether a signal outside `mask` is pending for `t` (signal_pending after recalc_sigpending). */
export function hasPendingOutside(t: Task, mask: SigSet): boolean {
  return nextIndex(t.pendingIfAny, mask) >= 0 || nextIndex(t.group.sharedPendingIfAny, mask) >= 0;
}

/**
 * signal_pending(current): TIF_SIGPENDING, set only on the thread that
 * complete_signal woke (or that unblocked, or continued), and a signal it can
 * take. A thread that merely returns from its call does not look at shared
 * signals another thread was woken for.
 */
export function signalPending(k: Kernel, t: Task): boolean {
  return k.sigPending.has(t) && hasPendingOutside(t, t.sigBlocked);
}

/** The signals pending for `t`, thread and shared (rt_sigpending before it masks them with blocked). */
export function pendingSet(t: Task): SigSet {
  let s = 0n;
  for (const i of t.pendingIfAny ?? []) s |= sigmask(i.signo);
  for (const i of t.group.sharedPendingIfAny ?? []) s |= sigmask(i.signo);
  return s;
}

