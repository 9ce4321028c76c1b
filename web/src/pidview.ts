// The selected task's `struct pid` as plain data (include/linux/pid.h): its
// level and numbers[0..level], one upid {nr, ns} per level; and the four
// links a task has (task->thread_pid for PID, signal->pids[] for TGID, PGID
// and SID), each naming the Pid it points at, so a process group whose
// leader is gone shows its Pid still held. Also the sentences that say what
// a step changed. No DOM here.

import { signalName } from '../../src/index.js';
import type { Change } from './changes.js';
import { nrIn, taskLabel, tgidPid, type NsInfo, type Picture, type PidInfo, type TaskInfo } from './picture.js';

export interface CellView {
  readonly index: number;
  readonly nr: number;
  readonly ns: string;
  /** The scenario's host namespace (outside the scenario). */
  readonly host: boolean;
  readonly chosen: boolean;
}

export interface PidDrawing {
  readonly serial: number;
  readonly level: number;
  readonly cells: readonly CellView[];
  /** Its number seen from the chosen namespace, null when it has none there. */
  readonly seen: number | null;
  /** Who uses it, in words. */
  readonly users: string;
  /** Its own task is gone (or a zombie) while a group still holds it. */
  readonly held: boolean;
}

export type LinkType = 'PID' | 'TGID' | 'PGID' | 'SID';

export interface LinkView {
  readonly type: LinkType;
  /** The kernel field the link is. */
  readonly field: string;
  /** The same Pid as the task's own PID. */
  readonly own: boolean;
  readonly pid: PidDrawing | null;
}

export interface StructPidView {
  readonly task: string;
  readonly seq: number;
  readonly main: PidDrawing;
  readonly links: readonly LinkView[];
}

function users(pic: Picture, p: PidInfo): { text: string; held: boolean } {
  const own = p.task === null ? undefined : pic.tasks.get(p.task);
  const parts: string[] = [];
  if (own !== undefined) parts.push(`PID of ${taskLabel(own)}${own.state === 'zombie' ? ' (a zombie)' : ''}`);
  const live = (serials: readonly number[]): number => serials.filter((g) => [...pic.tasks.values()].some((t) => t.group === g)).length;
  const inPgrp = live(p.pgrp);
  const inSession = live(p.session);
  if (inPgrp > 0) parts.push(`process group of ${inPgrp} process${inPgrp === 1 ? '' : 'es'}`);
  if (inSession > 0) parts.push(`session of ${inSession} process${inSession === 1 ? '' : 'es'}`);
  const held = (own === undefined || own.state === 'zombie') && inPgrp + inSession > 0;
  if (own === undefined) parts.push(held ? 'its own task is gone: the group holds the Pid and its numbers' : 'no task');
  return { text: parts.join('; '), held };
}

export function pidDrawing(pic: Picture, serial: number, chosen: NsInfo): PidDrawing | null {
  const p = pic.pids.get(serial);
  if (p === undefined) return null;
  const u = users(pic, p);
  return {
    serial,
    level: p.level,
    cells: p.numbers.map((n, i) => {
      const ns = pic.ns.get(n.ns);
      return { index: i, nr: n.nr, ns: ns?.name ?? '?', host: ns?.shown === false, chosen: n.ns === chosen.serial };
    }),
    seen: nrIn(pic, serial, chosen.serial),
    users: u.text,
    held: u.held,
  };
}

export function structPid(pic: Picture, t: TaskInfo, chosen: NsInfo): StructPidView | null {
  const main = pidDrawing(pic, t.pid, chosen);
  if (main === null) return null;
  const g = pic.groups.get(t.group);
  const link = (type: LinkType, field: string, serial: number | null): LinkView => ({
    type,
    field,
    own: serial === t.pid,
    pid: serial === null ? null : pidDrawing(pic, serial, chosen),
  });
  return {
    task: taskLabel(t),
    seq: t.seq,
    main,
    links: [
      link('PID', 'task->thread_pid', t.pid),
      link('TGID', 'signal->pids[PIDTYPE_TGID]', tgidPid(pic, t)),
      link('PGID', 'signal->pids[PIDTYPE_PGID]', g?.pgrp ?? null),
      link('SID', 'signal->pids[PIDTYPE_SID]', g?.session ?? null),
    ],
  };
}

