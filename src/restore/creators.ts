// Who creates whom. A task inherits its session (and, unless it moves, its
// process group) from whoever calls clone3 for it, and setsid() only ever
// founds a new session, so a task must be born of a process already in its
// session. Its final parent is its creator, or the reaper it was handed to
// when its creator died (kernel/exit.c find_new_reaper: a live thread of the
// dying group, else the nearest subreaper above it in the same namespace,
// else the namespace's init). The planner picks, for each task, the first of:
//   1. its parent, when the parent is (or will lead) the task's session;
//   2. the session's helper, when the session's leader is dead and the helper
//      can be the parent's own child (so the parent inherits the task);
//   3. a nursery: a short-lived process born in the session that creates the
//      task and exits, when the parent is the namespace's init (the reaper).
// Anything else is refused, naming the task and the session.

import type { PidJson, TaskJson } from '../snapshot/schema.js';
import { within, type Actor, type Cast } from './actors.js';
import { refuse } from './refusal.js';

const SIGCHLD = 17;

/** Builds every target's and thread's actor, and picks creators (helpers included). */
export function castOf(cast: Cast): void {
  const n = cast.n;
  const tasks = n.liveTasks();
  const comms = new Set<string>();
  for (const t of tasks) {
    const who = n.taskName(t.seq);
    if (comms.has(t.comm)) refuse(who, `name ${t.comm}`, 'two tasks share it, and a scenario names each actor by its comm');
    comms.add(t.comm);
    if (!/^[a-z][a-z0-9_]{0,14}$/.test(t.comm)) refuse(who, `name ${t.comm}`, 'a scenario actor (and so its comm) is [a-z][a-z0-9_]{0,14}');
    if (t.exitState === 'exiting' && !n.json.queues.zapWaiting.includes(t.seq)) refuse(who, 'exiting', 'it is between exit and becoming a zombie, and the snapshot does not show it waiting in zap_pid_ns_processes (a /proc snapshot records neither that nor its exit code): a transient state as far as the snapshot says');
  }
  const initTask = n.tasks.get(n.json.init)!;
  if (initTask.comm !== 'init') refuse(n.taskName(initTask.seq), `name ${initTask.comm}`, "the start state's init is named init");
  // Processes first (leaders), then their threads.
  for (const t of tasks) {
    const g = n.groups.get(t.group)!;
    if (g.leader !== t.seq) continue;
    const pid = n.pids.get(t.pid)!;
    const nums = n.numbersOf(pid);
    cast.add({
      name: t.comm,
      kind: 'target',
      task: t,
      ns: n.activeNs(t),
      nums,
      creator: null,
      why: '',
      newPid: nums.length > 1 && nums[nums.length - 1] === 1,
      exitSignal: t.exitSignal,
      sid: g.session,
      pgid: g.pgrp,
    });
  }
  for (const t of tasks) {
    const g = n.groups.get(t.group)!;
    if (g.leader === t.seq) continue;
    const leader = cast.bySeq.get(g.leader);
    if (leader === undefined) refuse(n.taskName(t.seq), 'thread', 'its thread group leader is not in the snapshot');
    cast.add({
      name: t.comm,
      kind: 'thread',
      task: t,
      ns: n.activeNs(t),
      nums: n.numbersOf(n.pids.get(t.pid)!),
      creator: leader!,
      why: `a thread of ${leader!.name}'s group, with its tid`,
      newPid: false,
      exitSignal: -1,
      sid: null,
      pgid: null,
      leader: leader!,
    });
  }
  for (const a of [...cast.all]) if (a.kind === 'target') chooseCreator(cast, a);
}

/** The session a process will be in when it creates children: its own if it leads one, else the one it inherits. */
function sessionOf(a: Actor): number {
  return a.sid!;
}

function isSubreaper(cast: Cast, a: Actor): boolean {
  return cast.n.groups.get(a.task!.group)!.isChildSubreaper;
}

/** True when no subreaper stands between a process born of `m` (in m's namespace) and m's namespace's init. */
function noSubreaperAbove(cast: Cast, m: Actor): boolean {
  for (let x: Actor | null = m; x !== null && x.ns === m.ns; x = parentActor(cast, x)) {
    if (x.kind === 'target' && x.nums[x.nums.length - 1] !== 1 && isSubreaper(cast, x)) return false;
  }
  return true;
}

function parentActor(cast: Cast, a: Actor): Actor | null {
  if (a.task === null) return a.creator;
  const p = a.task.parent;
  return p === null ? null : (cast.bySeq.get(p) ?? null);
}

