// A pending signal whose siginfo the kernel wrote (kill: SI_USER; a
// thread-directed kill: SI_TKILL) names its sender by number, as the
// receiver's namespace sees it (kernel/signal.c __send_signal_locked sets
// si_pid = task_tgid_nr_ns(current, ...)); a number no task of the plan has
// is a sender that is gone. A helper with that number sends it, exits and
// is reaped, so that the number is free again at the end, as in the
// snapshot. It is cloned with no exit signal (clone3's exit_signal 0), so
// its death queues nothing at its creator, and reaped with __WALL.

import type { Actor, Cast } from './actors.js';
import { refuse } from './refusal.js';
import type { Out } from './schedule.js';
import * as step from './steps.js';

/**
 * A helper made now, in `target`'s namespace with number `pid` there (or,
 * for pid 0, a sender `target` cannot see, in the namespace above), that
 * sends the signal with `send(helper's name)`, then dies and is reaped.
 * Refused when the number is held at the end (a task or a dead leader's
 * session or group has it) or no live process can create the helper there.
 */
export function sendFromGone(cast: Cast, target: Actor, pid: number, send: (sender: string) => string, out: Out): void {
  const n = cast.n;
  const who = n.taskName(target.task!.seq);
  const what = `pending signal from ${pid}`;
  let ns = target.ns;
  let nums: number[];
  if (pid === 0) {
    const up = n.nss.get(ns)!.parent;
    if (ns === n.base.serial || up === null || !n.underBase(up)) return refuse(who, what, 'its sender is above ns0, where a plan creates no task');
    ns = up;
    nums = cast.spareNumbers(ns);
  } else {
    if (cast.taken(ns, pid)) refuse(who, what, 'no task of the plan can send it with that number now, and the number is held at the end (by a zombie, or a session or group whose leader is dead), so no helper can take it');
    const up = n.nss.get(ns)!.parent;
    nums = [...(ns === n.base.serial || up === null ? [] : cast.spareNumbers(up)), pid];
  }
  const creator = cast.all.find((a) => a.kind === 'target' && a.task!.exitState === 'alive' && a.pfc === ns && !n.groups.get(a.task!.group)!.groupExit);
  if (creator === undefined) return refuse(who, what, `no live process of the plan makes its children in ${n.nsName(ns)}, to create a helper with the sender's number there`);
  const h = cast.add({ name: cast.helperName('sender'), kind: 'sender helper', task: null, ns, nums, creator, why: '', newPid: false, exitSignal: 0, sid: null, pgid: null });
  out.step(step.clone3(creator.name, h.name, [], [...nums].reverse(), 0), `stands in for the sender ${pid}, gone since it sent the signal (no exit signal: its death queues nothing)`);
  out.step(send(h.name), 'pending (blocked): the kernel writes the sender\'s number');
  out.step(step.exitThread(h.name, 0), 'the sender is gone again');
  out.step(step.reap(creator.name, h.name), 'and reaped: its number is free, as in the snapshot');
}
