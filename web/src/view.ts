// What the page shows for one position, as plain data, seen from one
// namespace ("Seen from"): the namespace boxes with the tasks living in each,
// the task table, the process tree and /proc as a tool there would read it.
// Built from the snapshot picture (picture.ts) and the public procfs. No DOM.

import { procfs, type Kernel } from '../../src/index.js';
import { psLines, statusLines } from '../../src/scenario/index.js';
import type { ChangeKind, StepChanges } from './changes.js';
import { isWithin, nrIn, nsByName, shownNamespaces, taskLabel, tgidPid, type NsInfo, type Picture, type TaskInfo, type TaskStateName } from './picture.js';

/** One task as drawn: numbers seen from the chosen namespace (null: not visible there). */
export interface TaskView {
  readonly seq: number;
  readonly comm: string;
  readonly label: string;
  readonly ns: string;
  readonly pid: number | null;
  readonly tgid: number | null;
  /** getpgid/getsid as a tool in the chosen namespace reads them: 0 when the group's Pid has no number there. */
  readonly pgid: number;
  readonly sid: number;
  /** This step made its process group / session (setpgid, setsid). */
  readonly pgrpNew: boolean;
  readonly sidNew: boolean;
  /** The parent's number seen from the chosen namespace (0 when it has none there, as getppid reads an invisible parent). */
  readonly ppid: number;
  readonly parent: number | null;
  readonly parentLabel: string | null;
  readonly state: TaskStateName;
  readonly isLeader: boolean;
  readonly leaderLabel: string;
  /** What the current step did to it. */
  readonly changes: readonly ChangeKind[];
  /** Released by this step (drawn once more, marked as going). */
  readonly going: boolean;
  readonly movedFrom: string | null;
  /** The seq of that previous parent. */
  readonly wasParent: number | null;
  readonly isInit: boolean;
}

export interface NsBox {
  readonly name: string;
  readonly serial: number;
  readonly level: number;
  readonly pidMax: number;
  readonly cursor: number;
  readonly used: readonly number[];
  /** The child reaper as `comm (nr)`, its number there; null once it has none. */
  readonly init: string | null;
  readonly initGone: boolean;
  readonly adding: boolean;
  readonly chosen: boolean;
  /** Inside the chosen namespace (so its tasks are visible from there). */
  readonly visible: boolean;
  readonly isNew: boolean;
  readonly tasks: readonly TaskView[];
  readonly children: readonly NsBox[];
}

export interface TreeNode {
  readonly task: TaskView;
  readonly children: readonly TreeNode[];
}

export interface View {
  readonly nsNames: readonly string[];
  readonly viewNs: string;
  readonly namespaces: readonly NsBox[];
  readonly tasks: readonly TaskView[];
  readonly tree: readonly TreeNode[];
  readonly ps: readonly string[];
  readonly statusChoices: readonly (readonly [number, string])[];
  readonly statusOf: number | null;
  readonly status: readonly string[] | null;
}

export function taskViews(pic: Picture, before: Picture | null, changes: StepChanges, viewNs: NsInfo): TaskView[] {
  const going = new Set(changes.going.map((t) => t.seq));
  const all: [TaskInfo, Picture][] = [...[...pic.tasks.values()].map((t): [TaskInfo, Picture] => [t, pic]), ...changes.going.map((t): [TaskInfo, Picture] => [t, before ?? pic])];
  all.sort((a, b) => a[0].seq - b[0].seq);
  const reapers = new Set(pic.namespaces.map((n) => n.childReaper));
  const newIds = (kind: string): Set<number | undefined> => new Set(changes.list.filter((c) => c.kind === kind).map((c) => c.pid));
  const newPgrps = newIds('pgrp-new');
  const newSessions = newIds('session-new');
  return all.map(([t, from]) => {
    const g = from.groups.get(t.group);
    const leader = g === undefined ? undefined : from.tasks.get(g.leader);
    const parent = t.parent === null ? undefined : (from.tasks.get(t.parent) ?? before?.tasks.get(t.parent));
    const tg = tgidPid(from, t);
    const moved = changes.movedFrom.get(t.seq);
    const movedTask = moved === undefined ? undefined : (before?.tasks.get(moved) ?? pic.tasks.get(moved));
    return {
      seq: t.seq,
      comm: t.comm,
      label: taskLabel(t),
      ns: from.ns.get(t.ns)?.name ?? '?',
      pid: nrIn(from, t.pid, viewNs.serial),
      tgid: tg === null ? null : nrIn(from, tg, viewNs.serial),
      pgid: g === undefined ? 0 : (nrIn(from, g.pgrp, viewNs.serial) ?? 0),
      sid: g === undefined ? 0 : (nrIn(from, g.session, viewNs.serial) ?? 0),
      pgrpNew: g !== undefined && newPgrps.has(g.pgrp),
      sidNew: g !== undefined && newSessions.has(g.session),
      ppid: parent === undefined ? 0 : (nrIn(from, parent.pid, viewNs.serial) ?? 0),
      parent: t.parent,
      parentLabel: parent === undefined ? null : taskLabel(parent),
      state: going.has(t.seq) ? 'released' : t.state,
      isLeader: g?.leader === t.seq,
      leaderLabel: leader === undefined ? '?' : taskLabel(leader),
      changes: [...(changes.byTask.get(t.seq) ?? [])],
      going: going.has(t.seq),
      movedFrom: movedTask === undefined ? null : taskLabel(movedTask),
      wasParent: moved ?? null,
      isInit: reapers.has(t.seq),
    };
  });
}

