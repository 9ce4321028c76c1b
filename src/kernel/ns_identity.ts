// The namespaces other than PID and user, as identities only (struct
// nsproxy's mnt_ns, uts_ns, ipc_ns, net_ns, cgroup_ns, time_ns and
// time_ns_for_children): which tasks share one, who owns it (the user
// namespace whose CAP_SYS_ADMIN setns asks for), and how clone, unshare and
// setns make and change them (kernel/nsproxy.c). Nothing inside them is
// modeled: no mounts, hostnames, IPC objects, devices, cgroups or clocks.

import { CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWTIME, CLONE_NEWUTS } from '../abi/clone.js';
import { hasFlag } from './flags.js';
import type { UserNamespace } from './user_namespace.js';

/** The types, in the order /proc/PID/ns lists them and create_new_namespaces() makes them. */
export const NS_TYPES = ['mnt', 'uts', 'ipc', 'cgroup', 'net', 'time'] as const;
export type NsType = (typeof NS_TYPES)[number];

/** Each type's CLONE_NEW* flag (include/uapi/linux/sched.h). */
export const NS_TYPE_FLAG: Readonly<Record<NsType, number>> = {
  mnt: CLONE_NEWNS,
  uts: CLONE_NEWUTS,
  ipc: CLONE_NEWIPC,
  cgroup: CLONE_NEWCGROUP,
  net: CLONE_NEWNET,
  time: CLONE_NEWTIME,
};

/** The flags of the types here (not PID, not user). */
export const OTHER_NS_FLAGS = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP | CLONE_NEWNET | CLONE_NEWTIME;

/** One namespace: its type, its number in creation order within the type (0: the scenario's start), its owner. */
export class NsIdentity {
  constructor(
    readonly type: NsType,
    readonly index: number,
    /** ns->user_ns: the user namespace it was created in. Immutable. */
    readonly userNs: UserNamespace,
  ) {}

  /** How views name it: `mnt0`, `net2`. */
  get name(): string {
    return `${this.type}${this.index}`;
  }
}

/**
 * A task's namespaces of these types (its nsproxy, less PID). Immutable:
 * a change makes a new set (copy-on-write, as nsproxy is), so tasks share
 * one object until one of them changes.
 */
export interface NsSet {
  readonly mnt: NsIdentity;
  readonly uts: NsIdentity;
  readonly ipc: NsIdentity;
  readonly cgroup: NsIdentity;
  readonly net: NsIdentity;
  readonly time: NsIdentity;
  /** time_ns_for_children: unshare(CLONE_NEWTIME) changes only this; a child enters it (timens_on_fork). */
  readonly timeForChildren: NsIdentity;
}

/** Makes the namespaces of one type in creation order. */
export class NsCounter {
  private readonly next: Record<NsType, number> = { mnt: 0, uts: 0, ipc: 0, cgroup: 0, net: 0, time: 0 };

  make(type: NsType, owner: UserNamespace): NsIdentity {
    return new NsIdentity(type, this.next[type]++, owner);
  }
}

/** The start state's set: one namespace of each type, owned by `owner`. */
export function initialNsSet(counter: NsCounter, owner: UserNamespace): NsSet {
  const [mnt, uts, ipc, cgroup, net, time] = NS_TYPES.map((t) => counter.make(t, owner)) as [NsIdentity, NsIdentity, NsIdentity, NsIdentity, NsIdentity, NsIdentity];
  return { mnt, uts, ipc, cgroup, net, time, timeForChildren: time };
}

/**
 * create_new_namespaces(): a new namespace of each type whose flag is set,
 * owned by `owner`, the others shared. For clone, timens_on_fork() then
 * moves the child into its time_for_children (`forChild`).
 */
export function newNsSet(counter: NsCounter, old: NsSet, flags: number, owner: UserNamespace, forChild: boolean): NsSet {
  const pick = (t: Exclude<NsType, 'time'>): NsIdentity => (hasFlag(flags, NS_TYPE_FLAG[t]) ? counter.make(t, owner) : old[t]);
  const mnt = pick('mnt');
  const uts = pick('uts');
  const ipc = pick('ipc');
  const cgroup = pick('cgroup');
  const net = pick('net');
  const timeForChildren = hasFlag(flags, CLONE_NEWTIME) ? counter.make('time', owner) : old.timeForChildren;
  return { mnt, uts, ipc, cgroup, net, time: forChild ? timeForChildren : old.time, timeForChildren };
}
