// An init in zap_pid_ns_processes (kernel/pid_namespace.c): it has exited,
// killed its namespace, reaped what was its to reap, and sleeps until the
// tasks left are gone — zombies whose parents live outside the namespace
// (a setns'd creator), which only those parents can reap. Nothing wakes it
// but their wait, so it is a state, not a moment: the plan rebuilds the
// namespace with its zombies and lets the init die last, as a zombie does.
// ns0's own init is refused: the plan's namespace would end with it.

import type { Names } from './same.js';
import { refuse } from './refusal.js';

/**
 * The refusals of a mid-exit that reboot.ts refuseNsDeaths (run before, with the exit queue and the threaded or
 * not-reaper waiters) leaves: ns0's own init waiting, and an exiting task that is not waiting at all. What passes dies
 * in the deaths phase (phases.ts), its namespace's zombies first.
 */
export function dyingInits(n: Names): void {
  const waiting = new Set(n.json.queues.zapWaiting);
  for (const seq of waiting) {
    const t = n.tasks.get(seq)!;
    if (n.underBase(n.activeNs(t)) && n.activeNs(t) === n.base.serial) refuse(n.taskName(t.seq), 'a task mid-exit', "ns0's init waits for its namespace to empty: the plan runs in that namespace, which would end with it");
  }
  for (const t of n.liveTasks()) {
    if (t.exitState === 'exiting' && !waiting.has(t.seq)) refuse(n.taskName(t.seq), 'exiting', 'it is between exit and becoming a zombie, and not an init waiting for its namespace to empty: a moment no step leaves behind');
  }
}
