// Phases 3 and 4 of a plan (plan.ts): the namespaces' last numbers and every
// task's pid_for_children, then the deaths — helpers first (their members
// go to the reapers the creation phase chose), zombies last, inits after the
// rest of their namespace. And the refusals of what no phase rebuilds.

import { defaultAction } from '../abi/signal.js';
import type { TaskJson } from '../snapshot/schema.js';
import { within, type Actor, type Cast } from './actors.js';
import { refuse } from './refusal.js';
import type { Names } from './same.js';
import { startPidMax, type Out } from './schedule.js';
import { groupSignals, pendingFor, taskCreds, taskSignals } from './signals.js';
import * as step from './steps.js';
import { refuseTtys } from './ttys.js';
import { refuseCreds } from './creds.js';
import { capableOver, refusePfc, refuseUsers, rootHelpers, rootUserNs, userOf } from './userns.js';
import { cldAtDeath } from './senders.js';
import { maskBefore } from './waits.js';
import { threadReaper } from './reaper.js';
import { ghostedNamespaces, keptForChildren } from './dead_init.js';
import { rebootCaller, rebootDeath, refuseNsDeaths, revivedDeath } from './reboot.js';

const SIGCHLD = 17;
const SIGKILL = 9;
const SIGSTOP = 19;

/** The keys of a version-4 snapshot the planner knows; any other (a later version's state) is refused, not dropped. */
const KNOWN = {
  top: ['format', 'version', 'mode', 'counters', 'init', 'userNamespaces', 'pidNamespaces', 'pids', 'sigHands', 'fdTables', 'threadGroups', 'ttys', 'ttyFiles', 'tasks', 'queues'],
  task: ['seq', 'comm', 'pid', 'group', 'parent', 'children', 'exitState', 'exitCode', 'exitSignal', 'nsForChildren', 'cred', 'blocked', 'stopped', 'parentExecId', 'pending', 'handlersDue', 'woken', 'zapInitPids', 'sigBlocked', 'realBlocked', 'savedMask', 'frames', 'pdeathSignal'],
  group: ['serial', 'leader', 'threads', 'pgrp', 'session', 'sighand', 'files', 'live', 'groupExit', 'groupExitCode', 'stopped', 'stopCode', 'continuedPending', 'isChildSubreaper', 'hasChildSubreaper', 'unkillable', 'currTarget', 'sharedPending', 'execId', 'dumpable', 'ctty', 'ttyOldPgrp'],
  ns: ['serial', 'name', 'parent', 'userNs', 'pidMax', 'cursor', 'adding', 'childReaper', 'reboot'],
} as const;

function unknownKey(obj: object, known: readonly string[]): string | undefined {
  return Object.keys(obj).find((k) => !known.includes(k));
}

/** State the planner cannot (yet) rebuild: refused up front, never dropped. */
export function refuseUnplanned(n: Names): void {
  const j = n.json;
  const top = unknownKey(j, KNOWN.top);
  if (top !== undefined || (j.version !== 3 && j.version !== 4)) refuse('ns0', `snapshot ${top === undefined ? `version ${j.version}` : `key ${top}`}`, 'the planner knows the state of version 3 and 4 snapshots; this one may hold state it would drop');
  refuseTtys(n);
  for (const [list, known, what] of [[j.tasks, KNOWN.task, 'task'], [j.threadGroups, KNOWN.group, 'thread group'], [j.pidNamespaces, KNOWN.ns, 'namespace']] as const) {
    for (const x of list) {
      const k = unknownKey(x, known);
      if (k !== undefined) refuse('ns0', `${what} key ${k}`, 'the planner does not know this state (a later snapshot version), and never drops what it cannot plan');
    }
  }
  refuseNsDeaths(n);
  refuseUsers(n);
  refuseCreds(n, rootUserNs(n));
  for (const ns of n.json.pidNamespaces) {
    if (!n.underBase(ns.serial) || !n.reachable.has(ns.serial)) continue;
    const reaper = ns.childReaper === null ? undefined : n.tasks.get(ns.childReaper)!;
    if (reaper !== undefined && reaper.exitState === 'dead' && threadReaper(n, ns) === null) {
      const nrs = n.pids.get(reaper.pid)!.numbers;
      // find_child_reaper hands the role to another thread of a dying init, and de_thread swaps pids: then the reaper is not pid 1.
      if (nrs[nrs.length - 1]![1] !== 1 || ns.serial === n.base.serial) refuse(n.nsName(ns.serial), 'child reaper', 'its child reaper is a released task that was not its pid 1 (a thread of an init that took over, or an execve by one), which the planner does not replay');
    }
    if (n.levels.get(ns.serial)! - n.baseLevel > 31) refuse(n.nsName(ns.serial), 'depth', 'more than 31 levels below ns0 is past MAX_PID_NS_LEVEL (32)');
  }
  for (const t of n.liveTasks()) {
    const who = (): string => n.taskName(t.seq);
    if ((t.frames ?? []).length > 0) refuse(who(), 'handler frames', 'a signal was taken and its handler has not run yet: a moment inside a return to user space');
    if (t.woken) refuse(who(), 'signal wake-up pending', 'TIF_SIGPENDING is set: the task was woken for a signal it has not looked at yet, a moment no step ends in');
    if (t.savedMask !== undefined && t.savedMask !== null && t.blocked?.syscall !== 'rt_sigsuspend') refuse(who(), 'saved mask', 'a saved signal mask without a sigsuspend');
    if (t.realBlocked !== undefined && t.realBlocked !== '0' && t.blocked?.syscall !== 'rt_sigtimedwait' && t.blocked?.syscall !== 'read') refuse(who(), 'real_blocked', 'set only while a sigtimedwait blocks');
  }
}

