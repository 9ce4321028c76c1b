// Phases 5 and 6 (plan.ts): signal state — dispositions per thread group,
// masks, pending signals and the parent-death signal per thread — then the
// credentials, and last the steps after which a task takes no more steps: a
// stop, a blocking wait.

import type { SigInfoJson, TaskJson } from '../snapshot/schema.js';
import { nrIn, type Actor, type Cast } from './actors.js';
import { dumpable, rootCreds } from './creds.js';
import { refuse } from './refusal.js';
import { rootUserNs } from './userns.js';
import type { Out } from './schedule.js';
import * as step from './steps.js';
import { START_INIT } from './exec.js';
import { blockingStep, maskBefore } from './waits.js';
import { childGone, queuedByDeath, sendFromGone } from './senders.js';

const SIGSTOP = 19;
const SIGCHLD = 17;
/** include/uapi/asm-generic/signal.h */
const SA_NOCLDSTOP = 1;

const big = (hex: string | undefined | null): bigint => (hex === undefined || hex === null ? 0n : BigInt(`0x${hex === '' ? '0' : hex}`));

/** The mask's comment: a blocking call's own mask is what the call sets later. */
const maskWhy = (t: TaskJson): string => (t.blocked?.syscall === 'rt_sigsuspend' ? 'the mask rt_sigsuspend saves' : t.blocked?.syscall === 'rt_sigtimedwait' ? 'real_blocked: rt_sigtimedwait unblocks its set itself' : '');

/** The actor that acts for a group: its leader unless the leader is a zombie, then its first live thread. */
function actorOf(cast: Cast, leader: Actor): Actor {
  if (leader.task!.exitState === 'alive') return leader;
  return cast.threadsOf(leader)[0] ?? leader;
}

/** Dispositions of `leader`'s group, and each of its tasks' masks, pending signals and pdeath signal. */
export function groupSignals(cast: Cast, leader: Actor, out: Out): void {
  if (cast.groupsDone.has(leader)) return;
  cast.groupsDone.add(leader);
  const n = cast.n;
  const g = n.groups.get(leader.task!.group)!;
  const who = actorOf(cast, leader);
  const h = g.sighand === null ? undefined : n.sigHands.get(g.sighand);
  const temp = cast.tempIgnored.get(leader) ?? new Set<number>();
  for (const a of h?.actions ?? []) {
    const flags = a.length === 4 ? a[2] : 0;
    const mask = a.length === 4 ? big(a[3]) : 0n;
    if (a[1] === 'SIG_DFL' && flags === 0 && mask === 0n && !temp.has(a[0])) continue;
    temp.delete(a[0]);
    out.step(step.action(who.name, a[0], a[1], flags, mask), a[1] === 'catch' ? 'a handler (the scenario\'s recording one)' : '');
  }
  for (const sig of temp) out.step(step.action(who.name, sig, 'SIG_DFL', 0, 0n), 'back to the default');
  const members = [leader, ...cast.threadsOf(leader)].filter((m) => !cast.signalsDone.has(m));
  for (const m of members) {
    const mask = maskBefore(m.task!);
    if (mask !== 0n) out.step(step.setMask(m.name, mask), maskWhy(m.task!));
  }
  const shared = g.sharedPending.filter((i) => i !== cast.deathInfo.get(leader));
  if (shared.length > 0) pendingFor(cast, leader, who, shared, true, out);
  for (const m of members) taskSignals(cast, m, out, true);
}

/** One task's mask (unless its group set it already) and pending signals (once). */
export function taskSignals(cast: Cast, m: Actor, out: Out, maskDone = false): void {
  if (cast.signalsDone.has(m)) return;
  cast.signalsDone.add(m);
  const t = m.task!;
  const mask = maskBefore(t);
  if (mask !== 0n && !maskDone) out.step(step.setMask(m.name, mask), maskWhy(t));
  const pending = t.pending.filter((i) => i !== cast.deathInfo.get(m));
  if (pending.length > 0) pendingFor(cast, m, m, pending, false, out);
}

