// User namespaces in a plan. The language has no uid_map, so a child user
// namespace is one level below the root (create_user_ns refuses an owner with
// no mapping above: EPERM), its tasks keep the kuids they entered with
// (make_kuid fails: setuid is EINVAL), and every task in it descends by fork
// from the one task that entered it (setns into a user namespace is not in
// the language). The planner finds that task, the entrant, and lets it in:
//   - the init of a PID namespace the user namespace owns is cloned with
//     CLONE_NEWUSER|CLONE_NEWPID (copy_creds makes the user namespace first,
//     and copy_namespaces gives it the new PID namespace), by a root creator,
//     or, when its ids are not root's, by a helper that took them (below);
//   - any other entrant is created as root, settles, takes its ids
//     (setresuid) and then calls unshare(CLONE_NEWUSER) itself (owner: its
//     euid), before any thread or child of its exists.
// A task in a child user namespace has no capability over the PID namespaces
// the root one owns: alloc_pid checks checkpoint_restore_ns_capable() for each
// level set_tid names, ns_last_pid's handler likewise (kernel/pid.c,
// kernel/pid_namespace.c), and setns() needs CAP_SYS_ADMIN over the target's
// owner (pidns_install). So its children get set_tid numbers only in the
// levels its own user namespace owns (the innermost ones), and each outer
// number is arranged by a root task of that level, which writes ns_last_pid =
// N - 1 just before the fork (CRIU's method before clone3).

import type { Actor, Cast } from './actors.js';
import { refuse } from './refusal.js';
import type { Names } from './same.js';
import type { Out } from './schedule.js';
import * as step from './steps.js';
import { clonedAsSibling } from './siblings.js';

const SIGCHLD = 17;

/** The root user namespace's serial. */
export function rootUserNs(n: Names): number {
  return n.json.userNamespaces.find((u) => u.parent === null)!.serial;
}

/** Refused from the snapshot alone: what no entrant and no fork in a child user namespace leave. */
export function refuseUsers(n: Names): void {
  const root = rootUserNs(n);
  const first = new Map<number, { readonly who: string; readonly ids: string }>();
  for (const t of n.liveTasks()) {
    const c = t.cred;
    if (c.userNs === root) continue;
    const who = n.taskName(t.seq);
    const u = n.json.userNamespaces.find((x) => x.serial === c.userNs)!;
    const name = n.userNsName(u.serial);
    if (t.seq === n.json.init) refuse(who, 'user namespace', "the start state's init is in the root user namespace, and a plan never moves it");
    if (u.parent !== root) refuse(who, 'user namespace', `${name} is nested below another child user namespace, which needs a uid_map the language cannot write`);
    if (!c.caps) refuse(who, 'no capabilities', `a task of ${name} without capabilities: an execve there dropped them (no mapped root), which the planner does not replay`);
    const ids = `${c.uid}/${c.euid}/${c.suid}`;
    const seen = first.get(u.serial);
    if (seen === undefined) first.set(u.serial, { who, ids });
    else if (seen.ids !== ids) refuse(who, `uid ${ids}`, `task ${seen.who} of ${name} has ${seen.ids}: a task there cannot change its ids (no uid_map), so all of them keep the ones it was entered with (an execve there moved a saved uid)`);
    if (u.owner !== c.euid) refuse(who, `user namespace owner ${u.owner}`, `its euid is ${c.euid}: the entrant's euid owns the namespace, and its tasks keep that euid`);
  }
  for (const ns of n.json.pidNamespaces) {
    if (ns.userNs === root || !n.underBase(ns.serial) || !n.reachable.has(ns.serial)) continue;
    const reaper = ns.childReaper === null ? undefined : n.tasks.get(ns.childReaper);
    if (reaper !== undefined && reaper.exitState === 'dead') refuse(n.nsName(ns.serial), 'user namespace', `its init is reaped, and the planner revives such a namespace with a root init, which would own it in the root user namespace, not ${n.userNsName(ns.userNs)}`);
  }
}

interface Users {
  readonly root: number;
  /** The entrant of each child user namespace, and how it enters ('helper': cloned by a helper that took its ids first). */
  readonly entrants: Map<Actor, 'clone' | 'helper' | 'unshare'>;
  readonly memo: Map<Actor, number>;
}

