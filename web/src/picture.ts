// The model at one position as indexed plain data, read from the snapshot
// format (toJSON, src/snapshot): every Pid with its numbers[] per level and
// namespace, every thread group's PGID/SID Pid, every namespace's pid_max,
// cursor and child reaper. A file made by `pidns host snapshot` reads the
// same way as a scenario's model. No DOM here.

import type { KernelJson, PidJson, PidNsJson, TaskJson, ThreadGroupJson } from '../../src/snapshot/index.js';

/** `released`: reaped by this step (release_task), drawn once more as going. */
export type TaskStateName = 'running' | 'blocked' | 'stopped' | 'exiting' | 'zombie' | 'released';

export interface NsInfo {
  readonly serial: number;
  readonly name: string;
  readonly level: number;
  readonly parent: number | null;
  readonly pidMax: number;
  /** The idr cursor: the next number alloc_pid tries (ns_last_pid + 1). */
  readonly cursor: number;
  readonly adding: boolean;
  readonly childReaper: number | null;
  /** Numbers allocated here (hashed Pids), ascending. */
  readonly used: readonly number[];
  /** False for the scenario's host namespace (level 0, outside the scenario). */
  readonly shown: boolean;
  readonly children: readonly number[];
}

export interface Upid {
  readonly ns: number;
  readonly nr: number;
}

export interface PidInfo {
  readonly serial: number;
  /** numbers[0..level]: one upid per level, the root namespace first. */
  readonly numbers: readonly Upid[];
  readonly level: number;
  readonly hashed: boolean;
  /** The task whose PID this is, if it still has one. */
  readonly task: number | null;
  /** The thread group whose TGID this is. */
  readonly tgidOf: number | null;
  /** Thread groups whose process group / session this Pid is. */
  readonly pgrp: readonly number[];
  readonly session: readonly number[];
}

export interface TaskInfo {
  readonly seq: number;
  readonly comm: string;
  readonly pid: number;
  readonly group: number;
  readonly parent: number | null;
  readonly children: readonly number[];
  readonly state: TaskStateName;
  /** The wait status word: low 7 bits a signal number when killed. */
  readonly exitCode: number;
  /** task_active_pid_ns(): the namespace of its Pid's deepest number. */
  readonly ns: number;
  readonly blocked: boolean;
}

export interface GroupInfo {
  readonly serial: number;
  readonly leader: number;
  readonly threads: readonly number[];
  readonly pgrp: number;
  readonly session: number;
}

export interface Picture {
  /** In the kernel's order: the root first, parents before children. */
  readonly namespaces: readonly NsInfo[];
  readonly ns: ReadonlyMap<number, NsInfo>;
  readonly pids: ReadonlyMap<number, PidInfo>;
  /** Tasks on the kernel's task list (not released), by seq. */
  readonly tasks: ReadonlyMap<number, TaskInfo>;
  readonly groups: ReadonlyMap<number, GroupInfo>;
}

function stateOf(t: TaskJson): TaskStateName {
  switch (t.exitState) {
    case 'zombie':
    case 'dead':
      return 'zombie';
    case 'exiting':
      return 'exiting';
    default:
      return t.stopped ? 'stopped' : t.blocked !== null ? 'blocked' : 'running';
  }
}

export function picture(json: KernelJson): Picture {
  const used = new Map<number, number[]>();
  for (const p of json.pids) if (p.hashed) for (const [ns, nr] of p.numbers) (used.get(ns) ?? used.set(ns, []).get(ns)!).push(nr);
  const hostSerial = json.mode === 'scenario' ? (json.pidNamespaces[0]?.serial ?? null) : null;
  const namespaces = json.pidNamespaces.map(
    (n: PidNsJson, _i: number, all: readonly PidNsJson[]): NsInfo => ({
      serial: n.serial,
      name: n.name,
      level: levelOf(n, all),
      parent: n.parent,
      pidMax: n.pidMax,
      cursor: n.cursor,
      adding: n.adding,
      childReaper: n.childReaper,
      used: (used.get(n.serial) ?? []).sort((a, b) => a - b),
      shown: n.serial !== hostSerial,
      children: all.filter((c) => c.parent === n.serial).map((c) => c.serial),
    }),
  );
  const pids = new Map(
    json.pids.map((p: PidJson): [number, PidInfo] => [
      p.serial,
      {
        serial: p.serial,
        numbers: p.numbers.map(([ns, nr]) => ({ ns, nr })),
        level: p.numbers.length - 1,
        hashed: p.hashed,
        task: p.task,
        tgidOf: p.tgidOf,
        pgrp: p.pgrp,
        session: p.session,
      },
    ]),
  );
  const tasks = new Map<number, TaskInfo>();
  for (const t of json.tasks) {
    // A released task some object still names (a dead namespace's child reaper) is no longer on the task list.
    if (t.exitState === 'dead') continue;
    const pid = pids.get(t.pid);
    tasks.set(t.seq, {
      seq: t.seq,
      comm: t.comm,
      pid: t.pid,
      group: t.group,
      parent: t.parent,
      children: t.children,
      state: stateOf(t),
      exitCode: t.exitCode,
      ns: pid?.numbers.at(-1)?.ns ?? 0,
      blocked: t.blocked !== null,
    });
  }
  const groups = new Map(
    json.threadGroups.map((g: ThreadGroupJson): [number, GroupInfo] => [g.serial, { serial: g.serial, leader: g.leader, threads: g.threads, pgrp: g.pgrp, session: g.session }]),
  );
  return { namespaces, ns: new Map(namespaces.map((n) => [n.serial, n])), pids, tasks, groups };
}

function levelOf(n: PidNsJson, all: readonly PidNsJson[]): number {
  let level = 0;
  for (let p = n.parent; p !== null; p = all.find((x) => x.serial === p)?.parent ?? null) level++;
  return level;
}

/** The number Pid `pid` has in namespace `ns`, or null when it is not visible there. */
export function nrIn(pic: Picture, pid: number, ns: number): number | null {
  const p = pic.pids.get(pid);
  const nsInfo = pic.ns.get(ns);
  if (p === undefined || nsInfo === undefined) return null;
  const u = p.numbers[nsInfo.level];
  return u !== undefined && u.ns === ns ? u.nr : null;
}

/** A task's TGID Pid: its thread group leader's PID. */
export function tgidPid(pic: Picture, t: TaskInfo): number | null {
  const g = pic.groups.get(t.group);
  const leader = g === undefined ? undefined : pic.tasks.get(g.leader);
  if (leader !== undefined) return leader.pid;
  for (const p of pic.pids.values()) if (p.tgidOf === t.group) return p.serial;
  return null;
}

/** Whether `inner` is `outer` or lies below it. */
export function isWithin(pic: Picture, inner: number, outer: number): boolean {
  for (let n: number | null = inner; n !== null; n = pic.ns.get(n)?.parent ?? null) if (n === outer) return true;
  return false;
}

/** The namespaces a viewer may pick: every one but the scenario's host. */
export function shownNamespaces(pic: Picture): readonly NsInfo[] {
  return pic.namespaces.filter((n) => n.shown);
}

export function nsByName(pic: Picture, name: string): NsInfo | undefined {
  return pic.namespaces.find((n) => n.name === name);
}

export const taskLabel = (t: { readonly comm: string; readonly seq: number }): string => `${t.comm}#${t.seq}`;
