// What one step changed: the picture before it against the picture after.
// Tasks that the step released are kept (from the picture before) so that the
// page can draw them once more, marked as going. No DOM here.

import type { Picture, TaskInfo } from './picture.js';

export type ChangeKind =
  | 'new'
  | 'exited'
  | 'killed'
  | 'superseded'
  | 'pid-changed'
  | 'reaped'
  | 'reparented'
  | 'stopped'
  | 'continued'
  | 'pgrp-new'
  | 'pgrp-empty'
  | 'session-new'
  | 'session-empty'
  | 'ns-new'
  | 'ns-init-gone';

export interface Change {
  readonly kind: ChangeKind;
  /** The task concerned (new, exited, killed, reaped, reparented, stopped, continued). */
  readonly task?: number;
  /** The previous parent, for a reparenting; the exec'ing thread, for a superseded one. */
  readonly from?: number;
  /** The process group's or session's Pid serial. */
  readonly pid?: number;
  /** The namespace's serial. */
  readonly ns?: number;
  /** The signal that killed the task. */
  readonly signal?: number;
}

export interface StepChanges {
  readonly list: readonly Change[];
  /** Kinds by task seq. */
  readonly byTask: ReadonlyMap<number, ReadonlySet<ChangeKind>>;
  /** Released by this step: drawn from the picture before, marked as going. */
  readonly going: readonly TaskInfo[];
  /** Process groups and sessions this step emptied (their Pid serials), drawn from the picture before. */
  readonly emptied: ReadonlySet<number>;
  readonly created: ReadonlySet<number>;
  /** A reparented task's old parent, by task seq. */
  readonly movedFrom: ReadonlyMap<number, number>;
}

export const NO_CHANGES: StepChanges = { list: [], byTask: new Map(), going: [], emptied: new Set(), created: new Set(), movedFrom: new Map() };

/** Process-group (or session) Pid serials with at least one thread group on the task list. */
function idsInUse(pic: Picture, which: 'pgrp' | 'session'): Map<number, number> {
  const out = new Map<number, number>();
  for (const t of pic.tasks.values()) {
    const g = pic.groups.get(t.group);
    if (g === undefined || g.leader !== t.seq) continue;
    out.set(g[which], (out.get(g[which]) ?? 0) + 1);
  }
  return out;
}

const signalOf = (status: number): number => status & 0x7f;

/** How tasks ended, from the kernel's event stream (a picture no longer has a task its step also released). */
export interface Fates {
  /** The status word of each `exited` event. */
  readonly status: ReadonlyMap<number, number>;
  /** A thread ended by another thread's execve (de_thread), and that thread. */
  readonly supersededBy: ReadonlyMap<number, number>;
}

const NO_FATES: Fates = { status: new Map(), supersededBy: new Map() };

export function diff(before: Picture | null, after: Picture, fates: Fates = NO_FATES): StepChanges {
  if (before === null) return NO_CHANGES;
  const list: Change[] = [];
  const going: TaskInfo[] = [];
  const movedFrom = new Map<number, number>();
  const ended = (t: TaskInfo): void => {
    const by = fates.supersededBy.get(t.seq);
    const sig = signalOf(fates.status.get(t.seq) ?? t.exitCode);
    if (by !== undefined) list.push({ kind: 'superseded', task: t.seq, from: by });
    else list.push(sig !== 0 ? { kind: 'killed', task: t.seq, signal: sig } : { kind: 'exited', task: t.seq });
  };
  for (const n of after.namespaces) {
    const old = before.ns.get(n.serial);
    if (old === undefined) list.push({ kind: 'ns-new', ns: n.serial });
    else if (old.adding && !n.adding) list.push({ kind: 'ns-init-gone', ns: n.serial });
  }
  for (const t of after.tasks.values()) {
    const was = before.tasks.get(t.seq);
    if (was === undefined) {
      list.push({ kind: 'new', task: t.seq });
      continue;
    }
    if ((t.state === 'zombie' || t.state === 'exiting') && was.state !== 'zombie' && was.state !== 'exiting') ended(t);
    // de_thread(): a non-leader thread's execve takes the leader's Pid (exchange_tids).
    if (t.pid !== was.pid) list.push({ kind: 'pid-changed', task: t.seq, pid: was.pid });
    if (was.parent !== null && t.parent !== was.parent) {
      list.push({ kind: 'reparented', task: t.seq, from: was.parent });
      movedFrom.set(t.seq, was.parent);
    }
    if (t.state === 'stopped' && was.state !== 'stopped') list.push({ kind: 'stopped', task: t.seq });
    if (was.state === 'stopped' && t.state !== 'stopped' && t.state !== 'zombie' && t.state !== 'exiting') list.push({ kind: 'continued', task: t.seq });
  }
  for (const was of before.tasks.values()) {
    if (after.tasks.has(was.seq)) continue;
    // Ended and released in one step (an init reaping in zap_pid_ns_processes, SIGCHLD ignored): both.
    if (was.state !== 'zombie' && was.state !== 'exiting') ended(was);
    list.push({ kind: 'reaped', task: was.seq });
    going.push(was);
  }
  const emptied = new Set<number>();
  const created = new Set<number>();
  for (const which of ['pgrp', 'session'] as const) {
    const now = idsInUse(after, which);
    const then = idsInUse(before, which);
    for (const id of now.keys())
      if (!then.has(id)) {
        list.push({ kind: which === 'pgrp' ? 'pgrp-new' : 'session-new', pid: id });
        created.add(id);
      }
    for (const id of then.keys())
      if (!now.has(id)) {
        list.push({ kind: which === 'pgrp' ? 'pgrp-empty' : 'session-empty', pid: id });
        emptied.add(id);
      }
  }
  const byTask = new Map<number, Set<ChangeKind>>();
  for (const c of list) if (c.task !== undefined) (byTask.get(c.task) ?? byTask.set(c.task, new Set()).get(c.task)!).add(c.kind);
  return { list, byTask, going, emptied, created, movedFrom };
}
