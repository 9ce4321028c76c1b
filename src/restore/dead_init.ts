// A pidfd of a namespace's init, reaped since: its stand-in (fds.ts's
// helper with the reaped pid's numbers) must itself be an init, so it is
// cloned with CLONE_NEWPID — by a task of the parent namespace, since
// copy_pid_ns makes the new namespace a child of the caller's active one
// (EINVAL when pid_for_children is elsewhere). Nothing else lives in that
// namespace, so the stand-in writes its pid_max and ns_last_pid before it
// dies again (by reboot() when the snapshot's namespace was rebooted), and
// phase 3 leaves the namespace alone. When a task also has the namespace for
// its children, the stand-in lives on as phases.ts revive()'s init, which
// lets the task join and dies in phase 3.

import type { Actor, Cast } from './actors.js';
import { refuse } from './refusal.js';
import type { Out } from './schedule.js';
import * as step from './steps.js';
import { rootUserNs, userOf } from './userns.js';

const done = new WeakMap<Cast, Map<number, Actor>>();

/** The namespaces whose last number and pid_max a stand-in init wrote (phase 3 writes none), with that init. */
export function ghostedNamespaces(cast: Cast): ReadonlyMap<number, Actor> {
  return done.get(cast) ?? new Map();
}

/** Whether stand-in `h` is an init that phase 3 needs (a task has its namespace for its children): then it dies there. */
export const keptForChildren = (cast: Cast, h: Actor): boolean => h.newPid && cast.n.liveTasks().some((t) => t.nsForChildren === h.ns);

/** The stand-in for reaped pid `pidSerial` when it was a namespace's init, else null (fds.ts makes a plain one). */
/** `creating`: asked for in the creation phase, for a child about to be born holding its pidfd (inherit.ts). */
export function ghostInit(cast: Cast, pidSerial: number, ghosts: readonly Actor[], out: Out, creating = false): Actor | null {
  const n = cast.n;
  const pid = n.pids.get(pidSerial)!;
  const [nsSerial, nr] = pid.numbers[pid.numbers.length - 1]!;
  const ns = n.nss.get(nsSerial)!;
  const reaper = ns.childReaper === null ? undefined : n.tasks.get(ns.childReaper);
  if (nr !== 1 || reaper === undefined || reaper.pid !== pidSerial || nsSerial === n.base.serial) return null;
  const name = n.nsName(nsSerial);
  const what = `reaped pid ${n.numbersOf(pid).join(' ')}`;
  const parent = ns.parent!;
  const init = cast.bySeq.get(n.json.init)!;
  const creator = parent === n.base.serial ? init : ghosts.find((g) => g.newPid && g.ns === parent) ?? cast.all.find((a) => a.task !== null && a.ns === parent);
  if (creator === undefined) refuse(what, 'namespace', `it was ${name}'s init, and ${n.nsName(parent)} above has no task the plan rebuilds to clone a stand-in init from`);
  // In the creation phase the creator may not exist yet, or may be the very task whose pid_for_children points where
  // its next child goes (schedule.ts create): moving it would send that child elsewhere.
  if (creating && (!creator!.created || creator!.pfc !== parent)) refuse(what, 'namespace', `it was ${name}'s init, and a child is born holding its pidfd before ${creator!.name} can clone a stand-in init from ${n.nsName(parent)}`);
  if (userOf(cast, creator!) !== rootUserNs(n)) refuse(what, 'namespace', `it was ${name}'s init, and the task to clone its stand-in from is in a child user namespace (set_tid needs CAP_CHECKPOINT_RESTORE over every level)`);
  const h = cast.add({ name: cast.helperName('gone'), kind: 'pidfd helper', task: null, ns: nsSerial, nums: n.numbersOf(pid), creator: creator!, why: '', newPid: true, exitSignal: 17, sid: null, pgid: null });
  if (creator!.pfc !== parent) {
    out.step(step.setnsTo(creator!.name, creator!.name), `the stand-in init goes below ${n.nsName(parent)}, its own namespace`);
    creator!.pfc = parent;
  }
  out.step(step.clone3(creator!.name, h.name, [step.NEWPID], [...h.nums].reverse(), 17), `stands in for ${what}, ${name}'s init, which pidfds still name`);
  if (ns.pidMax !== 4194304) out.step(step.writePidMax(h.name, ns.pidMax), `${name}'s pid_max`);
  if (ns.cursor !== 0) out.step(step.writeLastPid(h.name, ns.cursor - 1), `${name}: the next number is ${ns.cursor}`);
  const map = done.get(cast) ?? new Map<number, Actor>();
  map.set(nsSerial, h);
  done.set(cast, map);
  return h;
}
