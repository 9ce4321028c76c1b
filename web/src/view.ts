// What the page shows for one position, as plain data: read from the model's
// snapshot and from procfs (the views a tool in a namespace would read), never
// from kernel internals beyond finding the namespace and task objects those
// public views take. No DOM here.

import { snapshot, type NsSnapshot, type Snapshot, type TaskSnapshot } from '../../src/index.js';
import type { Kernel } from '../../src/index.js';
import { ProcFs } from '../../src/index.js';
import { psLines, statusLines } from '../../src/scenario/index.js';

export type TaskStateName = 'running' | 'blocked' | 'stopped' | 'exiting' | 'zombie';

export interface NsNode {
  readonly name: string;
  /** The kernel's level: ns0 is 1 (the host, level 0, is outside the scenario). */
  readonly level: number;
  readonly pidMax: number;
  readonly cursor: number;
  /** The child reaper as `comm (nr)`, its number seen from this namespace; null once it has none. */
  readonly init: string | null;
  /** How many numbers are allocated here. */
  readonly count: number;
  /** Whether it still accepts new tasks (false once its init has died). */
  readonly adding: boolean;
  readonly children: readonly NsNode[];
}

export interface TaskRow {
  readonly seq: number;
  readonly comm: string;
  /** Its numbers from the chosen namespace's level down (empty when it is not visible there). */
  readonly numbers: readonly number[];
  /** Its numbers at every level, ns0 first, as `ns0:6` (its Pid's numbers[], the host's left out). */
  readonly allNumbers: readonly string[];
  /** `comm#seq` of the thread-group leader, and whether this task is it. */
  readonly leader: string;
  readonly isLeader: boolean;
  /** The process group and session, as numbers seen from the chosen namespace (0: not visible there). */
  readonly pgrp: number;
  readonly session: number;
  readonly state: TaskStateName;
  readonly parent: string | null;
  /** `comm#seq` of the parent at the previous step when it changed since: a reparenting. */
  readonly reparentedFrom: string | null;
}

export interface TreeNode {
  readonly label: string;
  readonly seq: number;
  readonly state: TaskStateName;
  readonly reparented: boolean;
  readonly children: readonly TreeNode[];
}

export interface View {
  readonly namespaces: readonly NsNode[];
  /** The namespaces a viewer may pick, outermost first (the host is not the scenario's). */
  readonly nsNames: readonly string[];
  readonly viewNs: string;
  readonly tasks: readonly TaskRow[];
  readonly tree: readonly TreeNode[];
  /** `@ps` lines from the chosen namespace. */
  readonly ps: readonly string[];
  /** The tasks whose /proc/PID/status can be shown from the chosen namespace: [seq, label]. */
  readonly statusChoices: readonly (readonly [number, string])[];
  readonly statusOf: number | null;
  readonly status: readonly string[] | null;
}

const label = (t: TaskSnapshot): string => `${t.comm}#${t.seq}`;

function stateOf(t: TaskSnapshot): TaskStateName {
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

/** The number that Pid serial `serial` has in `ns`, 0 if none. */
function nrIn(ns: NsSnapshot | undefined, serial: number): number {
  return ns?.numbers.find(([, s]) => s === serial)?.[0] ?? 0;
}

export function buildView(kernel: Kernel, previous: Snapshot | null, viewNs: string, statusOf: number | null): View {
  const snap = snapshot(kernel);
  const scenarioNs = snap.namespaces.filter((n) => n.name !== 'host');
  const nsByName = new Map(snap.namespaces.map((n) => [n.name, n]));
  const taskBySeq = new Map(snap.tasks.map((t) => [t.seq, t]));
  const chosen = nsByName.get(viewNs) ?? scenarioNs[0]!;
  const base = scenarioNs[0]?.level ?? 0;

  const nsNode = (n: NsSnapshot): NsNode => {
    const reaper = n.childReaper === null ? undefined : taskBySeq.get(n.childReaper);
    return {
      name: n.name,
      level: n.level,
      pidMax: n.pidMax,
      cursor: n.cursor,
      init: reaper === undefined ? null : `${reaper.comm} (${nrIn(n, reaper.pidSerial)})`,
      count: n.numbers.length,
      adding: n.adding,
      children: scenarioNs.filter((c) => c.parent === n.name).map(nsNode),
    };
  };
  const roots = scenarioNs.filter((n) => n.parent === null || !scenarioNs.some((p) => p.name === n.parent));

  const before = new Map((previous?.tasks ?? []).map((t) => [t.seq, t]));
  const movedFrom = (t: TaskSnapshot): string | null => {
    const old = before.get(t.seq);
    if (old === undefined || old.parent === t.parent || old.parent === null) return null;
    const was = before.get(old.parent);
    return was === undefined ? `#${old.parent}` : label(was);
  };
  const tasks: TaskRow[] = snap.tasks.map((t) => {
    const parent = t.parent === null ? undefined : taskBySeq.get(t.parent);
    const leader = taskBySeq.get(t.leader);
    return {
      seq: t.seq,
      comm: t.comm,
      numbers: t.pid.length > chosen.level ? t.pid.slice(chosen.level) : [],
      allNumbers: t.pid.slice(base).map((nr, i) => `${scenarioNs.find((n) => n.level === base + i && n.numbers.some(([x, s]) => x === nr && s === t.pidSerial))?.name ?? '?'}:${nr}`),
      leader: leader === undefined ? `#${t.leader}` : label(leader),
      isLeader: t.leader === t.seq,
      pgrp: nrIn(chosen, t.pgrp),
      session: nrIn(chosen, t.session),
      state: stateOf(t),
      parent: parent === undefined ? null : label(parent),
      reparentedFrom: movedFrom(t),
    };
  });

  const treeNode = (t: TaskSnapshot): TreeNode => ({
    label: `${label(t)} [${t.pid.slice(base).join(' ')}]`,
    seq: t.seq,
    state: stateOf(t),
    reparented: movedFrom(t) !== null,
    children: t.children.map((c) => taskBySeq.get(c)).filter((c) => c !== undefined).map(treeNode),
  });
  const treeRoots = snap.tasks.filter((t) => t.parent === null || !taskBySeq.has(t.parent));

  const ns = kernel.namespaces.find((n) => n.name === chosen.name) ?? kernel.ns0;
  const proc = new ProcFs(kernel, ns);
  const rows = proc.readdir();
  const statusChoices = rows.map((r) => [r.taskSeq, `${r.pid} ${r.name}`] as const);
  const pick = statusOf !== null && rows.some((r) => r.taskSeq === statusOf) ? statusOf : (rows[0]?.taskSeq ?? null);
  const task = pick === null ? undefined : kernel.liveTasks().find((t) => t.seq === pick);
  const status = task === undefined ? null : proc.status(task);

  return {
    namespaces: roots.map(nsNode),
    nsNames: scenarioNs.map((n) => n.name),
    viewNs: chosen.name,
    tasks,
    tree: treeRoots.map(treeNode),
    ps: psLines(rows),
    statusChoices,
    statusOf: pick,
    status: status === null ? null : statusLines(status),
  };
}
