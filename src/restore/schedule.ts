// The creation phase: every actor is created by its creator as soon as what
// it needs exists (its creator settled in its session and group, its
// namespace's init), then settles — founds its session or group, or joins
// its group, writes pid_max if it is an init, becomes a subreaper. A cycle
// (an actor waiting, through its creators, on itself) is refused.

import type { Names } from './same.js';
import { nrIn, within, type Actor, type Cast } from './actors.js';
import { refuse } from './refusal.js';
import * as step from './steps.js';
import { closeAfterChild, holderOf, inheritedFds, openForChild } from './inherit.js';
import { enterUserNs, userClone } from './userns.js';
import { settleTtys } from './ttys.js';
import { checkExecsDone, execBlocker, execsAfter } from './exec.js';

/** The plan's text: steps and comments. */
export class Out {
  readonly lines: string[] = [];
  steps = 0;
  private heading: string | null = null;
  note(text: string): void {
    this.lines.push(`# ${text}`);
  }
  /** A phase's heading, written only if a step follows it. */
  section(text: string): void {
    this.heading = text;
  }
  step(line: string, why = ''): void {
    if (this.heading !== null) {
      this.blank();
      this.note(this.heading);
      this.heading = null;
    }
    this.steps++;
    this.lines.push(why === '' ? line : `${line}   # ${why}`);
  }
  blank(): void {
    if (this.lines.length > 0 && this.lines[this.lines.length - 1] !== '') this.lines.push('');
  }
}

/** pid_max a namespace starts with: ns0's in the start state, PID_MAX_LIMIT for the ones made later. */
export const startPidMax = (n: Names, ns: number): number => (ns === n.base.serial ? 32768 : 4194304);

/** The name of a task in namespace `ns` that setns(ns(NAME)) can join (its init, as created by the plan). */
function nsHandle(cast: Cast, ns: number): Actor | undefined {
  return ns === cast.n.base.serial ? cast.bySeq.get(cast.n.json.init) : cast.initOf.get(ns);
}

function ready(cast: Cast, a: Actor, early = false): Actor | null {
  const c = a.creator!;
  if (!(early ? c.created : c.settled)) return c;
  const target = a.newPid ? cast.n.nss.get(a.ns)!.parent! : a.ns;
  const h = nsHandle(cast, target);
  if (h === undefined) refuse(a.task === null ? a.name : cast.n.taskName(a.task.seq), 'namespace', `no task of ${cast.n.nsName(target)} is rebuilt to let its creator in`);
  if (!h!.created) return h!;
  for (const f of inheritedFds(cast, a)) {
    const holder = holderOf(cast, f[1]);
    if (holder !== null && !holder.created) return holder;
  }
  return null;
}

/** Whether `a` can settle now: the group it must join exists. */
function settleBlocker(cast: Cast, a: Actor): Actor | null {
  if (a.kind === 'thread' || a.sid === null) return null;
  if (a.sid === ownPid(cast, a) || a.pgid === ownPid(cast, a)) return null;
  if (a.curPgid === a.pgid) return null;
  const o = cast.origin.get(a.pgid!) ?? cast.originOf(cast.n.pids.get(a.pgid!)!, 'group helper');
  return o.settled ? null : o;
}

function ownPid(cast: Cast, a: Actor): number {
  return a.task === null ? (a.kind === 'session helper' || a.kind === 'group helper' ? a.pgid! : -1) : a.task.pid;
}

export function createAll(cast: Cast, out: Out): void {
  const n = cast.n;
  const init = cast.bySeq.get(n.json.init)!;
  init.curSid = init.sid!;
  init.curPgid = init.pgid!;
  init.pfc = n.base.serial;
  const queue: Actor[] = [];
  settle(cast, init, out, queue);
  const requeue = (ws: readonly Actor[]): void => {
    queue.push(...ws);
  };
  execsAfter(cast, init, out, requeue);
  for (const a of cast.all) if (a !== init) queue.push(a);
  // A queue read by an index (shift() would make the loop quadratic).
  for (let head = 0; head < queue.length; head++) {
    const a = queue[head]!;
    if (a.settled) continue;
    if (!a.created) {
      const exec = execBlocker(cast, a);
      if (exec !== null) {
        exec.waiters.push(a);
        continue;
      }
      const blocker = ready(cast, a);
      if (blocker !== null) {
        blocker.waiters.push(a);
        continue;
      }
      create(cast, a, out);
      execsAfter(cast, a, out, requeue);
      for (const e of cast.early.get(a) ?? []) {
        if (e.created || ready(cast, e, true) !== null) continue;
        if (execBlocker(cast, e) !== null) refuse(cast.n.taskName(e.task!.seq), 'parent exec', `it must be born before ${a.name} settles in its group, and after ${a.name}'s exec, which follows children born once it has settled`);
        create(cast, e, out);
        execsAfter(cast, e, out, requeue);
      }
    }
    const blocker = settleBlocker(cast, a);
    if (blocker !== null) {
      blocker.waiters.push(a);
      continue;
    }
    settle(cast, a, out, queue);
  }
  checkExecsDone(cast);
  const left = cast.all.find((a) => !a.settled);
  if (left !== undefined) refuse(left.task === null ? left.name : n.taskName(left.task.seq), 'creation order', 'it waits, through its creators and the groups it joins, on itself');
}