function bySeq(tasks: readonly TaskView[]): Map<number, TaskView> {
  return new Map(tasks.map((t) => [t.seq, t]));
}

function nsBoxes(pic: Picture, before: Picture | null, changes: StepChanges, tasks: readonly TaskView[], chosen: NsInfo): NsBox[] {
  const views = bySeq(tasks);
  const home = new Map<number, TaskView[]>();
  const place = (t: TaskInfo): void => {
    const v = views.get(t.seq);
    if (v !== undefined) (home.get(t.ns) ?? home.set(t.ns, []).get(t.ns)!).push(v);
  };
  for (const t of pic.tasks.values()) place(t);
  for (const t of changes.going) place(t);
  const newNs = new Set(changes.list.filter((c) => c.kind === 'ns-new').map((c) => c.ns));
  const box = (n: NsInfo): NsBox => {
    const reaper = n.childReaper === null ? undefined : (pic.tasks.get(n.childReaper) ?? before?.tasks.get(n.childReaper));
    const reaperNr = reaper === undefined ? null : nrIn(pic.pids.has(reaper.pid) ? pic : (before ?? pic), reaper.pid, n.serial);
    return {
      name: n.name,
      serial: n.serial,
      level: n.level,
      pidMax: n.pidMax,
      cursor: n.cursor,
      used: n.used,
      init: reaper === undefined ? null : `${reaper.comm} (${reaperNr ?? '?'})`,
      initGone: reaper === undefined || !pic.tasks.has(reaper.seq) || pic.tasks.get(reaper.seq)?.state === 'zombie',
      adding: n.adding,
      chosen: n.serial === chosen.serial,
      visible: isWithin(pic, n.serial, chosen.serial),
      isNew: newNs.has(n.serial),
      tasks: (home.get(n.serial) ?? []).sort((a, b) => a.seq - b.seq),
      children: n.children.map((c) => pic.ns.get(c)).filter((c): c is NsInfo => c !== undefined).map(box),
    };
  };
  // The scenario's host (level 0) holds no scenario task: start below it.
  const roots = pic.namespaces.filter((n) => n.shown && (n.parent === null || pic.ns.get(n.parent)?.shown !== true));
  return roots.map(box);
}

/** The process tree as `pstree` run in the chosen namespace draws it: only tasks with a number there. */
function tree(tasks: readonly TaskView[]): TreeNode[] {
  const seen = tasks.filter((t) => t.pid !== null);
  const kids = new Map<number, TaskView[]>();
  const visible = new Set(seen.map((t) => t.seq));
  for (const t of seen) if (t.parent !== null && visible.has(t.parent)) (kids.get(t.parent) ?? kids.set(t.parent, []).get(t.parent)!).push(t);
  const node = (t: TaskView): TreeNode => ({ task: t, children: (kids.get(t.seq) ?? []).map(node) });
  return seen.filter((t) => t.parent === null || !visible.has(t.parent)).map(node);
}

export function buildView(kernel: Kernel, pic: Picture, before: Picture | null, changes: StepChanges, viewNs: string, statusOf: number | null): View {
  const shown = shownNamespaces(pic);
  const chosen = nsByName(pic, viewNs) ?? shown[0] ?? pic.namespaces[0]!;
  const tasks = taskViews(pic, before, changes, chosen);

  const ns = kernel.namespaces.find((n) => n.name === chosen.name) ?? kernel.rootNs;
  const proc = procfs(kernel, ns);
  const rows = proc.readdir();
  const statusChoices = rows.map((r) => [r.taskSeq, `${r.pid} ${r.name}`] as const);
  const pick = statusOf !== null && rows.some((r) => r.taskSeq === statusOf) ? statusOf : (rows[0]?.taskSeq ?? null);
  const task = pick === null ? undefined : kernel.liveTasks().find((t) => t.seq === pick);
  const status = task === undefined ? null : proc.status(task);

  return {
    nsNames: shown.map((n) => n.name),
    viewNs: chosen.name,
    namespaces: nsBoxes(pic, before, changes, tasks, chosen),
    tasks,
    tree: tree(tasks),
    ps: psLines(rows),
    statusChoices,
    statusOf: pick,
    status: status === null ? null : statusLines(status),
  };
}
