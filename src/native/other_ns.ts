// The kernel backend's names for the namespaces other than PID (mnt, uts,
// ipc, cgroup, net, time): by creation order, read from /proc/TID/ns links
// after each step (an inode of a dead namespace may be reused).

import { CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWTIME, CLONE_NEWUTS } from '../abi/clone.js';
import { nsInode } from '../host/proc_files.js';
import type { NamespacesView } from '../scenario/backend.js';
import type { Actor, StepCtx } from './actors.js';

/** The other namespace links of /proc/TID/ns and the flag that makes each (time_for_children: CLONE_NEWTIME). */
const OTHER_NS_LINKS: readonly (readonly [string, number])[] = [
  ['mnt', CLONE_NEWNS],
  ['uts', CLONE_NEWUTS],
  ['ipc', CLONE_NEWIPC],
  ['cgroup', CLONE_NEWCGROUP],
  ['net', CLONE_NEWNET],
  ['time_for_children', CLONE_NEWTIME],
  ['time', 0],
];

export class OtherNsNames {
  /** Each link's creation index, by inode, per type (time and time_for_children are one type). */
  private readonly index = new Map<string, { byInode: Map<number, number>; next: number }>();

  /**
   * Reads the other namespace links of the step's actor and new child, and
   * names namespaces by creation: a link the step made new (the clone's or
   * unshare's CLONE_NEW* flags) gets the next index of its type even if its
   * inode was a dead namespace's; any other is looked up by inode.
   */
  refresh(actors: ReadonlyMap<number, Actor>, step: StepCtx | null): void {
    const result = step?.result;
    const update = (x: Actor, made: number): void => {
      if (x.exited || x.hostTid <= 0) return;
      const fresh = new Set<string>();
      for (const [link, flag] of OTHER_NS_LINKS) if ((made & flag) !== 0 && link !== 'time') fresh.add(link);
      const ids: number[] = [];
      // time_for_children before time: a clone3 CLONE_NEWTIME child is in its new time_for_children.
      for (const link of ['mnt', 'uts', 'ipc', 'cgroup', 'net', 'time_for_children', 'time']) {
        const inode = nsInode(`/proc/${x.hostTid}/ns/${link}`);
        const type = link === 'time_for_children' ? 'time' : link;
        let t = this.index.get(type);
        if (t === undefined) this.index.set(type, (t = { byInode: new Map(), next: 0 }));
        let id = inode === null ? undefined : t.byInode.get(inode);
        if (fresh.has(link) || id === undefined) {
          id = t.next++;
          if (inode !== null) t.byInode.set(inode, id);
        }
        ids.push(id);
      }
      const [mnt, uts, ipc, cgroup, net, tfc, time] = ids as [number, number, number, number, number, number, number];
      x.otherNs = [mnt, uts, ipc, cgroup, net, time, tfc];
    };
    if (step === null || step === undefined) {
      for (const x of actors.values()) update(x, 0);
      return;
    }
    if (result?.kind === 'errno') return;
    const child = step.newChild;
    if (child !== undefined) update(child, step.traits.cloneFlags ?? 0);
    update(step.actor, step.traits.unshares ?? 0);
  }

  view(a: Actor): NamespacesView {
    const ns = a.otherNs;
    if (ns === undefined) throw new Error(`kernel backend: task ${a.ref}'s namespaces are unknown`);
    const [mnt, uts, ipc, cgroup, net, time, timeForChildren] = ns as [number, number, number, number, number, number, number];
    return { mnt, uts, ipc, cgroup, net, time, timeForChildren };
  }
}
