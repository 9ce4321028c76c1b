// The result of a signal wait whose caller stopped on its way back to user
// space, kept until the caller runs again (sigwait.ts finish, signal.ts
// continueGroup). Its own module: both of those import it.

import type { KernelEvent } from './events.js';
import type { Kernel } from './kernel.js';
import type { Task } from './task.js';

/**
 * Results of signal waits whose caller stopped on its way back to user space
 * (a stop signal woke a blocked rt_sigtimedwait: -EINTR, then do_signal_stop()):
 * the caller sees its result only when it runs again, after SIGCONT; one that
 * is killed while stopped never does.
 */
const deferredResults = new WeakMap<Task, KernelEvent>();

/** Keeps a stopped caller's result (sigwait.ts finish). */
export function deferResult(t: Task, event: KernelEvent): void {
  deferredResults.set(t, event);
}

/** A stopped thread runs again (SIGCONT): the signal wait that returned as it stopped now reaches its caller. */
export function releaseDeferredResult(k: Kernel, t: Task): void {
  const event = deferredResults.get(t);
  if (event === undefined) return;
  deferredResults.delete(t);
  if (t.exitState === 'alive') k.emit(event);
}