const usersOf = new WeakMap<Cast, Users>();

function users(cast: Cast): Users {
  let u = usersOf.get(cast);
  if (u === undefined) {
    u = { root: rootUserNs(cast.n), entrants: new Map(), memo: new Map() };
    usersOf.set(cast, u);
  }
  return u;
}

/** The user namespace `a`'s credentials end in: its task's; a helper's is its creator's (a fork copies them). */
export function userOf(cast: Cast, a: Actor): number {
  const u = users(cast);
  let v = u.memo.get(a);
  if (v === undefined) {
    v = a.task !== null ? a.task.cred.userNs : a.creator === null ? u.root : userOf(cast, a.creator);
    u.memo.set(a, v);
  }
  return v;
}

/** Finds each child user namespace's entrant, once every creator is chosen; refuses what cannot enter. */
export function planUsers(cast: Cast): void {
  const n = cast.n;
  const u = users(cast);
  const byNs = new Map<number, Actor>();
  for (const a of cast.all) {
    if (a.creator === null || a.task === null) continue;
    const mine = userOf(cast, a);
    const theirs = userOf(cast, a.creator);
    if (mine === theirs) continue;
    const who = n.taskName(a.task.seq);
    const name = n.userNsName(mine);
    if (a.kind === 'thread') refuse(who, 'user namespace', `a thread in ${name} while its leader is not: unshare(CLONE_NEWUSER) refuses a multi-threaded caller`);
    if (theirs !== u.root) refuse(who, 'user namespace', `its creator ${a.creator.name} is in ${n.userNsName(theirs)}, which its forks cannot leave`);
    const other = byNs.get(mine);
    if (other !== undefined) refuse(who, 'user namespace', `${other.name} enters ${name} too: only one task can (CLONE_NEWUSER makes a new one; the language cannot setns into one), and each is born of a creator outside it`);
    byNs.set(mine, a);
    const c = a.task.cred;
    if (a.newPid && n.nss.get(a.ns)!.userNs === mine) {
      // clone(CLONE_NEWUSER) copies the caller's ids: root's while the plan creates, else a helper's that took them.
      const root = c.uid === 0 && c.euid === 0 && c.suid === 0;
      if (!root && a.exitSignal !== SIGCHLD) refuse(who, `exit signal ${a.exitSignal}`, `its ids are not root's, so a helper that took them clones it with CLONE_PARENT, which gives it the helper's exit signal, SIGCHLD (copy_process)`);
      u.entrants.set(a, root ? 'clone' : 'helper');
    } else {
      if ((cast.early.get(a) ?? []).length > 0) refuse(who, 'user namespace', 'it enters its user namespace once settled, but children of it must be born before it settles (findEarly)');
      u.entrants.set(a, 'unshare');
    }
  }
  // Who owns each PID namespace is decided where it is made: by its init's creator's credentials.
  for (const a of cast.all) {
    if (!a.newPid || a.creator === null || a.task === null) continue;
    const owner = n.nss.get(a.ns)!.userNs;
    const how = u.entrants.get(a);
    const made = how === 'clone' || how === 'helper' ? userOf(cast, a) : userOf(cast, a.creator);
    if (owner !== made) refuse(n.nsName(a.ns), 'user namespace', `it is owned by ${n.userNsName(owner)}, but its init's creator ${a.creator.name} is in ${n.userNsName(made)}, whose clone(CLONE_NEWPID) would own it`);
  }
}

/** Whether `a` holds the capabilities over PID namespace `ns` (its owner is a's user namespace, or a is in the root one). */
export function capableOver(cast: Cast, a: Actor, ns: number): boolean {
  const mine = userOf(cast, a);
  return mine === users(cast).root || mine === cast.n.nss.get(ns)!.userNs;
}

/** The namespaces from the base down to `ns`. */
function chain(n: Names, ns: number): number[] {
  const out: number[] = [];
  for (let x: number | null = ns; x !== null && n.underBase(x); x = n.nss.get(x)!.parent) out.unshift(x);
  return out;
}

/**
 * The clone3 flags and set_tid (innermost first) for `a` made by `c`, with
 * the ns_last_pid writes that place the numbers c may not name; refuses a
 * setns c would need and has no capability for.
 */