/**
 * The ids (per thread, as the raw system call is: creds.ts), then the
 * parent-death signal, after them because a changed euid clears it
 * (kernel/cred.c commit_creds). A thread's is always written: what its setuid leaves it
 * is the model's business, the plan states the end value.
 */
export function taskCreds(cast: Cast, m: Actor, out: Out): void {
  const t = m.task!;
  // A task in a child user namespace keeps the ids it entered with (userns.ts checked them).
  const root = rootUserNs(cast.n);
  if (t.cred.userNs === root) rootCreds(m, out);
  dumpable(cast, m, out);
  // The start state's init has SIGKILL as its parent-death signal (the kernel runner's convention). A pid 1 named
  // otherwise is a thread that exec'd in the plan (exec.ts checkInitComm): it was born with 0 (copy_process), and a
  // setuid re-arms it only before the exec (runnerRestoresPdeath), so its end value is written.
  const start = t.seq === cast.n.json.init && t.comm === START_INIT ? 9 : 0;
  const want = t.pdeathSignal ?? 0;
  if (want !== start || m.kind === 'thread') out.step(step.pdeath(m.name, want), 'its parent-death signal');
}

/**
 * Pending signals, in queue order, each sent by the receiver to itself with
 * a forged siginfo (rt_sigqueueinfo to oneself may carry any si_code and
 * si_pid: kernel/signal.c do_rt_sigqueueinfo refuses SI_USER-like codes only
 * from another process). A siginfo the kernel made (no si_value) cannot be
 * forged that way: it is sent for real when a sender with that number exists.
 */
export function pendingFor(cast: Cast, target: Actor, self: Actor, infos: readonly SigInfoJson[], shared: boolean, out: Out): void {
  const n = cast.n;
  const who = n.taskName(target.task!.seq);
  for (const i of infos) {
    const [signo, code, pid, , value] = i;
    if (queuedByDeath(cast, i)) continue;
    // CLD_STOPPED: the SIGCHLD a child's group stop sends its parent; the stop itself (last phase) queues it again.
    if (signo === 17 && code === 5 && value === undefined && stoppedChild(cast, target, pid)) continue;
    // A stopped group took no signal since it stopped: what is pending there is sent after the stop, or it would act now.
    if (cast.n.groups.get(target.leader.task!.group)!.stopped && cast.stopper === null) {
      cast.afterStop.push({ target, self, info: i, shared });
      continue;
    }
    if (value !== undefined && cast.stopper !== null) {
      // From another process: rt_sigqueueinfo keeps any negative si_code but SI_TKILL (kernel/signal.c do_rt_sigqueueinfo).
      if (code >= 0 || code === -6) refuse(who, `pending signal ${signo} (code ${code})`, 'queued at a stopped group with a code only the receiver itself may forge, and a stopped task takes no step');
      out.step(shared ? step.queueInfo(cast.stopper.name, target.name, signo, code, value, pid) : step.threadQueueInfo(cast.stopper.name, target.leader.name, target.name, signo, code, value, pid), 'queued while it is stopped');
      continue;
    }
    if (value !== undefined) {
      out.step(shared ? step.queueInfo(self.name, self.name, signo, code, value, pid) : step.threadQueueInfo(self.name, target.leader.name, target.name, signo, code, value, pid), 'a queued signal, pending');
      continue;
    }
    if (value === undefined && shared && cast.stopper === null && senderNumbered(cast, target, pid, false) === null && childGone(cast, target, self, i, out)) continue;
    if (code !== 0 && code !== -6) refuse(who, `pending signal ${signo} (code ${code}, from ${pid})`, 'a siginfo only the kernel writes, for an event the plan does not replay');
    if (code === 0 && !shared) refuse(who, `pending signal ${signo}`, 'a kill() lands in the group\'s shared queue, not one thread\'s');
    const send = (sender: string): string => (code === 0 ? step.kill(sender, target.name, signo) : step.threadKill(sender, target.leader.name, target.name, signo));
    const sender = senderNumbered(cast, target, pid, cast.deathInfo.get(target) === i || cast.deathInfo.get(target.leader) === i);
    if (sender !== null) out.step(send(sender.name), 'pending (blocked): sent by the task whose number it records');
    else if (cast.stopper !== null) refuse(who, `pending signal ${signo} (code ${code}, from ${pid})`, 'no task of the plan has that number, and a helper sending it to a stopped group is not planned');
    else sendFromGone(cast, target, pid, send, out);
  }
}

