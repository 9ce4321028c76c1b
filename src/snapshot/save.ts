// Saving the whole engine state: toJSON walks every object reachable from the
// kernel and writes it as plain data (schema.ts), named by serials and task
// sequence numbers. Event listeners are not part of it.

import { isTtyRequest } from '../kernel/n_tty.js';
import type { FdTable } from '../kernel/fd_table.js';
import type { Kernel } from '../kernel/kernel.js';
import type { Pid } from '../kernel/pid.js';
import type { PidNamespace } from '../kernel/pid_namespace.js';
import type { SigHand } from '../kernel/sighand.js';
import type { SigInfo } from '../kernel/signal_types.js';
import type { Task } from '../kernel/task.js';
import type { ThreadGroup } from '../kernel/thread_group.js';
import type { UserNamespace } from '../kernel/user_namespace.js';
import { SNAPSHOT_FORMAT, SNAPSHOT_VERSION } from './schema.js';
import type { KernelJson, SigInfoJson, SigWaitJson, TaskJson, TtyWaitJson, WaitJson } from './schema.js';
import { TtySaver } from './save_tty.js';
import type { BlockedCall } from '../kernel/wait_types.js';

const infoJson = (i: SigInfo): SigInfoJson => (i.value === undefined ? [i.signo, i.code, i.pid, i.status] : [i.signo, i.code, i.pid, i.status, i.value]);
const hex = (s: bigint): string => s.toString(16);

function blockedJson(b: BlockedCall, ttys: TtySaver): WaitJson | SigWaitJson | TtyWaitJson {
  if (isTtyRequest(b)) return ttys.blocked(b);
  switch (b.syscall) {
    case 'wait4':
    case 'waitid':
      return { syscall: b.syscall, target: b.target.kind === 'all' ? 'all' : [b.target.kind, b.target.pid.serial], options: b.options };
    case 'rt_sigtimedwait':
      return { syscall: b.syscall, set: hex(b.set) };
    case 'read':
      return { syscall: b.syscall, fd: b.fd };
    default:
      return { syscall: b.syscall };
  }
}

/** The v3 signal keys of a task, each only when it is not the default. */
function taskSignals(t: Task): Partial<TaskJson> {
  const out: { -readonly [K in keyof TaskJson]?: TaskJson[K] } = {};
  if (t.sigBlocked !== 0n) out.sigBlocked = hex(t.sigBlocked);
  if (t.realBlocked !== 0n) out.realBlocked = hex(t.realBlocked);
  if (t.savedMask !== null) out.savedMask = hex(t.savedMask);
  const frames = t.handlersDueIfAny;
  if (frames !== null && frames.length > 0) out.frames = frames.map((f) => [infoJson(f.info), hex(f.saved)] as const);
  if (t.pdeathSignal !== 0) out.pdeathSignal = t.pdeathSignal;
  return out;
}

/** Everything reachable from the kernel, each kind by its serial (tasks by seq), in ascending order. */
function collect(k: Kernel, ttys: TtySaver): {
  users: UserNamespace[];
  pids: Pid[];
  groups: ThreadGroup[];
  tasks: Task[];
  sighands: SigHand[];
  files: FdTable[];
} {
  const users = new Set<UserNamespace>();
  const pids = new Set<Pid>();
  const groups = new Set<ThreadGroup>();
  const tasks = new Set<Task>();
  const todo: Task[] = [];
  const addUser = (u: UserNamespace): void => {
    for (let x: UserNamespace | null = u; x !== null && !users.has(x); x = x.parent) users.add(x);
  };
  const addTask = (t: Task | null): void => {
    if (t === null || tasks.has(t)) return;
    tasks.add(t);
    todo.push(t);
  };
  const addPid = (p: Pid): void => {
    if (pids.has(p)) return;
    pids.add(p);
    addTask(p.task);
    if (p.tgidOf !== null) addGroup(p.tgidOf);
    for (const g of p.pgrpMembers) addGroup(g);
    for (const g of p.sessionMembers) addGroup(g);
  };
  const addGroup = (g: ThreadGroup): void => {
    if (groups.has(g)) return;
    groups.add(g);
    addTask(g.leader);
    addTask(g.currTarget);
    for (const t of g.threads) addTask(t);
    addPid(g.pgrp);
    addPid(g.session);
    for (const [, f] of g.filesRef?.entries() ?? []) if (f.kind === undefined || f.kind === 'pidfd') addPid(f.pid);
  };
  const allNs = k.host === null ? k.namespaces : [k.host, ...k.namespaces];
  for (const ns of allNs) {
    addUser(ns.userNs);
    addTask(ns.childReaper);
    for (const [, p] of ns.idr.ascending()) addPid(p);
  }
  addTask(k.init);
  for (const p of ttys.pids()) addPid(p);
  for (const t of k.liveTasks()) addTask(t);
  for (const t of k.blockedWaiters) addTask(t);
  for (const t of k.sigPending) addTask(t);
  for (const t of k.zapWaiting) addTask(t);
  for (const e of k.exitQueue.entries()) addTask(e.task);
  while (todo.length > 0) {
    const t = todo.pop()!;
    addPid(t.pid);
    addGroup(t.group);
    addTask(t.parent);
    for (const c of t.children) addTask(c);
    addUser(t.cred.userNs);
    const b = t.blocked;
    if (b !== null && (b.syscall === 'wait4' || b.syscall === 'waitid') && b.target.kind !== 'all') addPid(b.target.pid);
  }
  const bySerial = <T extends { serial: number }>(xs: Iterable<T>): T[] => [...xs].sort((a, b) => a.serial - b.serial);
  const gs = bySerial(groups);
  return {
    users: bySerial(users),
    pids: bySerial(pids),
    groups: gs,
    tasks: [...tasks].sort((a, b) => a.seq - b.seq),
    sighands: bySerial(new Set(gs.flatMap((g) => (g.sighandRef === null ? [] : [g.sighandRef])))),
    files: bySerial(new Set(gs.flatMap((g) => (g.filesRef === null ? [] : [g.filesRef])))),
  };
}