function create(cast: Cast, a: Actor, out: Out): void {
  const n = cast.n;
  const c = a.creator!;
  const target = a.newPid ? n.nss.get(a.ns)!.parent! : a.ns;
  if (c.pfc !== target) {
    if (!within(n, target, c.ns)) refuse(a.task === null ? a.name : n.taskName(a.task.seq), 'namespace', `its creator ${c.name} cannot reach ${n.nsName(target)} from its own`);
    out.step(step.setnsTo(c.name, nsHandle(cast, target)!.name), `${c.name}'s next child goes into ${n.nsName(target)}`);
    c.pfc = target;
  }
  const flags = a.kind === 'thread' ? [...step.THREAD_FLAGS] : a.newPid ? [step.NEWPID] : [];
  if (a.kind === 'target') flags.push(...sharing(cast, c, a));
  const opened = openForChild(cast, c, a, out);
  const user = userClone(cast, c, a, target, out);
  out.step(step.clone3(user.by, a.name, [...flags, ...user.flags], user.setTid, a.kind === 'thread' || !user.ownExitSignal ? 0 : a.exitSignal), a.why);
  for (const s of user.after) out.step(s, 'the helper is done');
  closeAfterChild(cast, c, a, opened, out);
  if (c.kind === 'nursery') {
    out.step(step.exitThread(c.name, 0), `the nursery's work is done: ${a.name} goes to its reaper`);
    out.step(step.reap(c.creator!.name, c.name), 'and its number is free again');
  }
  a.created = true;
  a.pfc = a.ns;
  a.curSid = c.leader.curSid;
  a.curPgid = c.leader.curPgid;
}

function settle(cast: Cast, a: Actor, out: Out, queue: Actor[]): void {
  const n = cast.n;
  if (a.kind !== 'thread' && a.sid !== null) {
    const own = ownPid(cast, a);
    if (a.sid === own && a.curSid !== own) {
      out.step(step.setsid(a.name), a.kind === 'session helper' ? 'founds the session its dead leader led' : 'leads its own session');
      a.curSid = own;
      a.curPgid = own;
    } else if (a.pgid === own && a.curPgid !== own) {
      out.step(step.joinGroup(a.name, 0), a.kind === 'group helper' ? 'founds the process group its dead leader led' : 'leads its own process group');
      a.curPgid = own;
    } else if (a.curPgid !== a.pgid) {
      const nr = nrIn(n.pids.get(a.pgid!)!, a.ns);
      if (nr === 0) refuse(a.task === null ? a.name : n.taskName(a.task.seq), `process group ${n.pidName(a.pgid!)}`, "its group's number is not visible in its namespace, so it cannot join it, and its creator is not in that group");
      out.step(step.joinGroup(a.name, nr), `joins process group ${n.pidName(a.pgid!)}`);
      a.curPgid = a.pgid!;
    }
    if (a.curSid !== a.sid) refuse(a.task === null ? a.name : n.taskName(a.task.seq), `session ${n.pidName(a.sid)}`, `its creator ${a.creator?.name ?? '?'} is in session ${n.pidName(a.curSid)}`);
  }
  if (a.kind === 'target') {
    const t = a.task!;
    const g = n.groups.get(t.group)!;
    const ns = n.nss.get(a.ns)!;
    if (cast.initOf.get(a.ns) === a || t.seq === n.json.init) {
      // Raised here, before any number above the start's limit is taken; a lower one is written once all numbers are (phases.ts).
      if (ns.pidMax > startPidMax(n, a.ns)) out.step(step.writePidMax(a.name, ns.pidMax), `${n.nsName(a.ns)}'s pid_max`);
    }
    if (g.isChildSubreaper) out.step(step.subreaper(a.name, true), 'a subreaper: orphans below it come to it');
  }
  // Its terminals first: opened and made controlling while it is still root in the start's user namespace.
  settleTtys(cast, a, out);
  if (a.kind === 'target') enterUserNs(cast, a, out);
  a.settled = true;
  for (const w of a.waiters) queue.push(w);
  a.waiters.length = 0;
}

