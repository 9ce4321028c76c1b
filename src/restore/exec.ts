// execve in a plan (fs/exec.c). A child whose parent has exec'd since its
// birth keeps a parent_exec_id its parent's self_exec_id no longer has, so
// do_notify_parent will send SIGCHLD, not its own exit signal: the plan
// creates such children, then the parent execs, then makes the rest of its
// group. The exec ends the group's other threads (de_thread), closes its
// pidfds (always O_CLOEXEC), unshares and flushes its handlers and fd table:
// so threads, the children that must not be reset and the children sharing
// its tables (CLONE_SIGHAND, CLONE_FILES) are created after it, and every fd
// and handler is set in the later phases. An exec by a thread gives the
// leader's pid to the thread (exchange_tids) and with it the thread's comm:
// that is how ns0's pid 1 comes to be named other than the start's init.

import { Signal } from '../abi/signal.js';
import type { KernelJson } from '../snapshot/schema.js';
import type { Actor, Cast } from './actors.js';
import { inheritedFds } from './inherit.js';
import { refuse } from './refusal.js';
import type { Names } from './same.js';
import type { Out } from './schedule.js';
import * as step from './steps.js';
import { isPtyEntry } from './ttys.js';

/** The start state's init is named init (docs/language.md). */
export const START_INIT = 'init';

/** One process's exec in the plan. */
interface Exec {
  /** The process that execs (its leader's actor). */
  readonly group: Actor;
  /** ns0's init only: the thread (named as pid 1's comm) that execs and takes pid 1; null: the leader execs. */
  readonly thread: string | null;
  /** Its children that must be born before it (their exit signal will be reset). */
  readonly before: Set<Actor>;
  done: boolean;
  /** Actors to create once it is done. */
  readonly waiters: Actor[];
}

const plans = new WeakMap<Cast, Map<Actor, Exec>>();

/** Whether the exit signal is one do_notify_parent would replace (not SIGCHLD, not a thread's -1). */
const resettable = (sig: number): boolean => sig !== Signal.SIGCHLD && sig >= 0;

/**
 * The snapshot names the start's init task, which an exec by one of its
 * threads released: pid 1 is the thread's now, the leader of the same group.
 * The planner rebuilds that task as ns0's init.
 */
export function withLiveInit(json: KernelJson): KernelJson {
  const old = json.tasks.find((t) => t.seq === json.init)!;
  if (old.exitState !== 'dead') return json;
  const leader = json.tasks.find((t) => t.seq === json.threadGroups.find((g) => g.serial === old.group)!.leader)!;
  return leader.exitState === 'dead' || leader.seq === old.seq ? json : { ...json, init: leader.seq };
}

/**
 * ns0's pid 1 named other than the start's init: only an exec by a thread
 * renames a leader (the thread keeps its comm and takes the leader's pid), so
 * the plan's init makes that thread and it execs. Refused when no exec
 * happened, or when another task is named init (the start's init is named so
 * until the exec).
 */
export function checkInitComm(n: Names): void {
  const t = n.tasks.get(n.json.init)!;
  if (t.comm === START_INIT) return;
  const who = n.taskName(t.seq);
  if (n.groups.get(t.group)!.execId === 0) refuse(who, `name ${t.comm}`, "the start state's init is named init, and only an exec by a thread renames pid 1");
  if (n.liveTasks().some((x) => x.comm === START_INIT)) refuse(who, `name ${t.comm}`, 'another task is named init, the name the start state gives pid 1 until its thread execs');
}