/** The whole engine state as plain, versioned JSON data (docs/snapshot.md). Event listeners are not part of it. */
export function toJSON(k: Kernel): KernelJson {
  const all = k.host === null ? k.namespaces : [k.host, ...k.namespaces];
  const known = new Set<PidNamespace>(all);
  const nsRef = (ns: PidNamespace): number => {
    if (!known.has(ns)) throw new Error(`toJSON: namespace ${ns.name} is not registered with the kernel`);
    return ns.serial;
  };
  const omitted = k.omitted;
  const ttys = new TtySaver(k);
  const c = collect(k, ttys);
  // Tables and tasks first: they give the open files their indexes, which the terminal keys list last.
  const fdTables = c.files.map((f) => ({
    serial: f.serial,
    files: f
      .entries()
      .map(([fd, x]) => (x.kind === 'signalfd' ? ([fd, 'signalfd', hex(x.mask), x.nonblock, x.cloexec] as const) : x.kind === 'pty' ? ([fd, 'pty', ttys.file(x)] as const) : ([fd, x.pid.serial, x.thread, x.nonblock] as const))),
  }));
  const tasks = c.tasks.map((t) => taskJson(t, nsRef, ttys));
  return {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    mode: k.host === null ? 'plain' : 'scenario',
    ...(omitted.length > 0 ? { omitted: [...omitted] } : {}),
    counters: k.counters(),
    init: k.init.seq,
    userNamespaces: c.users.map((u) => ({ serial: u.serial, parent: u.parent?.serial ?? null, owner: u.owner })),
    pidNamespaces: all.map((ns) => ({
      serial: ns.serial,
      name: ns.name,
      parent: ns.parent === null ? null : nsRef(ns.parent),
      userNs: ns.userNs.serial,
      pidMax: ns.pidMax,
      cursor: ns.idr.cursor,
      adding: ns.adding,
      childReaper: ns.childReaper?.seq ?? null,
      ...(ns.reboot !== 0 ? { reboot: ns.reboot } : {}),
    })),
    pids: c.pids.map((p) => ({
      serial: p.serial,
      numbers: p.numbers.map((u) => [nsRef(u.ns), u.nr] as const),
      hashed: p.hashed,
      task: p.task?.seq ?? null,
      tgidOf: p.tgidOf?.serial ?? null,
      pgrp: [...p.pgrpMembers].map((g) => g.serial),
      session: [...p.sessionMembers].map((g) => g.serial),
    })),
    sigHands: c.sighands.map((h) => ({
      serial: h.serial,
      actions: h.actionEntries().map(([sig, a]) => (a.flags === 0 && a.mask === 0n ? ([sig, a.handler] as const) : ([sig, a.handler, a.flags, hex(a.mask)] as const))),
    })),
    fdTables,
    threadGroups: c.groups.map((g) => ({
      serial: g.serial,
      leader: g.leader.seq,
      threads: g.threads.toArray().map((t) => t.seq),
      pgrp: g.pgrp.serial,
      session: g.session.serial,
      sighand: g.sighandRef?.serial ?? null,
      files: g.filesRef?.serial ?? null,
      live: g.live,
      groupExit: g.groupExit,
      groupExitCode: g.groupExitCode,
      stopped: g.stopped,
      stopCode: g.stopCode,
      continuedPending: g.continuedPending,
      isChildSubreaper: g.isChildSubreaper,
      hasChildSubreaper: g.hasChildSubreaper,
      unkillable: g.unkillable,
      currTarget: g.currTarget.seq,
      sharedPending: (g.sharedPendingIfAny ?? []).map(infoJson),
      execId: g.execId,
      dumpable: g.dumpable,
      ...ttys.group(g),
    })),
    ...ttys.top(),
    tasks,
    queues: {
      blockedWaiters: [...k.blockedWaiters].map((t) => t.seq),
      handlersDue: [...k.sigPending].map((t) => t.seq),
      zapWaiting: [...k.zapWaiting].map((t) => t.seq),
      exitQueue: k.exitQueue.entries().map((e) => [e.task.seq, e.code] as const),
    },
  };
}

function taskJson(t: Task, nsRef: (ns: PidNamespace) => number, ttys: TtySaver): TaskJson {
  const c = t.cred;
  return {
    seq: t.seq,
    comm: t.comm,
    pid: t.pid.serial,
    group: t.group.serial,
    parent: t.parent?.seq ?? null,
    children: [...t.children].map((x) => x.seq),
    exitState: t.exitState,
    exitCode: t.exitCode,
    exitSignal: t.exitSignal,
    nsForChildren: nsRef(t.nsForChildren),
    cred: { uid: c.uid, euid: c.euid, suid: c.suid, userNs: c.userNs.serial, caps: c.caps, ...(c.keptCaps === true ? { keptCaps: true } : {}) },
    blocked: t.blocked === null ? null : blockedJson(t.blocked, ttys),
    stopped: t.stopped,
    parentExecId: t.parentExecId,
    pending: (t.pendingIfAny ?? []).map(infoJson),
    handlersDue: [],
    woken: t.woken,
    zapInitPids: t.zapInitPids,
    ...taskSignals(t),
  };
}