/** ns_last_pid of each namespace, and each task's pid_for_children, while every task is alive. */
export function finalNamespaces(cast: Cast, out: Out): void {
  const n = cast.n;
  out.section('3. Each namespace\'s last number (ns_last_pid = the idr cursor - 1), then pid_for_children.');
  const writers = new Map<number, { readonly name: string }>();
  for (const a of cast.all) if (a.task !== null && !writers.has(a.ns) && capableOver(cast, a, a.ns)) writers.set(a.ns, a);
  for (const [ns, h] of rootHelpers(cast)) if (!writers.has(ns)) writers.set(ns, h);
  const revived = revive(cast, out);
  for (const [ns, g] of revived) writers.set(ns, g);
  // A pid_max below the start's: written now that every number is taken (it may be below some of them).
  for (const ns of n.json.pidNamespaces) {
    const w = writers.get(ns.serial);
    if (w === undefined || revived.has(ns.serial) || ghostedNamespaces(cast).has(ns.serial) || !n.reachable.has(ns.serial) || ns.pidMax >= startPidMax(n, ns.serial)) continue;
    out.step(step.writePidMax(w.name, ns.pidMax), `${n.nsName(ns.serial)}'s pid_max, lowered last`);
  }
  for (const ns of n.json.pidNamespaces) {
    const name = n.nsName(ns.serial);
    if (name === 'outside' || name.startsWith('ns(#') || ns.cursor === 0 || !n.reachable.has(ns.serial) || ghostedNamespaces(cast).has(ns.serial)) continue;
    const w = writers.get(ns.serial);
    if (w === undefined) refuse(name, 'ns_last_pid', 'no task of the snapshot lives in it to write it');
    out.step(step.writeLastPid(w!.name, ns.cursor - 1), `${name}: the next number is ${ns.cursor} (from here on nothing is allocated there)`);
  }
  const unshared = new Map<number, string>();
  for (const a of cast.all) {
    if (a.task === null) continue;
    const want = a.task.nsForChildren;
    if (want === a.pfc) continue;
    const who = n.taskName(a.task.seq);
    const init = cast.initOf.get(want) ?? revived.get(want);
    if (want === a.ns) {
      refusePfc(cast, a, want, false);
      out.step(step.setnsTo(a.name, a.name), 'its children in its own namespace again');
    } else if (init !== undefined && n.nss.get(want)!.childReaper !== null) {
      if (!within(n, want, a.ns)) refuse(who, 'pid_for_children', `${n.nsName(want)} is not below its own namespace`);
      refusePfc(cast, a, want, false);
      out.step(step.setnsTo(a.name, init.name), `pid_for_children: ${n.nsName(want)}`);
    }
    else if (n.nss.get(want)!.parent === a.ns && n.nss.get(want)!.childReaper === null) {
      if (unshared.has(want)) refuse(who, 'pid_for_children', `${unshared.get(want)!} has the same namespace with no init yet, and only its unsharer can hold one`);
      unshared.set(want, who);
      if (a.pfc !== a.ns) refusePfc(cast, a, a.ns, false);
      refusePfc(cast, a, want, true);
      // unshare(CLONE_NEWPID) makes a child of the active namespace, and refuses while pid_for_children is elsewhere.
      if (a.pfc !== a.ns) out.step(step.setnsTo(a.name, a.name), 'back to its own namespace first');
      out.step(step.unsharePid(a.name), 'its next child will be the init of a new namespace');
    } else refuse(who, 'pid_for_children', `${n.nsName(want)} has no task the plan rebuilds to join it by`);
    a.pfc = want;
  }
  // Deepest first: a revived init's death would kill the ones below it (zap_pid_ns_processes) before their creator reaps them.
  for (const g of [...revived.values()].reverse()) {
    out.step(revivedDeath(cast, g), 'its init dies again: the namespace can take no more tasks, as in the snapshot');
    out.step(step.reap(g.creator!.name, g.name), 'and is reaped, its number free');
  }
}