function chooseCreator(cast: Cast, a: Actor): void {
  const n = cast.n;
  const t = a.task!;
  const who = n.taskName(t.seq);
  if (t.seq === n.json.init) {
    if (n.groups.get(t.group)!.session !== t.pid) refuse(who, 'session', "the start state's init leads its own session, and a session leader cannot leave it");
    a.created = true;
    return;
  }
  const parent = t.parent === null ? undefined : cast.bySeq.get(t.parent);
  if (parent === undefined) refuse(who, 'parent', "its parent is outside ns0: in a plan only ns0's init has a parent there");
  const p = parent!;
  const sid = n.pids.get(a.sid!)!;
  const leadsSession = a.sid === t.pid;
  if (leadsSession || sessionOf(p.leader) === a.sid) {
    a.creator = p;
    a.why = leadsSession ? `its parent creates it; it founds its own session` : `its parent creates it, in their session ${n.pidName(a.sid)}`;
    return;
  }
  // The parent is in another session: the task was born in its own session and handed over to its parent.
  const origin = cast.originOf(sid, 'session helper');
  const pIsInit = p.kind === 'target' && p.nums[p.nums.length - 1] === 1 && p.leader === p;
  if (origin.kind === 'session helper' && origin.ns === p.ns && (pIsInit || (p.kind === 'target' && isSubreaper(cast, p)))) {
    if (origin.creator === null || origin.creator === p) {
      origin.creator = p;
      a.creator = origin;
      a.why = `born in session ${n.pidName(a.sid!)} of its helper ${origin.name}, a child of ${p.name}: when the helper exits, ${p.name} (${pIsInit ? "its namespace's init" : 'a subreaper'}) inherits it`;
      if (a.exitSignal !== SIGCHLD) refuse(who, `exit signal ${a.exitSignal}`, 'an adopted child always has SIGCHLD (reparent_leader resets it)');
      return;
    }
  }
  // An init that is a subreaper too gives its own children has_child_subreaper; a nursery's child would lack it.
  if (pIsInit && a.ns === p.ns && !isSubreaper(cast, p)) {
    const m = nurseryParent(cast, a, sid, p);
    if (m !== null) {
      const nursery = cast.add({
        name: cast.helperName('nurse'),
        kind: 'nursery',
        task: null,
        ns: p.ns,
        nums: cast.spareNumbers(p.ns),
        creator: m,
        why: `a nursery in session ${n.pidName(a.sid!)}: it creates ${a.name} and exits, so the init ${p.name} adopts it`,
        newPid: false,
        exitSignal: SIGCHLD,
        sid: a.sid,
        pgid: a.pgid,
      });
      a.creator = nursery;
      a.why = `born of the nursery ${nursery.name} in session ${n.pidName(a.sid!)}; the init ${p.name} adopts it when the nursery exits`;
      if (a.exitSignal !== SIGCHLD) refuse(who, `exit signal ${a.exitSignal}`, 'an adopted child always has SIGCHLD (reparent_leader resets it)');
      return;
    }
  }
  refuse(
    who,
    `session ${n.pidName(a.sid!)} under parent ${n.taskName(p.task?.seq ?? t.parent!)}`,
    `the task must be born of a process in its session, and its parent is in session ${n.pidName(p.leader.sid!)}; no helper can hand it to that parent (the parent is ${pIsInit ? 'an init but no process of the session can reach its namespace' : 'neither an init nor a subreaper above the session helper'})`,
  );
}

/** A process in the session that can create a nursery in `init`'s namespace whose orphans go to that init. */
function nurseryParent(cast: Cast, a: Actor, sid: PidJson, init: Actor): Actor | null {
  const n = cast.n;
  const origin = cast.originOf(sid, 'session helper');
  const candidates = [origin];
  for (const x of cast.membersOf(sid.serial)) if (x !== a && x !== origin) candidates.push(x);
  const fits = (m: Actor): boolean => {
    if (m === a || dependsOn(m, a)) return false;
    if (m.ns !== init.ns) return within(n, init.ns, m.ns);
    return m.kind === 'target' && noSubreaperAbove(cast, m);
  };
  return candidates.find((m) => fits(m) && m.pgid === a.pgid) ?? candidates.find(fits) ?? null;
}

/** True when `x` is created (directly or not) by `a`. */
function dependsOn(x: Actor, a: Actor): boolean {
  for (let c: Actor | null = x.creator; c !== null; c = c.creator) if (c === a) return true;
  return false;
}

export function taskOf(a: Actor): TaskJson {
  return a.task!;
}