/** Whether `pid` (as `target` sees it) is a child of target's group that the plan stops. */
function stoppedChild(cast: Cast, target: Actor, pid: number): boolean {
  const n = cast.n;
  for (const a of cast.all) {
    if (a.kind !== 'target' || a.task!.parent === null) continue;
    const p = cast.bySeq.get(a.task!.parent);
    if (p?.leader === target.leader && n.groups.get(a.task!.group)!.stopped && nrIn(n.pids.get(a.task!.pid)!, target.ns) === pid) return true;
  }
  return false;
}

/** A live task whose number as `target` sees it is `pid` (0: any task `target` cannot see); `fatal`: the signal `target` dies of. */
function senderNumbered(cast: Cast, target: Actor, pid: number, fatal: boolean): Actor | null {
  const n = cast.n;
  for (const a of cast.all) {
    // A zombie or a dying init sends nothing, but a zombie the signal it dies of, to itself just before its death.
    if (a.task === null || (a.task.exitState !== 'alive' && !(a === target && fatal && a.task.exitState === 'zombie')) || a.kind === 'thread') continue;
    const nr = nrIn(n.pids.get(a.task.pid)!, target.ns);
    if (nr === pid && nrIn(n.pids.get(target.task!.pid)!, a.ns) !== 0) return a;
  }
  return null;
}

/** Every live group's signal state not set before a death. */
export function signalState(cast: Cast, out: Out): void {
  out.section('5. Signal state: dispositions, masks, pending signals, parent-death signals.');
  for (const a of cast.all) if (a.kind === 'target') groupSignals(cast, a, out);
}

/** Credentials and parent-death signals of every live task, once nothing else needs root. */
export function credentials(cast: Cast, out: Out): void {
  for (const a of cast.all) if (a.task !== null && a.task.exitState === 'alive') lastCreds(cast, a, out);
}

/** A task's credentials, once: just before its last step (a stop, a blocking call), or at the very end. */
export function lastCreds(cast: Cast, a: Actor, out: Out): void {
  if (cast.credsDone.has(a)) return;
  cast.credsDone.add(a);
  taskCreds(cast, a, out);
}

/** The credentials of every live task of `leader`'s group, before the group stops. */
function groupCreds(cast: Cast, leader: Actor, out: Out): void {
  for (const m of [leader, ...cast.threadsOf(leader)]) if (m.task!.exitState === 'alive') lastCreds(cast, m, out);
}

/**
 * Stops, then blocking calls: the last thing each such task does, each
 * after that task's credentials; a stop sent from outside comes before the
 * sender's own setuid (it may need root to signal), which waits for the end.
 */