/**
 * A namespace whose init is dead and reaped but which something still
 * refers to (a task's pid_for_children): rebuilt with an init of the dead
 * one's numbers, which sets its pid_max and last number, lets the tasks
 * join, and dies again (finalNamespaces).
 */
function revive(cast: Cast, out: Out): Map<number, Actor> {
  const n = cast.n;
  const init = cast.bySeq.get(n.json.init)!;
  const revived = new Map<number, Actor>();
  for (const ns of n.json.pidNamespaces) {
    if (ns.childReaper === null || !n.reachable.has(ns.serial) || !n.underBase(ns.serial) || ns.serial === n.base.serial) continue;
    const reaper = n.tasks.get(ns.childReaper)!;
    // A zombie init holds its namespace; a released thread of it as the reaper is rebuilt at its death (reaper.ts).
    if (reaper.exitState !== 'dead' || threadReaper(n, ns) !== null) continue;
    const name = n.nsName(ns.serial);
    const pid = n.pids.get(reaper.pid)!;
    const ghost = ghostedNamespaces(cast).get(ns.serial);
    if (ghost !== undefined) {
      // A pidfd's stand-in init (dead_init.ts) made it already: alive still when a task is to join it.
      if (keptForChildren(cast, ghost)) revived.set(ns.serial, ghost);
      continue;
    }
    for (const [level, nr] of pid.numbers) if (cast.taken(level, nr)) refuse(name, 'dead namespace', `its init's number ${nr} is held again by another task, so the init cannot come back to rebuild it`);
    const parent = ns.parent!;
    // copy_pid_ns: CLONE_NEWPID makes a child of the caller's active namespace (EINVAL when pid_for_children is
    // elsewhere), so the init is cloned by a task of the parent namespace (alive until phase 4), or the parent's own
    // revived init; once ns0's init cloned them all, deeper ones failed with EINVAL (seeds 741, 268).
    const creator = parent === n.base.serial ? init : revived.get(parent) ?? cast.all.find((a) => a.task !== null && a.ns === parent);
    if (creator === undefined) refuse(name, 'dead namespace', `its init is reaped, yet a task still refers to it, and ${n.nsName(parent)} above it has no task the plan rebuilds to clone a new init from`);
    if (userOf(cast, creator!) !== rootUserNs(n)) refuse(name, 'dead namespace', `its init is reaped, yet a task still refers to it, and ${n.nsName(parent)}'s task to clone it from is in a child user namespace (set_tid needs CAP_CHECKPOINT_RESTORE over every level)`);
    const g = cast.add({ name: cast.helperName('dead'), kind: 'pidfd helper', task: null, ns: ns.serial, nums: n.numbersOf(pid), creator: creator!, why: '', newPid: true, exitSignal: 17, sid: null, pgid: null });
    if (creator!.pfc !== parent) {
      out.step(step.setnsTo(creator!.name, creator!.name), `the next init goes below ${n.nsName(parent)}, its own namespace`);
      creator!.pfc = parent;
    }
    out.step(step.clone3(creator!.name, g.name, [step.NEWPID], [...g.nums].reverse(), 17), `${name} outlives its init: the init comes back for a while`);
    if (ns.pidMax !== 4194304) out.step(step.writePidMax(g.name, ns.pidMax), `${name}'s pid_max`);
    revived.set(ns.serial, g);
  }
  return revived;
}

/** The signal a zombie's exit status names (0 for a normal exit). */
const killedBy = (status: number): number => status & 0x7f;