export function userClone(cast: Cast, c: Actor, a: Actor, target: number, out: Out): UserClone {
  const n = cast.n;
  const u = users(cast);
  const who = a.task === null ? a.name : n.taskName(a.task.seq);
  const full = [...a.nums].reverse();
  const how = u.entrants.get(a);
  if (how === 'clone') return { flags: [step.NEWUSER], setTid: full, by: c.name, after: [], ownExitSignal: true };
  if (how === 'helper') return byHelper(cast, c, a, target, out);
  const mine = userOf(cast, c);
  if (mine === u.root) return { flags: [], setTid: full, by: c.name, after: [], ownExitSignal: true };
  if (c.pfc !== target && !capableOver(cast, c, target)) refuse(who, 'namespace', `its creator ${c.name}, in ${n.userNsName(mine)}, cannot setns into ${n.nsName(target)} (pidns_install needs CAP_SYS_ADMIN over its owner)`);
  const levels = chain(n, a.ns);
  const own = levels.map((ns) => n.nss.get(ns)!.userNs === mine || (a.newPid && ns === a.ns));
  const firstOwn = own.indexOf(true);
  if (firstOwn >= 0 && own.slice(firstOwn).includes(false)) refuse(who, 'user namespace', 'a namespace of the root user namespace below one its creator\'s owns');
  for (let i = 0; i < levels.length; i++) {
    if (own[i]) continue;
    const level = levels[i]!;
    const nr = a.nums[i]!;
    placeNumber(cast, level, nr, c.name, `is in ${n.userNsName(mine)}`, who, out);
  }
  // A sibling's exit signal is its creator's leader's (copy_process), and clone3 refuses one with CLONE_PARENT.
  const sibling = clonedAsSibling(cast, a);
  return { flags: sibling ? [step.PARENT] : [], setTid: full.slice(0, firstOwn < 0 ? 0 : levels.length - firstOwn), by: c.name, after: [], ownExitSignal: !sibling };
}

/** How `a` is cloned: flags and set_tid, by whom (its creator, or a helper of its), and the steps after. */
export interface UserClone {
  readonly flags: readonly string[];
  readonly setTid: readonly number[];
  readonly by: string;
  readonly after: readonly string[];
  /** False under CLONE_PARENT: the child gets its cloner's leader's exit signal, and clone3 refuses one given (EINVAL). */
  readonly ownExitSignal: boolean;
}

/** A root task of namespace `level` writes its ns_last_pid so that the next fork there gets `nr`. */
function placeNumber(cast: Cast, level: number, nr: number, forker: string, because: string, who: string, out: Out): void {
  const n = cast.n;
  const root = users(cast).root;
  const w = cast.all.find((x) => x.created && x.ns === level && userOf(cast, x) === root && x.kind !== 'nursery') ?? rootHelpers(cast).get(level);
  if (w === undefined) refuse(who, 'numbers', `${forker} ${because}, without capabilities over ${n.nsName(level)} (set_tid and ns_last_pid need CAP_CHECKPOINT_RESTORE there), and no root task lives there to write its ns_last_pid`);
  out.step(step.writeLastPid(w!.name, nr - 1), `${forker} has no capability over ${n.nsName(level)}: its next number there is ${nr}`);
}

/**
 * An init cloned into its user namespace with ids that are not root's: a
 * helper of its creator takes them (setresuid), so that its
 * clone(CLONE_PARENT|CLONE_NEWUSER|CLONE_NEWPID) gives them to the child and
 * the creator as its parent (real_parent is the helper's). Without
 * capabilities the helper names no number: ns_last_pid places the outer ones
 * and the new namespace's is 1. Then it exits and its creator reaps it.
 */
function byHelper(cast: Cast, c: Actor, a: Actor, target: number, out: Out): UserClone {
  const n = cast.n;
  const ids = a.task!.cred;
  const who = n.taskName(a.task!.seq);
  const h = cast.helperName('ids');
  out.step(step.clone3(c.name, h, [], [...cast.spareNumbers(target)].reverse(), SIGCHLD), `a helper that takes ${a.name}'s ids and clones it`);
  out.step(step.setResUid(h, ids.uid, ids.euid, ids.suid), `${a.name}'s ids: clone copies them, CLONE_NEWUSER keeps them (its owner is the euid)`);
  const levels = chain(n, target);
  for (let i = 0; i < levels.length; i++) placeNumber(cast, levels[i]!, a.nums[i]!, h, 'dropped root', who, out);
  return { flags: [step.PARENT, step.NEWUSER], setTid: [], by: h, after: [step.exitThread(h, 0), step.reap(c.name, h)], ownExitSignal: false };
}

