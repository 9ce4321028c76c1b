// A pending signal whose siginfo the kernel wrote (kill: SI_USER; a
// thread-directed kill: SI_TKILL) names its sender by number, as the
// receiver's namespace sees it (kernel/signal.c __send_signal_locked sets
// si_pid = task_tgid_nr_ns(current, ...)); a number no task of the plan has
// is a sender that is gone. A helper with that number sends it, exits and
// is reaped, so that the number is free again at the end, as in the
// snapshot. It is cloned with no exit signal (clone3's exit_signal 0), so
// its death queues nothing at its creator, and reaped with __WALL.

import { nrIn, within, type Actor, type Cast } from './actors.js';
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

const SIGCHLD = 17;
const CLD_EXITED = 1;
const CLD_KILLED = 2;

/**
 * A SIGCHLD pending at `self`'s group for a child that is reaped since
 * (do_notify_parent's siginfo: CLD_EXITED with the exit code, CLD_KILLED
 * with the signal; reaping does not dequeue it). A helper child of `self`
 * with the child's number dies the same way while the group blocks SIGCHLD
 * (its mask is set by now), and `self` reaps it. Returns false when this is
 * not such a siginfo; refuses when it is and cannot be made.
 */
export function childGone(cast: Cast, target: Actor, self: Actor, info: readonly number[], out: Out): boolean {
  const [signo, code, pid, status] = info as [number, number, number, number];
  if (signo !== SIGCHLD || (code !== CLD_EXITED && code !== CLD_KILLED) || info.length !== 4) return false;
  const n = cast.n;
  const who = n.taskName(target.task!.seq);
  const what = `pending SIGCHLD from child ${pid}`;
  const ns = self.ns;
  if (pid === 0 || cast.taken(ns, pid)) refuse(who, what, 'the child is not reaped (or its number is held at the end), so a helper cannot die with its number');
  const g = n.groups.get(target.leader.task!.group)!;
  const act = (g.sighand === null ? undefined : n.sigHands.get(g.sighand))?.actions.find((a) => a[0] === SIGCHLD);
  // SIG_IGN or SA_NOCLDWAIT: the helper would be reaped at its death (do_notify_parent), leaving nothing to wait for.
  if (act !== undefined && (act[1] === 'SIG_IGN' || (act.length === 4 && (act[2] & 2) !== 0))) refuse(who, what, 'its group ignores SIGCHLD or has SA_NOCLDWAIT: a helper child would be reaped as it dies');
  const up = n.nss.get(ns)!.parent;
  let nums = [...(ns === n.base.serial || up === null ? [] : cast.spareNumbers(up)), pid];
  if (self.pfc !== ns) {
    // Its children go below (setns): the helper is born there, with the child's number at the parent's level (si_pid is that one).
    const init = cast.initOf.get(self.pfc);
    if (init === undefined || init.task === null || init.task.exitState !== 'alive' || !within(n, self.pfc, ns)) refuse(who, what, `${self.name}'s children go to ${n.nsName(self.pfc)}, which has no live init to take a helper child`);
    nums = cast.spareNumbers(self.pfc);
    nums[n.levels.get(ns)! - n.baseLevel] = pid;
  }
  const h = cast.add({ name: cast.helperName('child'), kind: 'sender helper', task: null, ns: self.pfc, nums, creator: self, why: '', newPid: false, exitSignal: SIGCHLD, sid: null, pgid: null });
  out.step(step.clone3(self.name, h.name, [], [...nums].reverse(), SIGCHLD), `stands in for the child ${pid}, reaped since its death queued the SIGCHLD`);
  if (code === CLD_EXITED) out.step(step.exitThread(h.name, status), 'dies as that child did: the SIGCHLD is queued (blocked)');
  else out.step(step.kill(self.name, h.name, status), 'killed as that child was: the SIGCHLD is queued (blocked)');
  out.step(step.reap(self.name, h.name), 'and reaped: the SIGCHLD stays pending, the number is free');
  return true;
}

/** SIGCHLDs a zombie's death queues at its parent, which pendingFor does not send again. */
const byDeath = new WeakMap<Cast, Set<readonly number[]>>();

/** Whether `info` is queued by a death the plan makes (cldAtDeath). */
export function queuedByDeath(cast: Cast, info: readonly number[]): boolean {
  return byDeath.get(cast)?.has(info) ?? false;
}

/**
 * A SIGCHLD pending at the parent's group for the zombie `z`, last in the
 * group's queue, with the parent's every thread blocking SIGCHLD: the death
 * itself queues it (do_notify_parent), if the parent's signal state is set
 * just before it. Returns whether it is so; the caller then sets that
 * state, and pendingFor skips the siginfo (queuedByDeath).
 */
export function cldAtDeath(cast: Cast, z: Actor, parent: Actor, threadsLive: boolean, maskOf: (a: Actor) => bigint): boolean {
  const n = cast.n;
  if (threadsLive || z.exitSignal !== SIGCHLD || parent.leader.task === null || parent.leader.task.exitState === 'zombie' || cast.groupsDone.has(parent.leader)) return false;
  const g = n.groups.get(parent.leader.task.group)!;
  const last = g.sharedPending[g.sharedPending.length - 1];
  if (last === undefined || last.length !== 4 || last[0] !== SIGCHLD) return false;
  const status = z.task!.exitCode;
  const killed = status & 0x7f;
  const [code, siStatus] = killed === 0 ? [CLD_EXITED, (status >> 8) & 0xff] : [CLD_KILLED, killed];
  if ((status & 0x80) !== 0 || last[1] !== code || last[3] !== siStatus || last[2] !== nrIn(n.pids.get(z.task!.pid)!, parent.ns)) return false;
  const members = [parent.leader, ...cast.threadsOf(parent.leader)].filter((m) => m.task!.exitState !== 'zombie');
  if (members.length === 0 || members.some((m) => (maskOf(m) & (1n << BigInt(SIGCHLD - 1))) === 0n)) return false;
  const set = byDeath.get(cast) ?? new Set<readonly number[]>();
  set.add(last);
  byDeath.set(cast, set);
  return true;
}