/** CLONE_FILES / CLONE_SIGHAND|CLONE_VM when the child shares its creator's fd table or handlers (checked by checkSharing). */
function sharing(cast: Cast, c: Actor, a: Actor): string[] {
  if (c.leader.task === null) return [];
  const mine = cast.n.groups.get(a.task!.group)!;
  const theirs = cast.n.groups.get(c.leader.task.group)!;
  const out: string[] = [];
  if (mine.files !== null && mine.files === theirs.files) out.push('CLONE_FILES');
  if (mine.sighand !== null && mine.sighand === theirs.sighand) out.push('CLONE_SIGHAND', 'CLONE_VM');
  return out;
}

/** Processes sharing a table must each be created by one that shares it, but for the first. */
export function checkSharing(cast: Cast): void {
  const n = cast.n;
  for (const key of ['files', 'sighand'] as const) {
    const firsts = new Map<number, Actor>();
    for (const a of cast.all) {
      if (a.kind !== 'target') continue;
      const table = n.groups.get(a.task!.group)![key];
      if (table === null) continue;
      const c = a.creator?.leader.task;
      if (c !== undefined && c !== null && n.groups.get(c.group)![key] === table) continue;
      const first = firsts.get(table);
      const what = key === 'files' ? 'shared fd table' : 'shared signal handlers';
      if (first !== undefined) refuse(n.taskName(a.task!.seq), what, `it shares one with ${first.name}, but neither is created by the other (CLONE_${key === 'files' ? 'FILES' : 'SIGHAND'} shares only with the creator)`);
      firsts.set(table, a);
    }
  }
}

/**
 * Children that must be born before their creator moves to its own process
 * group: they stay in the group it was born in, whose number their namespace
 * cannot see (so they could not join it later).
 */
export function findEarly(cast: Cast): void {
  const n = cast.n;
  for (const a of cast.all) {
    const c = a.creator;
    if (a.kind !== 'target' || c === null || c.kind !== 'target' || c.creator === null || c === c.leader.creator) continue;
    if (a.pgid === c.pgid || a.sid !== c.sid || c.sid === c.task!.pid || n.groups.get(c.task!.group)!.isChildSubreaper) continue;
    if (nrIn(n.pids.get(a.pgid!)!, a.ns) !== 0 || a.pgid !== c.creator.leader.pgid) continue;
    const list = cast.early.get(c) ?? [];
    list.push(a);
    cast.early.set(c, list);
  }
}

/** Helpers nobody chose a creator for: the session's origin or ns0's init. */
export function placeHelpers(cast: Cast): void {
  const n = cast.n;
  const init = cast.bySeq.get(n.json.init)!;
  for (const h of cast.all) {
    if (h.creator !== null || h === init) continue;
    if (h.kind === 'session helper') {
      h.creator = init;
      continue;
    }
    if (h.kind === 'group helper') {
      const o = cast.originOf(n.pids.get(h.sid!)!, 'session helper');
      const fits = (m: Actor): boolean => m !== h && within(n, h.ns, m.ns) && (m.kind === 'target' || m.kind === 'session helper') && m.sid === h.sid;
      const m = fits(o) ? o : cast.all.find((x) => fits(x) && x.pgid !== h.pgid && !waitsOn(x, h));
      if (m === undefined) refuse(n.pidName(h.pgid!), 'process group', 'its leader is dead and no process of its session can create a helper where its number lives');
      h.creator = m!;
    }
  }
}

function waitsOn(x: Actor, h: Actor): boolean {
  // A cycle of creators (refused later as the creation order) ends the walk at its first repeat.
  const seen = new Set<Actor>();
  for (let c: Actor | null = x; c !== null && !seen.has(c); c = c.creator) {
    if (c === h) return true;
    seen.add(c);
  }
  return false;
}
