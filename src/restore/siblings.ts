// A second task of a child user namespace whose parent is outside it. Every
// task there descends from the one that entered it (userns.ts), so a task of
// it whose parent is another namespace's was made with CLONE_PARENT by a
// task inside: copy_process gives the child its creator's real_parent and
// the creator's group leader's exit_signal (kernel/fork.c). The planner does
// the same: such a task is cloned by the entrant with CLONE_PARENT when the
// two share a parent, the entrant is no init (copy_process refuses
// CLONE_PARENT from a SIGNAL_UNKILLABLE caller: EINVAL) and the exit signals
// agree. Chosen right after the creators (creators.ts), before anything
// depends on them.

import type { Actor, Cast } from './actors.js';
import { within } from './actors.js';

const siblingsOf = new WeakMap<Cast, Set<Actor>>();

/** Whether `a` is cloned with CLONE_PARENT by its creator, a sibling of it in its user namespace. */
export function clonedAsSibling(cast: Cast, a: Actor): boolean {
  return siblingsOf.get(cast)?.has(a) ?? false;
}

/** The task `a`'s parent, as an actor. */
function parentOf(cast: Cast, a: Actor): Actor | undefined {
  const p = a.task?.parent;
  return p === null || p === undefined ? undefined : cast.bySeq.get(p);
}

/** For each child user namespace, its tasks born of a creator outside it, beyond the first, are cloned by one inside with CLONE_PARENT where the kernel allows. */
export function chooseSiblings(cast: Cast): void {
  const n = cast.n;
  const root = n.json.userNamespaces.find((u) => u.parent === null)!.serial;
  const set = new Set<Actor>();
  siblingsOf.set(cast, set);
  const byNs = new Map<number, Actor[]>();
  for (const a of cast.all) {
    if (a.kind !== 'target' || a.creator === null) continue;
    const mine = a.task!.cred.userNs;
    if (mine === root || a.creator.task?.cred.userNs === mine) continue;
    const list = byNs.get(mine) ?? [];
    list.push(a);
    byNs.set(mine, list);
  }
  for (const list of byNs.values()) {
    if (list.length < 2) continue;
    const entrants = new Set<Actor>();
    // The earliest task (the history's order) stays the entrant, the later ones its siblings.
    for (const b of [...list].reverse()) {
      if (set.has(b) || entrants.has(b)) continue;
      const a = list.find((x) => x !== b && !set.has(x) && fits(cast, x, b));
      if (a === undefined) continue;
      entrants.add(a);
      set.add(b);
      b.creator = a;
      b.why = `cloned by ${a.name}, the task that enters its user namespace, with CLONE_PARENT: its parent is ${a.name}'s, ${parentOf(cast, a)!.name}`;
    }
  }
  function fits(c: Cast, a: Actor, b: Actor): boolean {
    const p = parentOf(c, b);
    if (p === undefined || b.creator !== p || parentOf(c, a) !== p || a.creator !== p) return false;
    if (a.nums[a.nums.length - 1] === 1) return false;
    if (b.exitSignal !== a.exitSignal) return false;
    if (b.sid !== a.sid && b.sid !== b.task!.pid) return false;
    const target = b.newPid ? n.nss.get(b.ns)!.parent! : b.ns;
    return within(n, target, a.ns);
  }
}