/** Phase 4: helpers exit and are reaped, then the zombies exit (inits last, deepest first). */
export function deaths(cast: Cast, out: Out): void {
  const helpers = cast.all.filter((a) => a.kind === 'session helper' || a.kind === 'group helper').reverse();
  if (helpers.length > 0) out.section('4. Deaths. The helpers go first: their members pass to the reapers chosen for them, and their numbers are free once reaped (a dead leader\'s stays taken by its session or group).');
  for (const h of helpers) {
    out.step(step.exitThread(h.name, 0), `${h.name} has done its work`);
    out.step(step.reap(h.creator!.name, h.name), 'no helper is left');
  }
  // An init waiting for its namespace to empty (zap.ts) dies as a zombie init does, after its namespace's zombies.
  const zombies = cast.all.filter((a) => a.kind === 'target' && a.task!.exitState !== 'alive');
  const depth = (a: Actor): number => a.nums.length;
  const isInit = (a: Actor): boolean => cast.initOf.get(a.ns) === a;
  zombies.sort((x, y) => Number(isInit(x)) - Number(isInit(y)) || (isInit(x) ? depth(y) - depth(x) : 0));
  if (zombies.length > 0) out.section('Zombies: each exits as it did (exit, exit_group or a signal), its parent left to reap it later.');
  const ignoring = new Map<Actor, Set<number>>();
  for (const z of zombies) dieAsZombie(cast, z, out, ignoring);
  cast.tempIgnored = ignoring;
}

function dieAsZombie(cast: Cast, z: Actor, out: Out, ignoring: Map<Actor, Set<number>>): void {
  const n = cast.n;
  const t = z.task!;
  const g = n.groups.get(t.group)!;
  const who = n.taskName(t.seq);
  const liveThreads = cast.threadsOf(z);
  const parent = cast.bySeq.get(t.parent!)!;
  const sig = z.exitSignal;
  const status0 = t.exitCode & 0x7f;
  // A signal that killed it may still sit in its queue (complete_signal's group-exit path leaves it there): it dies of that very siginfo.
  const fatal = status0 === 0 ? undefined : [...t.pending, ...g.sharedPending].find((i) => i[0] === status0);
  if (fatal !== undefined) cast.deathInfo.set(t.pending.includes(fatal) ? z : z.leader, fatal);
  // A SIGCHLD of this death pending at the parent: the parent's signal state first, and the death queues it.
  const reaper = t.parent === null ? undefined : cast.bySeq.get(t.parent);
  if (reaper !== undefined && !ignoring.has(reaper.leader) && cldAtDeath(cast, z, reaper, liveThreads.length > 0, (m) => maskBefore(m.task!))) groupSignals(cast, reaper.leader, out);
  if (liveThreads.length === 0) groupSignals(cast, z, out);
  else {
    // A zombie leader's own queue is never dequeued again; sent while it lives, an unblocked signal there would be taken.
    const mask = BigInt(`0x${t.sigBlocked === undefined || t.sigBlocked === '' ? '0' : t.sigBlocked}`);
    const taken = t.pending.find((i) => i !== fatal && (i[0] === SIGKILL || i[0] === SIGSTOP || ((mask >> BigInt(i[0] - 1)) & 1n) === 0n));
    if (taken !== undefined) refuse(who, `pending signal ${taken[0]}`, 'queued at the zombie leader after its exit (its threads live on) and not blocked: the planner sends pending signals before the death, where this one would be taken');
    taskSignals(cast, z, out);
  }
  const status = t.exitCode;
  const signo = killedBy(status);
  // Made before its credentials: a set_tid needs CAP_CHECKPOINT_RESTORE, which a setuid drops.
  const heir = reaperThread(cast, z, out);
  // The leader exits by itself, then another thread ends the group with another status (the one wait reports):
  // that thread is cloned (set_tid: CAP_CHECKPOINT_RESTORE) before the leader's credentials leave root.
  const last = heir === null && signo === 0 && liveThreads.length === 0 && g.groupExit && g.groupExitCode !== status && (g.groupExitCode & 0x7f) === 0 ? cast.helperName('last') : null;
  if (last !== null) {
    if (userOf(cast, z) !== rootUserNs(n)) refuse(who, 'group exit', 'a helper thread must end its group after it, and in its child user namespace set_tid cannot give the thread a number that is free for good (ns_last_pid is final by now)');
    out.step(step.clone3(z.name, last, [...step.THREAD_FLAGS], [...cast.spareNumbers(z.ns)].reverse(), 0), 'a helper thread, to end the group after its leader');
  }
  const rebootBy = rebootCaller(cast, z, out);
  taskCreds(cast, z, out);
  if (sig > 0 && sig !== SIGCHLD && defaultAction(sig) !== 'ign' && defaultAction(sig) !== 'cont' && liveThreads.length === 0) {
    const set = ignoring.get(parent.leader) ?? new Set<number>();
    if (!set.has(sig) && !isIgnoredFinally(cast, parent.leader, sig)) {
      if (cast.groupsDone.has(parent.leader)) refuse(who, `exit signal ${sig}`, `its parent's signal state is set before this death (a SIGCHLD an earlier death queued there), so a SIG_IGN for its exit signal meanwhile could not be undone`);
      out.step(step.action(parent.name, sig, 'SIG_IGN', 0, 0n), `for now: ${z.name}'s exit signal must not end ${parent.name}`);
      set.add(sig);
      ignoring.set(parent.leader, set);
    }
  }
  if (heir !== null) {
    out.step(step.exitThread(z.name, (status >> 8) & 0xff), 'the leader exits alone: find_child_reaper hands the namespace to the thread');
    out.step(step.exitGroup(heir, (g.groupExitCode >> 8) & 0xff), 'then the thread ends the group, with the status wait reports: the reaper stays that released thread');
    return;
  }
  if (rebootDeath(cast, z, rebootBy, out)) return;
  if (last !== null) {
    out.step(step.exitThread(z.name, (status >> 8) & 0xff), 'the leader exits alone first');
    out.step(step.exitGroup(last, (g.groupExitCode >> 8) & 0xff), 'then the group ends with the status wait reports');
    return;
  }
  if (signo === 0) {
    const code = (status >> 8) & 0xff;
    if (liveThreads.length > 0) out.step(step.exitThread(z.name, code), 'a zombie leader: the thread exits, its group lives on');
    else if (g.groupExit) out.step(step.exitGroup(z.name, code), `a zombie, status ${code}`);
    else out.step(step.exitThread(z.name, code), `a zombie, status ${code}`);
    return;
  }
  if (liveThreads.length > 0) refuse(who, `killed by signal ${signo}`, 'a signal ends the whole group, yet its threads live');
  if (cast.initOf.get(z.ns) === z && signo !== SIGKILL) refuse(who, `killed by signal ${signo}`, 'an init dies of SIGKILL alone from outside its namespace');
  if ((status & 0x80) !== 0) refuse(who, 'core dumped', 'RLIMIT_CORE is 0 for every actor');
  // A thread that did not block it took the signal and is gone (released); the plan kills through the leader, whose mask blocks it.
  if (signo !== SIGKILL && ((BigInt(`0x${t.sigBlocked ?? '0'}`) >> BigInt(signo - 1)) & 1n) === 1n) refuse(who, `killed by blocked signal ${signo}`, 'its own mask blocks the signal it died of: a thread now gone took it, which the planner does not rebuild');
  if (fatal !== undefined) pendingFor(cast, z, z, [fatal], !t.pending.includes(fatal), out);
  else out.step(step.kill(parent.name, z.name, signo), `a zombie killed by ${signo}`);
}