/**
 * An entrant in a PID namespace the root user namespace owns, where no task
 * of the root one lives yet: its tasks cannot write that namespace's ns_last_pid
 * (pid_ns_ctl_handler writes the writer's active namespace's cursor, with
 * CAP_CHECKPOINT_RESTORE over its owner: kernel/pid_namespace.c), and setns
 * into it gives no active namespace. So before it leaves root it forks a
 * helper there, which stays root and writes it for the plan (the numbers
 * its tasks' children take there, then the final one), then exits and is
 * reaped by the entrant (rootHelpersDone).
 */
const rootHelpersOf = new WeakMap<Cast, Map<number, { readonly name: string; readonly creator: string }>>();

/** The root helper of each PID namespace that has one, by serial. */
export function rootHelpers(cast: Cast): ReadonlyMap<number, { readonly name: string; readonly creator: string }> {
  return rootHelpersOf.get(cast) ?? new Map<number, { readonly name: string; readonly creator: string }>();
}

function rootHelper(cast: Cast, a: Actor, out: Out): void {
  const n = cast.n;
  const root = users(cast).root;
  const helpers = rootHelpersOf.get(cast) ?? new Map<number, { readonly name: string; readonly creator: string }>();
  rootHelpersOf.set(cast, helpers);
  if (a.pfc !== a.ns || n.nss.get(a.ns)!.userNs !== root || helpers.has(a.ns)) return;
  // A root task of the namespace that is already there writes instead (one created later may come after a's children).
  if (cast.all.some((x) => x.task !== null && x.created && x.ns === a.ns && userOf(cast, x) === root)) return;
  const h = cast.helperName('root');
  out.step(step.clone3(a.name, h, [], [...cast.spareNumbers(a.ns)].reverse(), SIGCHLD), `a helper that stays root in ${n.nsName(a.ns)}, which the root user namespace owns and no root task lives in: it writes ns_last_pid there for the tasks of ${n.userNsName(userOf(cast, a))}`);
  helpers.set(a.ns, { name: h, creator: a.name });
}

/** Once every ns_last_pid is final: the root helpers exit and their creators reap them. */
export function rootHelpersDone(cast: Cast, out: Out): void {
  for (const h of rootHelpers(cast).values()) {
    out.step(step.exitThread(h.name, 0), `${h.name} has written its namespace's ns_last_pid`);
    out.step(step.reap(h.creator, h.name), 'no helper is left');
  }
}

/** The last of an unshare entrant's settling: a root helper if its namespace needs one, its ids, then its own user namespace. */
export function enterUserNs(cast: Cast, a: Actor, out: Out): void {
  if (users(cast).entrants.get(a) !== 'unshare') return;
  rootHelper(cast, a, out);
  const c = a.task!.cred;
  if (c.uid !== 0 || c.euid !== 0 || c.suid !== 0) out.step(step.setResUid(a.name, c.uid, c.euid, c.suid), 'its ids, which it keeps in its user namespace (no uid_map there)');
  out.step(step.unshareUser(a.name), `enters ${cast.n.userNsName(userOf(cast, a))}, owned by its euid ${c.euid}, with every capability there`);
}

/** pid_for_children set to `want` by `a`: setns needs the capability over its owner; unshare(CLONE_NEWPID) makes one a's user namespace owns. */
export function refusePfc(cast: Cast, a: Actor, want: number, unshare: boolean): void {
  const n = cast.n;
  const owner = n.nss.get(want)!.userNs;
  const mine = userOf(cast, a);
  if (unshare ? owner !== mine : !capableOver(cast, a, want)) {
    refuse(n.taskName(a.task!.seq), 'pid_for_children', `${n.nsName(want)} is owned by ${n.userNsName(owner)}, and it is in ${n.userNsName(mine)}: ${unshare ? 'its unshare(CLONE_NEWPID) would make one its own user namespace owns' : 'setns needs CAP_SYS_ADMIN over the owner'}`);
  }
}
