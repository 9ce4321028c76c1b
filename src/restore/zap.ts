// An init in zap_pid_ns_processes (kernel/pid_namespace.c): it has exited,
// killed its namespace, reaped what was its to reap, and sleeps until the
// tasks left are gone — zombies whose parents live outside the namespace
// (a setns'd creator), which only those parents can reap. Nothing wakes it
// but their wait, so it is a state, not a moment: the plan rebuilds the
// namespace with its zombies and lets the init die last, as a zombie does.
// ns0's own init is refused: the plan's namespace would end with it.

import type { Names } from './same.js';
import { refuse } from './refusal.js';

/** The inits waiting in zap_pid_ns_processes (task seqs), or a refusal for a mid-exit the plan cannot leave behind. */
export function dyingInits(n: Names): ReadonlySet<number> {
  const q = n.json.queues;
  if (q.exitQueue.length > 0) refuse('ns0', 'a task mid-exit', 'the snapshot was taken while a task was between exit and its zombie state, which no step leaves behind');
  const out = new Set<number>();
  for (const seq of q.zapWaiting) {
    const t = n.tasks.get(seq)!;
    if (t.exitState !== 'exiting' || !n.underBase(n.activeNs(t))) continue;
    const nrs = n.pids.get(t.pid)!.numbers;
    if (n.activeNs(t) === n.base.serial) refuse(n.taskName(t.seq), 'a task mid-exit', "ns0's init waits for its namespace to empty: the plan runs in that namespace, which would end with it");
    if (nrs[nrs.length - 1]![1] !== 1) refuse(n.taskName(t.seq), 'a task mid-exit', 'a task waits in zap_pid_ns_processes without being its namespace\'s pid 1 (a thread took over)');
    out.add(seq);
  }
  for (const t of n.liveTasks()) {
    if (t.exitState === 'exiting' && !out.has(t.seq)) refuse(n.taskName(t.seq), 'exiting', 'it is between exit and becoming a zombie, and not an init waiting for its namespace to empty: a moment no step leaves behind');
  }
  return out;
}