/** For a zombie init whose reaper is a released thread of it (reaper.ts): that thread, made with its numbers; else null. */
function reaperThread(cast: Cast, z: Actor, out: Out): string | null {
  const n = cast.n;
  const reaper = cast.initOf.get(z.ns) === z ? threadReaper(n, n.nss.get(z.ns)!) : null;
  if (reaper === null) return null;
  const pid = n.pids.get(reaper.pid)!;
  for (const [level, nr] of pid.numbers) if (cast.taken(level, nr)) refuse(n.taskName(z.task!.seq), 'child reaper', `the released thread that is its namespace's reaper had number ${nr}, held again by another task`);
  // copy_process: CLONE_THREAD is EINVAL once pid_for_children is not the caller's own namespace.
  if (z.pfc !== z.ns) refuse(n.taskName(z.task!.seq), 'child reaper', 'its released thread, the namespace\'s reaper, would be made after its pid_for_children moved, when CLONE_THREAD fails');
  if (userOf(cast, z) !== rootUserNs(n)) refuse(n.taskName(z.task!.seq), 'child reaper', 'its released thread, the namespace\'s reaper, needs set_tid, which its child user namespace has no capability for over the outer levels');
  const last = cast.helperName('reaper');
  out.step(step.clone3(z.name, last, [...step.THREAD_FLAGS], [...n.numbersOf(pid)].reverse(), 0), "a thread with the numbers of the namespace's last reaper");
  return last;
}

function isIgnoredFinally(cast: Cast, leader: Actor, sig: number): boolean {
  const g = cast.n.groups.get(leader.task!.group)!;
  const h = g.sighand === null ? undefined : cast.n.sigHands.get(g.sighand);
  return h?.actions.some((a) => a[0] === sig && a[1] === 'SIG_IGN') ?? false;
}

export type { TaskJson };