/** Chooses which processes exec, and which of their children come before: after castOf, before the creation phase. */
export function planExecs(cast: Cast): void {
  const n = cast.n;
  const map = new Map<Actor, Exec>();
  const execOf = (g: Actor, thread: string | null = null): Exec => {
    let x = map.get(g);
    if (x === undefined) {
      x = { group: g, thread, before: new Set(), done: false, waiters: [] };
      map.set(g, x);
    }
    return x;
  };
  const init = cast.bySeq.get(n.json.init)!;
  const initTask = init.task!;
  if (initTask.comm !== START_INIT) execOf(init, initTask.comm);
  for (const a of cast.all) {
    if (a.kind !== 'target') continue;
    const t = a.task!;
    if (t.parent === null || !resettable(t.exitSignal)) continue;
    const parent = n.tasks.get(t.parent)!;
    if (t.parentExecId === n.groups.get(parent.group)!.execId) continue;
    const p = cast.bySeq.get(t.parent);
    const who = n.taskName(t.seq);
    // chooseCreator gives a child with its own exit signal to its parent (an adoption would have made it SIGCHLD).
    if (p === undefined || a.creator !== p) refuse(who, 'parent exec', 'its parent has run execve since it was born, and the plan does not create it by that parent');
    if (p!.leader !== p) refuse(who, 'parent exec', `its parent ${p!.name} is a thread, made after the exec that will reset its exit signal (an exec ends every other thread): it came to that thread from the leader`);
    execOf(p!).before.add(a);
  }
  for (const x of map.values()) {
    if (inheritedFds(cast, x.group).length > 0) refuse(cast.n.taskName(x.group.task!.seq), 'parent exec', 'it was born holding pidfds it cannot open itself, and its exec would close them (pidfds are O_CLOEXEC)');
  }
  plans.set(cast, map);
}

/** The exec `a` must wait for: its creator's, when `a` is a thread of that group, a child that must not be reset, or a sharer of its tables. */
export function execBlocker(cast: Cast, a: Actor): Exec | null {
  const c = a.creator;
  const x = c === null ? undefined : plans.get(cast)?.get(c.leader);
  if (x === undefined || x.done || x.before.has(a)) return null;
  if (a.kind === 'thread') return x;
  if (a.kind !== 'target') return null;
  const n = cast.n;
  const mine = n.groups.get(a.task!.group)!;
  const theirs = n.groups.get(x.group.task!.group)!;
  const parent = a.task!.parent === null ? undefined : n.tasks.get(a.task!.parent);
  if (parent !== undefined && parent.group === theirs.serial && resettable(a.task!.exitSignal)) return x;
  // de_thread unshares the handlers and unshare_files the fd table: a sharer born before would share no more.
  if ((mine.files !== null && mine.files === theirs.files) || (mine.sighand !== null && mine.sighand === theirs.sighand)) return x;
  return null;
}

/** After `a` is created: the exec of `a` or of its creator, if everything that must precede it exists now. */
export function execsAfter(cast: Cast, a: Actor, out: Out, requeue: (waiters: readonly Actor[]) => void): void {
  for (const g of [a, a.creator?.leader]) {
    const x = g === undefined ? undefined : plans.get(cast)?.get(g);
    if (x === undefined || x.done || !x.group.created || [...x.before].some((b) => !b.created)) continue;
    const why = x.before.size === 0 ? '' : `after ${[...x.before].map((b) => b.name).join(', ')}: ${x.before.size === 1 ? 'its' : 'their'} exit signal will be SIGCHLD`;
    if (x.thread === null) out.step(step.execve(x.group.name), `execve ${why}`.trim());
    else {
      const tid = cast.spareNumbers(x.group.ns);
      out.step(step.clone3(x.group.name, x.thread, [...step.THREAD_FLAGS], [...tid].reverse(), 0), 'a thread that execs: it takes pid 1, and its name is pid 1\'s');
      out.step(step.execve(x.thread), `it takes the leader's pid (de_thread); the old leader is released ${why}`.trim());
      x.group.name = x.thread;
    }
    // Every pidfd is O_CLOEXEC and goes (do_close_on_exec); a pty the plan opened has no O_CLOEXEC and stays, in the
    // table exec unshared (unshare_files: a CLONE_FILES sharer keeps the old one). Signalfds come after creation.
    x.group.fds = new Map([...x.group.fds].filter(([, f]) => isPtyEntry(f)));
    x.done = true;
    requeue(x.waiters);
    x.waiters.length = 0;
  }
}

/** Every exec done once the creation phase ends, or a refusal naming the process. */
export function checkExecsDone(cast: Cast): void {
  for (const x of plans.get(cast)?.values() ?? []) {
    if (!x.done) refuse(cast.n.taskName(x.group.task!.seq), 'parent exec', 'its exec must follow children that wait, through their creators, on what must follow it');
  }
}
