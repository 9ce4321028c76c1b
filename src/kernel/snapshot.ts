// A deterministic, plain-data picture of the whole model: what tests compare
// around a failing call, and what tools may save and show. Objects are named
// by their creation serials, never by identity.

import type { Kernel } from './kernel.js';
import type { Pid } from './pid.js';
import type { SigInfo } from './signal_types.js';
import type { Task } from './task.js';
import type { BlockedCall } from './wait_types.js';

function blockedText(b: BlockedCall): string {
  switch (b.syscall) {
    case 'wait4':
    case 'waitid':
      return JSON.stringify({ s: b.syscall, o: b.options, k: b.target.kind });
    case 'rt_sigtimedwait':
      return `${b.syscall} ${b.set.toString(16)}`;
    case 'read':
      return 'fd' in b ? `read ${b.fd}` : `tty read ${b.tty.index}`;
    default:
      return b.syscall;
  }
}

export interface Snapshot {
  readonly namespaces: readonly NsSnapshot[];
  readonly tasks: readonly TaskSnapshot[];
  /** The kernel's work lists, by task seq in list order (exitQueue: `seq:code`). */
  readonly queues: {
    readonly blockedWaiters: readonly number[];
    readonly sigPending: readonly number[];
    readonly zapWaiting: readonly number[];
    readonly exitQueue: readonly string[];
  };
  /** The next task seq, object serial and user-namespace serial (see withoutCounters). */
  readonly counters: { readonly taskSeq: number; readonly serials: number; readonly userNsSerial: number };
  /** Terminals (kernel/tty.ts), when any was opened: each pty's state, then each group's terminal and old pgrp. */
  readonly ttys?: readonly string[];
}

export interface NsSnapshot {
  readonly name: string;
  readonly level: number;
  readonly parent: string | null;
  readonly pidMax: number;
  readonly cursor: number;
  readonly pidAllocated: number;
  readonly adding: boolean;
  readonly childReaper: number | null;
  readonly userNs: number;
  /** Allocated numbers and the Pid serial each maps to. */
  readonly numbers: readonly (readonly [number, number])[];
}

export interface TaskSnapshot {
  readonly seq: number;
  readonly comm: string;
  readonly pid: readonly number[];
  readonly pidSerial: number;
  readonly leader: number;
  readonly threads: readonly number[];
  readonly parent: number | null;
  readonly children: readonly number[];
  readonly exitState: string;
  readonly exitCode: number;
  readonly exitSignal: number;
  readonly nsForChildren: string;
  readonly pgrp: number;
  readonly session: number;
  readonly cred: string;
  readonly blocked: string | null;
  readonly stopped: boolean;
  readonly group: string;
  readonly sighand: string;
  readonly files: string;
  /** Per-thread signal state: blocked and real_blocked masks, saved mask, pending siginfo, frames, pdeath_signal, woken. */
  readonly signals: string;
  readonly zapInitPids: number;
  readonly parentExecId: number;
}

/**
 * The snapshot without its counters. A failed clone or unshare may have used
 * up task seqs and serials (the model numbers objects before alloc_pid can
 * fail): they are not state Linux shows. Linux frees what a failed
 * copy_process allocated (task_struct, pid_namespace, its inode number back
 * to the ida) and nothing a process can read says the call was made; the
 * one exception the model has, alloc_pid's cursors, is handled apart.
 */
export function withoutCounters(s: Snapshot): Omit<Snapshot, 'counters'> {
  return { namespaces: s.namespaces, tasks: s.tasks, queues: s.queues, ...(s.ttys === undefined ? {} : { ttys: s.ttys }) };
}

const infoText = (i: SigInfo): string => `${i.signo}/${i.code}/${i.pid}/${i.status}/${i.value ?? ''}`;

const pidText = (p: Pid): readonly number[] => p.numbers.map((u) => u.nr);