/** A Pid's number seen from the chosen namespace, or where it lives when it has none there. */
function idText(pic: Picture, serial: number, chosen: NsInfo): string {
  const nr = nrIn(pic, serial, chosen.serial);
  if (nr !== null) return String(nr);
  const p = pic.pids.get(serial);
  const last = p?.numbers.at(-1);
  return last === undefined ? `Pid #${serial}` : `${last.nr} in ${pic.ns.get(last.ns)?.name ?? '?'} (none in ${chosen.name})`;
}

/** One change in words; `before` names what the step removed. */
export function describe(c: Change, pic: Picture, before: Picture | null, chosen: NsInfo): string {
  const task = c.task === undefined ? undefined : (pic.tasks.get(c.task) ?? before?.tasks.get(c.task));
  const name = task === undefined ? `#${c.task ?? '?'}` : taskLabel(task);
  const from = (serial: number): Picture => (pic.pids.has(serial) ? pic : (before ?? pic));
  const pidOf = (t: TaskInfo): string => idText(from(t.pid), t.pid, chosen);
  const group = (): string => {
    if (c.pid === undefined) return '?';
    const src = from(c.pid);
    const owner = src.pids.get(c.pid)?.task;
    const leader = owner === null || owner === undefined ? undefined : (src.tasks.get(owner) ?? before?.tasks.get(owner));
    return `${idText(src, c.pid, chosen)}${leader === undefined ? '' : ` (${taskLabel(leader)}'s Pid)`}`;
  };
  const nsName = c.ns === undefined ? '?' : (pic.ns.get(c.ns)?.name ?? '?');
  switch (c.kind) {
    case 'new':
      return `${name} is new: pid ${task === undefined ? '?' : pidOf(task)}`;
    case 'exited':
      return `${name} exited${task !== undefined && task.exitCode >> 8 !== 0 ? ` with status ${(task.exitCode >> 8) & 0xff}` : ''}`;
    case 'killed':
      return `${name} was killed by ${signalName(c.signal ?? 0)}`;
    case 'superseded': {
      const by = c.from === undefined ? undefined : (pic.tasks.get(c.from) ?? before?.tasks.get(c.from));
      return `${name} ended: superseded by ${by === undefined ? '?' : taskLabel(by)}'s execve`;
    }
    case 'pid-changed':
      return `${name} took its leader's PID: now pid ${task === undefined ? '?' : pidOf(task)} (was ${c.pid === undefined ? '?' : idText(from(c.pid), c.pid, chosen)})`;
    case 'reaped':
      return `${name} was reaped: released, its PID link detached`;
    case 'reparented': {
      const old = c.from === undefined ? undefined : (before?.tasks.get(c.from) ?? pic.tasks.get(c.from));
      const now = task?.parent === null || task?.parent === undefined ? undefined : pic.tasks.get(task.parent);
      return `${name} was reparented from ${old === undefined ? '?' : taskLabel(old)} to ${now === undefined ? '?' : taskLabel(now)}`;
    }
    case 'stopped':
      return `${name} stopped`;
    case 'continued':
      return `${name} continued`;
    case 'pgrp-new':
      return `process group ${group()} created`;
    case 'pgrp-empty':
      return `process group ${group()} emptied`;
    case 'session-new':
      return `session ${group()} created`;
    case 'session-empty':
      return `session ${group()} emptied`;
    case 'ns-new':
      return `${nsName} created (level ${c.ns === undefined ? '?' : (pic.ns.get(c.ns)?.level ?? '?')})`;
    case 'ns-init-gone':
      return `${nsName}'s init is gone: it takes no new task (fork there fails with ENOMEM)`;
  }
}