/** Stops, children before parents; a stopped group's sleepers block first (their last step). */
export function stops(cast: Cast, out: Out): void {
  const n = cast.n;
  out.section('6. Stops and blocking waits, each task\'s credentials and parent-death signal just before its last step; then everyone else\'s.');
  // Children before parents (reverse creation order): a parent consumes a stop report before it stops itself.
  for (let i = cast.all.length - 1; i >= 0; i--) {
    const a = cast.all[i]!;
    const t = a.task;
    if (t === null || a.kind !== 'target') continue;
    const g = n.groups.get(t.group)!;
    if (!g.stopped || (t.exitState !== 'alive' && cast.threadsOf(a).length === 0)) continue;
    const parent = t.parent === null ? undefined : cast.bySeq.get(t.parent);
    const sig = g.stopCode === 0 ? SIGSTOP : g.stopCode;
    // An init takes a stop signal only from outside its namespace (SIGNAL_UNKILLABLE): its parent sends it.
    const isInit = cast.initOf.get(a.ns) === a || t.seq === n.json.init;
    if (isInit && (parent === undefined || sig !== SIGSTOP)) refuse(n.taskName(t.seq), `stopped by ${sig}`, 'an init stops only for SIGSTOP from an ancestor namespace');
    const members = [a, ...cast.threadsOf(a)].filter((m) => m.task!.exitState === 'alive');
    const blocked = members.filter((m) => m.task!.blocked !== null);
    for (const m of blocked) {
      lastCreds(cast, m, out);
      out.step(blockingStep(cast, m), 'blocks, then its group is stopped');
      cast.waited.add(m);
    }
    const outside = isInit || blocked.length === members.length;
    if (outside && parent === undefined) refuse(n.taskName(t.seq), 'stopped', 'no task outside it can stop it');
    const who = outside ? parent! : actorOf(cast, members.find((m) => m.task!.blocked === null) ?? a);
    refuseUnseenStopReport(cast, a, parent);
    groupCreds(cast, a, out);
    out.step(step.kill(who.name, a.name, sig), isInit ? 'an init is stopped from outside' : outside ? 'its parent stops it (it is blocked)' : 'a group stop: its last step');
    cast.stopper = parent ?? cast.bySeq.get(n.json.init)!;
    for (const d of cast.afterStop) if (d.target.leader === a) pendingFor(cast, d.target, d.self, [d.info], d.shared, out);
    cast.stopper = null;
    if (g.stopCode === 0) {
      if (parent === undefined) refuse(n.taskName(t.seq), 'stop reported', 'its stop was reported to a parent outside ns0');
      out.step(step.waitFor(parent!.name, 'waitid', `P_PID, $${a.name}, WSTOPPED|WNOHANG`), 'its parent has seen the stop (wait cleared the report)');
    }
  }
}

/** After every stop (plan.ts; terminal reads between, ttys.ts): each task still to block makes its blocking call, its last step. */
export function blockingWaits(cast: Cast, out: Out): void {
  for (const a of cast.all) {
    const t = a.task;
    if (t === null || t.blocked === null || cast.waited.has(a)) continue;
    lastCreds(cast, a, out);
    out.step(blockingStep(cast, a), 'blocks here, as in the snapshot');
  }
}

/**
 * A stop notifies the parent (do_notify_parent_cldstop: SIGCHLD CLD_STOPPED to its group unless it ignores SIGCHLD or set
 * SA_NOCLDSTOP). The plan stops after the signal state is set: a parent blocking SIGCHLD keeps that report pending, so a
 * snapshot without it (the stop came before the block) is refused.
 */
function refuseUnseenStopReport(cast: Cast, a: Actor, parent: Actor | undefined): void {
  const pt = parent?.task;
  if (pt === undefined || pt === null || (big(pt.sigBlocked) & (1n << BigInt(SIGCHLD - 1))) === 0n) return;
  const pg = cast.n.groups.get(pt.group)!;
  const act = pg.sighand === null ? undefined : cast.n.sigHands.get(pg.sighand)?.actions.find((x) => x[0] === SIGCHLD);
  if (act !== undefined && (act[1] === 'SIG_IGN' || ((act[2] ?? 0) & SA_NOCLDSTOP) !== 0)) return;
  if ([...pt.pending, ...pg.sharedPending].some((i) => i[0] === SIGCHLD)) return;
  refuse(cast.n.taskName(a.task!.seq), 'stopped', `its parent ${parent!.name} blocks SIGCHLD and has no SIGCHLD pending: the stop came before the block, and the plan stops groups after the masks are set`);
}