function taskSnapshot(t: Task): TaskSnapshot {
  const g = t.group;
  const c = t.cred;
  return {
    seq: t.seq,
    comm: t.comm,
    pid: pidText(t.pid),
    pidSerial: t.pid.serial,
    leader: g.leader.seq,
    threads: g.threads.toArray().map((x) => x.seq),
    parent: t.parent?.seq ?? null,
    children: [...t.children].map((x) => x.seq),
    exitState: t.exitState,
    exitCode: t.exitCode,
    exitSignal: t.exitSignal,
    nsForChildren: t.nsForChildren.name,
    pgrp: g.pgrp.serial,
    session: g.session.serial,
    cred: `${c.uid}/${c.euid}/${c.suid} userns${c.userNs.serial} caps=${c.caps}`,
    blocked: t.blocked === null ? null : blockedText(t.blocked),
    stopped: t.stopped,
    group: JSON.stringify({
      live: g.live,
      groupExit: g.groupExit,
      code: g.groupExitCode,
      stopped: g.stopped,
      stopCode: g.stopCode,
      cont: g.continuedPending,
      sub: g.isChildSubreaper,
      hasSub: g.hasChildSubreaper,
      unkillable: g.unkillable,
      execId: g.execId,
      dumpable: g.dumpable,
      pending: (g.sharedPendingIfAny ?? []).map(infoText),
      currTarget: g.currTarget.seq,
    }),
    sighand: g.sighandRef === null ? 'default' : `${g.sighandRef.serial}:${g.sighandRef.actionEntries().map(([sig, a]) => `${sig}=${a.handler}/${a.flags}/${a.mask.toString(16)}`).join(',')}`,
    files:
      g.filesRef === null
        ? 'none'
        : `${g.filesRef.serial}:${JSON.stringify(g.filesRef.entries().map(([fd, f]) => (f.kind === 'signalfd' ? [fd, 'signalfd', f.mask.toString(16), f.nonblock, f.cloexec] : f.kind === 'pty' ? [fd, f.master ? 'ptmx' : 'pts', f.tty.index, f.readable, f.writable, f.hungUp] : [fd, f.pid.serial, f.thread, f.nonblock])))}`,
    signals: `${t.sigBlocked.toString(16)} ${t.realBlocked.toString(16)} ${t.savedMask?.toString(16) ?? '-'} [${(t.pendingIfAny ?? []).map(infoText).join(',')}] [${(t.handlersDueIfAny ?? []).map((f) => `${infoText(f.info)}:${f.saved.toString(16)}`).join(',')}] ${t.pdeathSignal} ${t.woken}`,
    zapInitPids: t.zapInitPids,
    parentExecId: t.parentExecId,
  };
}

export function snapshot(k: Kernel): Snapshot {
  const all = k.host === null ? k.namespaces : [k.host, ...k.namespaces];
  return {
    namespaces: all.map((ns) => ({
      name: ns.name,
      level: ns.level,
      parent: ns.parent?.name ?? null,
      pidMax: ns.pidMax,
      cursor: ns.idr.cursor,
      pidAllocated: ns.pidAllocated,
      adding: ns.adding,
      childReaper: ns.childReaper?.seq ?? null,
      userNs: ns.userNs.serial,
      numbers: [...ns.idr.ascending()].map(([nr, p]) => [nr, p.serial] as const),
    })),
    tasks: k.liveTasks().map(taskSnapshot),
    queues: {
      blockedWaiters: [...k.blockedWaiters].map((t) => t.seq),
      sigPending: [...k.sigPending].map((t) => t.seq),
      zapWaiting: [...k.zapWaiting].map((t) => t.seq),
      exitQueue: k.exitQueue.entries().map((e) => `${e.task.seq}:${e.code}`),
    },
    counters: k.counters(),
    ...(k.ttys === null ? {} : { ttys: ttysSnapshot(k) }),
  };
}

function ttysSnapshot(k: Kernel): string[] {
  const s = k.ttys!;
  const out = s.ttys.map((t) => `pts/${t.index} session ${t.session?.serial ?? '-'} pgrp ${t.pgrp?.serial ?? '-'} tostop ${t.tostop} lines [${t.lines.join(',')}] partial ${t.partial} hungUp ${t.hungUp}`);
  for (const [g, t] of s.ctty) out.push(`group ${g.serial} ctty pts/${t.index}`);
  for (const [g, p] of s.oldPgrp) out.push(`group ${g.serial} oldPgrp ${p.serial}`);
  return out;
}
