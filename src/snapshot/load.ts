// Restoring the whole engine state: fromJSON checks every field and reference
// of a snapshot (schema.ts), builds fresh objects, runs the invariant checker,
// and only then hands the new Kernel out. A failure is data (a path and a
// reason), never half a kernel.

import type { Cred } from '../kernel/cred.js';
import { installPid } from '../kernel/alloc_pid.js';
import { FdTable } from '../kernel/fd_table.js';
import { commError, findViolations } from '../kernel/invariants.js';
import { Kernel } from '../kernel/kernel.js';
import type { KernelParts } from '../kernel/kernel.js';
import { Pid } from '../kernel/pid.js';
import type { UPid } from '../kernel/pid.js';
import { PidNamespace } from '../kernel/pid_namespace.js';
import { SigHand } from '../kernel/sighand.js';
import type { SigInfo, SignalFd } from '../kernel/signal_types.js';
import { UNBLOCKABLE } from '../abi/signal.js';
import type { SigSet } from '../abi/signal.js';
import { Task } from '../kernel/task.js';
import { ThreadGroup } from '../kernel/thread_group.js';
import { UserNamespace } from '../kernel/user_namespace.js';
import type { WaitRequest, WaitTarget } from '../kernel/wait_types.js';
import { READABLE_VERSIONS, SNAPSHOT_FORMAT } from './schema.js';
import { TtyLoader } from './load_tty.js';

/** Why a snapshot was refused: `path` names the field (`tasks[3].parent`), `reason` what is wrong with it. */
export interface SnapshotError {
  readonly path: string;
  readonly reason: string;
}

export type LoadResult = { readonly ok: true; readonly kernel: Kernel } | { readonly ok: false; readonly error: SnapshotError };

export function formatSnapshotError(e: SnapshotError): string {
  return e.path === '' ? e.reason : `${e.path}: ${e.reason}`;
}

class Refused extends Error {
  constructor(readonly detail: SnapshotError) {
    super(formatSnapshotError(detail));
  }
}

const refuse = (path: string, reason: string): never => {
  throw new Refused({ path, reason });
};

type Obj = Readonly<Record<string, unknown>>;

function obj(v: unknown, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) refuse(path, 'expected an object');
  return v as Obj;
}

function arr(v: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(v)) refuse(path, 'expected an array');
  return v as readonly unknown[];
}

function int(v: unknown, path: string, min = -(2 ** 31), max = 2 ** 32): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) return refuse(path, 'expected an integer');
  if (v < min || v > max) refuse(path, `${v} is out of range [${min}, ${max}]`);
  return v;
}

function bool(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') refuse(path, 'expected true or false');
  return v as boolean;
}

function str(v: unknown, path: string): string {
  if (typeof v !== 'string') refuse(path, 'expected a string');
  return v as string;
}

function oneOf<T extends string>(v: unknown, path: string, values: readonly T[]): T {
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) refuse(path, `expected one of ${values.join(', ')}`);
  return v as T;
}

function nullable<T>(v: unknown, read: (x: unknown) => T): T | null {
  return v === null ? null : read(v);
}

/** A table from serial (or seq) to object, refusing duplicates and dangling references. */
class Table<T> {
  private readonly items = new Map<number, T>();
  constructor(private readonly what: string) {}
  add(key: number, value: T, path: string): void {
    if (this.items.has(key)) refuse(path, `duplicate ${this.what} ${key}`);
    this.items.set(key, value);
  }
  get(key: number, path: string): T {
    const v = this.items.get(key);
    if (v === undefined) return refuse(path, `no ${this.what} ${key} in the snapshot`);
    return v;
  }
  values(): IterableIterator<T> {
    return this.items.values();
  }
}

/** A kuid: INVALID_UID ((uid_t)-1) is never held (setuid(-1) is EINVAL), so [0, 2^32 - 2]. */
const uid = (v: unknown, path: string): number => int(v, path, 0, 2 ** 32 - 2);

/** A comm, refused before anything walks it: Linux keeps 15 bytes and a NUL (TASK_COMM_LEN). */
function comm(v: unknown, path: string): string {
  const s = str(v, path);
  const bad = commError(s);
  if (bad !== null) refuse(path, bad);
  return s;
}

function readInfo(v: unknown, path: string): SigInfo {
  const a = arr(v, path);
  if (a.length !== 4 && a.length !== 5) refuse(path, 'expected [signo, code, pid, status] or [signo, code, pid, status, value]');
  // A queued siginfo always has a signal (signal 0 is a permission probe, never queued).
  const info = { signo: int(a[0], `${path}[0]`, 1, 64), code: int(a[1], `${path}[1]`), pid: int(a[2], `${path}[2]`), status: int(a[3], `${path}[3]`) };
  return a.length === 5 ? { ...info, value: int(a[4], `${path}[4]`) } : info;
}

/** A signal set written as hex digits; `mask` sets (what can be blocked) may not hold SIGKILL or SIGSTOP. */
function readSet(v: unknown, path: string, mask: boolean): SigSet {
  if (typeof v !== 'string' || !/^[0-9a-f]{1,16}$/.test(v)) return refuse(path, 'expected a signal set as 1 to 16 lowercase hex digits');
  const set = BigInt(`0x${v}`);
  if (mask && (set & UNBLOCKABLE) !== 0n) refuse(path, 'SIGKILL and SIGSTOP cannot be in a mask');
  return set;
}

/** One entry of each list, its path, and a reader: items are checked in order. */
function each(root: Obj, key: string, f: (o: Obj, path: string) => void): void {
  arr(root[key], key).forEach((v, i) => { f(obj(v, `${key}[${i}]`), `${key}[${i}]`); });
}

/** `omitted`: what the snapshot says it left out, kept so that a save of the loaded kernel says it too. */
function omittedOf(json: unknown): readonly string[] {
  const o = (json as { omitted?: unknown }).omitted;
  if (o === undefined) return [];
  if (!Array.isArray(o) || !o.every((x): x is string => typeof x === 'string')) refuse('omitted', 'expected a list of strings');
  return o as string[];
}

/**
 * Builds a new Kernel from `json` (parsed JSON, unknown shape). Every field is
 * checked, every reference resolved, and the invariant checker runs on the
 * result; any failure returns the first reason found and no kernel.
 */
export function fromJSON(json: unknown): LoadResult {
  try {
    const kernel = build(json);
    kernel.omitted = omittedOf(json);
    const bad = findViolations(kernel);
    if (bad.length > 0) refuse('', `inconsistent state: ${bad.slice(0, 5).join('; ')}${bad.length > 5 ? ` (and ${bad.length - 5} more)` : ''}`);
    return { ok: true, kernel };
  } catch (e) {
    if (e instanceof Refused) return { ok: false, error: e.detail };
    throw e;
  }
}

/** Parses snapshot text (a file's contents); a truncated or non-JSON text is refused like any other error. */
export function parseSnapshot(text: string): LoadResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: { path: '', reason: `not JSON (truncated?): ${(e as Error).message}` } };
  }
  return fromJSON(json);
}

function build(json: unknown): Kernel {
  const root = obj(json, '');
  if (root.format !== SNAPSHOT_FORMAT) refuse('format', `expected "${SNAPSHOT_FORMAT}"`);
  if (!READABLE_VERSIONS.includes(root.version)) refuse('version', `unsupported version ${JSON.stringify(root.version)} (this build reads ${READABLE_VERSIONS.join(' and ')})`);
  const mode = oneOf(root.mode, 'mode', ['scenario', 'plain'] as const);
  const counters = obj(root.counters, 'counters');
  const taskSeq = int(counters.taskSeq, 'counters.taskSeq', 0);
  const serials = int(counters.serials, 'counters.serials', 0);
  const userNsSerial = int(counters.userNsSerial, 'counters.userNsSerial', 0);
  for (const key of ['userNamespaces', 'pidNamespaces', 'pids', 'sigHands', 'fdTables', 'threadGroups', 'tasks']) arr(root[key], key);
  const belowSerials = (n: number, path: string): number => (n < serials ? n : refuse(path, `serial ${n} is not below counters.serials ${serials}`));

  const users = new Table<UserNamespace>('user namespace');
  each(root, 'userNamespaces', (o, p) => {
    const serial = int(o.serial, `${p}.serial`, 0, userNsSerial - 1);
    const parentSerial = nullable(o.parent, (x) => int(x, `${p}.parent`, 0));
    const parent = parentSerial === null ? null : users.get(parentSerial, `${p}.parent`);
    users.add(serial, new UserNamespace(parent, uid(o.owner, `${p}.owner`), serial), `${p}.serial`);
  });
  const rootUsers = [...users.values()].filter((u) => u.parent === null);
  if (rootUsers.length !== 1) refuse('userNamespaces', `expected exactly one initial user namespace, found ${rootUsers.length}`);

  const nss = new Table<PidNamespace>('PID namespace');
  const nsList: PidNamespace[] = [];
  const reapers: [PidNamespace, number, string][] = [];
  each(root, 'pidNamespaces', (o, p) => {
    const serial = belowSerials(int(o.serial, `${p}.serial`, 0), `${p}.serial`);
    const parentSerial = nullable(o.parent, (x) => int(x, `${p}.parent`, 0));
    if ((parentSerial === null) !== (nsList.length === 0)) refuse(`${p}.parent`, nsList.length === 0 ? 'the first namespace must be the root (parent null)' : 'only the first namespace may be a root');
    const parent = parentSerial === null ? null : nss.get(parentSerial, `${p}.parent`);
    const ns = new PidNamespace(parent, users.get(int(o.userNs, `${p}.userNs`), `${p}.userNs`), int(o.pidMax, `${p}.pidMax`, 1, 4194304), str(o.name, `${p}.name`), serial);
    ns.idr.cursor = int(o.cursor, `${p}.cursor`, 0, 4194304);
    ns.adding = bool(o.adding, `${p}.adding`);
    if (o.reboot !== undefined) ns.reboot = int(o.reboot, `${p}.reboot`, 0, 64);
    const reaper = nullable(o.childReaper, (x) => int(x, `${p}.childReaper`, 0));
    if (reaper !== null) reapers.push([ns, reaper, `${p}.childReaper`]);
    nss.add(serial, ns, `${p}.serial`);
    nsList.push(ns);
  });
  if (nsList.length === 0 || (mode === 'scenario' && nsList.length < 2)) refuse('pidNamespaces', mode === 'scenario' ? 'scenario mode needs the host and ns0' : 'no namespace');

  // Objects first, links after: references may point forward.
  const pidRecords: [Pid, Obj, string][] = [];
  const pids = new Table<Pid>('Pid');
  const pidIndex = new Map<Pid, number>();
  each(root, 'pids', (o, p) => {
    const serial = belowSerials(int(o.serial, `${p}.serial`, 0), `${p}.serial`);
    const numbers: UPid[] = arr(o.numbers, `${p}.numbers`).map((x, i) => {
      const q = `${p}.numbers[${i}]`;
      const a = arr(x, q);
      if (a.length !== 2) refuse(q, 'expected [namespace serial, number]');
      const ns = nss.get(int(a[0], `${q}[0]`), `${q}[0]`);
      if (ns.level !== i) refuse(`${q}[0]`, `namespace ${ns.name} is at level ${ns.level}, not ${i}`);
      return { ns, nr: int(a[1], `${q}[1]`, 1, ns.pidMax > 4194304 ? ns.pidMax : 4194304) };
    });
    if (numbers.length === 0) refuse(`${p}.numbers`, 'a Pid has at least one number');
    for (let i = 1; i < numbers.length; i++) if (numbers[i]!.ns.parent !== numbers[i - 1]!.ns) refuse(`${p}.numbers[${i}]`, `${numbers[i]!.ns.name} is not a child of ${numbers[i - 1]!.ns.name}`);
    const pid = new Pid(numbers[numbers.length - 1]!.ns, numbers.map((u) => u.nr), serial);
    pid.hashed = bool(o.hashed, `${p}.hashed`);
    pids.add(serial, pid, `${p}.serial`);
    pidIndex.set(pid, pidRecords.length);
    pidRecords.push([pid, o, p]);
  });

  const ttys = new TtyLoader({ refuse, obj, arr, int, bool, pid: (serial, path) => pids.get(serial, path) }, root);
  const sighands = new Table<SigHand>('sighand');
  each(root, 'sigHands', (o, p) => {
    const serial = belowSerials(int(o.serial, `${p}.serial`, 0), `${p}.serial`);
    const h = new SigHand(serial);
    arr(o.actions, `${p}.actions`).forEach((x, i) => {
      const q = `${p}.actions[${i}]`;
      const a = arr(x, q);
      if (a.length !== 2 && a.length !== 4) refuse(q, 'expected [sig, handler] or [sig, handler, flags, mask]');
      const sig = int(a[0], `${q}[0]`, 1, 64);
      const handler = oneOf(a[1], `${q}[1]`, ['SIG_DFL', 'SIG_IGN', 'catch'] as const);
      if ((sig === 9 || sig === 19) && handler !== 'SIG_DFL') refuse(`${q}[1]`, 'SIGKILL and SIGSTOP keep SIG_DFL');
      h.set(sig, a.length === 4 ? { handler, flags: int(a[2], `${q}[2]`, 0, 2 ** 32 - 1), mask: readSet(a[3], `${q}[3]`, true) } : handler);
    });
    sighands.add(serial, h, `${p}.serial`);
  });

  const files = new Table<FdTable>('fd table');
  each(root, 'fdTables', (o, p) => {
    const serial = belowSerials(int(o.serial, `${p}.serial`, 0), `${p}.serial`);
    const t = new FdTable(serial);
    arr(o.files, `${p}.files`).forEach((x, i) => {
      const q = `${p}.files[${i}]`;
      const a = arr(x, q);
      const isSignalfd = a[1] === 'signalfd';
      if (a[1] !== 'pty' && a.length !== (isSignalfd ? 5 : 4)) refuse(q, isSignalfd ? "expected [fd, 'signalfd', mask, nonblock, cloexec]" : 'expected [fd, Pid serial, thread, nonblock]');
      const fd = int(a[0], `${q}[0]`);
      const file = a[1] === 'pty' ? ttys.file(a, q) : isSignalfd
        ? ({ kind: 'signalfd', mask: readSet(a[2], `${q}[2]`, true), nonblock: bool(a[3], `${q}[3]`), cloexec: bool(a[4], `${q}[4]`) } satisfies SignalFd)
        : { pid: pids.get(int(a[1], `${q}[1]`), `${q}[1]`), thread: bool(a[2], `${q}[2]`), nonblock: bool(a[3], `${q}[3]`) };
      if (!t.installAt(fd, file)) refuse(`${q}[0]`, `fd ${fd} is taken or out of range`);
    });
    files.add(serial, t, `${p}.serial`);
  });

  // Tasks: made with their Pid and namespace; groups and family are linked below.
  const tasks = new Table<Task>('task');
  const taskRecords: [Task, Obj, string][] = [];
  const oldDue: Task[] = [];
  const sigfdReads: [Task, number, string][] = [];
  each(root, 'tasks', (o, p) => {
    const seq = int(o.seq, `${p}.seq`, 0, taskSeq - 1);
    const c = obj(o.cred, `${p}.cred`);
    const cred: Cred = {
      uid: uid(c.uid, `${p}.cred.uid`),
      euid: uid(c.euid, `${p}.cred.euid`),
      suid: uid(c.suid, `${p}.cred.suid`),
      userNs: users.get(int(c.userNs, `${p}.cred.userNs`), `${p}.cred.userNs`),
      caps: bool(c.caps, `${p}.cred.caps`),
      ...(c.keptCaps === undefined ? {} : { keptCaps: bool(c.keptCaps, `${p}.cred.keptCaps`) }),
    };
    const t = new Task(seq, pids.get(int(o.pid, `${p}.pid`), `${p}.pid`), null, int(o.exitSignal, `${p}.exitSignal`, -1, 64), nss.get(int(o.nsForChildren, `${p}.nsForChildren`), `${p}.nsForChildren`), comm(o.comm, `${p}.comm`), cred);
    t.exitState = oneOf(o.exitState, `${p}.exitState`, ['alive', 'exiting', 'zombie', 'dead'] as const);
    t.exitCode = int(o.exitCode, `${p}.exitCode`);
    t.stopped = bool(o.stopped, `${p}.stopped`);
    t.parentExecId = int(o.parentExecId, `${p}.parentExecId`, 0);
    t.woken = bool(o.woken, `${p}.woken`);
    t.zapInitPids = int(o.zapInitPids, `${p}.zapInitPids`, 0, 2);
    arr(o.pending, `${p}.pending`).forEach((x, i) => t.pending.push(readInfo(x, `${p}.pending[${i}]`)));
    // v1/v2: signals taken whose handlers had not run are, in today's model, pending for a woken thread.
    arr(o.handlersDue, `${p}.handlersDue`).forEach((x, i) => {
      t.pending.push(readInfo(x, `${p}.handlersDue[${i}]`));
      oldDue.push(t);
    });
    if (o.sigBlocked !== undefined) t.sigBlocked = readSet(o.sigBlocked, `${p}.sigBlocked`, true);
    if (o.realBlocked !== undefined) t.realBlocked = readSet(o.realBlocked, `${p}.realBlocked`, true);
    if (o.savedMask !== undefined && o.savedMask !== null) t.savedMask = readSet(o.savedMask, `${p}.savedMask`, true);
    if (o.pdeathSignal !== undefined) t.pdeathSignal = int(o.pdeathSignal, `${p}.pdeathSignal`, 0, 64);
    if (o.frames !== undefined) {
      arr(o.frames, `${p}.frames`).forEach((x, i) => {
        const q = `${p}.frames[${i}]`;
        const a = arr(x, q);
        if (a.length !== 2) refuse(q, 'expected [siginfo, saved mask]');
        t.handlersDue.push({ info: readInfo(a[0], `${q}[0]`), saved: readSet(a[1], `${q}[1]`, true) });
      });
    }
    const bsys = o.blocked === null ? null : obj(o.blocked, `${p}.blocked`).syscall; // v4: a terminal call names its file, a signalfd read its fd
    if ((bsys === 'read' || bsys === 'write' || bsys === 'ioctl') && obj(o.blocked, `${p}.blocked`).file !== undefined) t.blocked = ttys.blocked(obj(o.blocked, `${p}.blocked`), `${p}.blocked`, bsys);
    else if (bsys === 'rt_sigsuspend' || bsys === 'pause') t.blocked = { syscall: bsys };
    else if (bsys === 'rt_sigtimedwait') t.blocked = { syscall: bsys, set: readSet(obj(o.blocked, `${p}.blocked`).set, `${p}.blocked.set`, false) };
    else if (bsys === 'read') sigfdReads.push([t, int(obj(o.blocked, `${p}.blocked`).fd, `${p}.blocked.fd`, 0), `${p}.blocked.fd`]);
    else if (o.blocked !== null) {
      const q = `${p}.blocked`;
      const b = obj(o.blocked, q);
      let target: WaitTarget;
      if (b.target === 'all') target = { kind: 'all' };
      else {
        const a = arr(b.target, `${q}.target`);
        target = { kind: oneOf(a[0], `${q}.target[0]`, ['pid', 'pgid'] as const), pid: pids.get(int(a[1], `${q}.target[1]`), `${q}.target[1]`) };
      }
      const req: WaitRequest = { syscall: oneOf(b.syscall, `${q}.syscall`, ['wait4', 'waitid'] as const), target, options: int(b.options, `${q}.options`) };
      t.blocked = req;
    }
    tasks.add(seq, t, `${p}.seq`);
    taskRecords.push([t, o, p]);
  });

  const groups = new Table<ThreadGroup>('thread group');
  each(root, 'threadGroups', (o, p) => {
    const serial = belowSerials(int(o.serial, `${p}.serial`, 0), `${p}.serial`);
    const g = new ThreadGroup(
      tasks.get(int(o.leader, `${p}.leader`), `${p}.leader`),
      pids.get(int(o.pgrp, `${p}.pgrp`), `${p}.pgrp`),
      pids.get(int(o.session, `${p}.session`), `${p}.session`),
      nullable(o.sighand, (x) => sighands.get(int(x, `${p}.sighand`), `${p}.sighand`)),
      nullable(o.files, (x) => files.get(int(x, `${p}.files`), `${p}.files`)),
      serial,
    );
    g.threads.clear();
    arr(o.threads, `${p}.threads`).forEach((x, i) => {
      if (!g.threads.add(tasks.get(int(x, `${p}.threads[${i}]`), `${p}.threads[${i}]`))) refuse(`${p}.threads[${i}]`, 'the task is on another thread group\'s list too');
    });
    g.live = int(o.live, `${p}.live`, 0);
    g.groupExit = bool(o.groupExit, `${p}.groupExit`);
    g.groupExitCode = int(o.groupExitCode, `${p}.groupExitCode`);
    g.stopped = bool(o.stopped, `${p}.stopped`);
    g.stopCode = int(o.stopCode, `${p}.stopCode`, 0, 64);
    g.continuedPending = bool(o.continuedPending, `${p}.continuedPending`);
    g.isChildSubreaper = bool(o.isChildSubreaper, `${p}.isChildSubreaper`);
    g.hasChildSubreaper = bool(o.hasChildSubreaper, `${p}.hasChildSubreaper`);
    g.unkillable = bool(o.unkillable, `${p}.unkillable`);
    g.currTarget = tasks.get(int(o.currTarget, `${p}.currTarget`), `${p}.currTarget`);
    arr(o.sharedPending, `${p}.sharedPending`).forEach((x, i) => g.sharedPending.push(readInfo(x, `${p}.sharedPending[${i}]`)));
    g.execId = int(o.execId, `${p}.execId`, 0);
    g.dumpable = o.dumpable === undefined ? true : bool(o.dumpable, `${p}.dumpable`);
    ttys.group(g, o, p);
    groups.add(serial, g, `${p}.serial`);
  });

  for (const [t, o, p] of taskRecords) {
    t.group = groups.get(int(o.group, `${p}.group`), `${p}.group`);
    if (!t.group.threads.has(t) && t.exitState !== 'dead') refuse(`${p}.group`, `task ${t.seq} is not on the thread list of group ${t.group.serial}`);
    const parent = nullable(o.parent, (x) => int(x, `${p}.parent`, 0));
    t.parent = parent === null ? null : tasks.get(parent, `${p}.parent`);
    if (t.parent === t) refuse(`${p}.parent`, `task ${t.seq} is its own parent`);
    arr(o.children, `${p}.children`).forEach((x, i) => {
      if (!t.addChild(tasks.get(int(x, `${p}.children[${i}]`), `${p}.children[${i}]`))) refuse(`${p}.children[${i}]`, 'the task is on another task\'s children list too');
    });
  }

  for (const [pid, o, p] of pidRecords) {
    const task = nullable(o.task, (x) => int(x, `${p}.task`, 0));
    pid.task = task === null ? null : tasks.get(task, `${p}.task`);
    const tgid = nullable(o.tgidOf, (x) => int(x, `${p}.tgidOf`, 0));
    pid.tgidOf = tgid === null ? null : groups.get(tgid, `${p}.tgidOf`);
    arr(o.pgrp, `${p}.pgrp`).forEach((x, i) => {
      if (!pid.addPgrpMember(groups.get(int(x, `${p}.pgrp[${i}]`), `${p}.pgrp[${i}]`))) refuse(`${p}.pgrp[${i}]`, 'the thread group is a member of another process group too');
    });
    arr(o.session, `${p}.session`).forEach((x, i) => {
      if (!pid.addSessionMember(groups.get(int(x, `${p}.session[${i}]`), `${p}.session[${i}]`))) refuse(`${p}.session[${i}]`, 'the thread group is a member of another session too');
    });
    if (!pid.hashed) continue;
    for (const [i, u] of pid.numbers.entries()) {
      if (!u.ns.idr.allocExact(u.nr)) refuse(`${p}.numbers[${i}]`, `number ${u.nr} in ${u.ns.name} is held by another Pid too`);
    }
    installPid(pid);
  }

  // real_parent chains end: a cycle would make every walk up (reparenting, subreaper search) loop for ever.
  const rooted = new Set<Task>();
  for (const [t, , p] of taskRecords) {
    const seen = new Set<Task>();
    let x: Task | null = t;
    while (x !== null && !rooted.has(x)) {
      if (seen.has(x)) refuse(`${p}.parent`, `the parent chain of task ${t.seq} has a cycle through task ${x.seq}`);
      seen.add(x);
      x = x.parent;
    }
    for (const y of seen) rooted.add(y);
  }

  for (const [ns, seq, path] of reapers) {
    const reaper = tasks.get(seq, path);
    // ns->child_reaper is a thread of the group whose tgid is 1 there (copy_process, find_child_reaper); a dead namespace keeps its last one.
    const tgid = reaper.group.tgidPid;
    if (tgid.ns !== ns || tgid.nrAt(ns.level) !== 1) refuse(path, `task ${seq} is not of the thread group that is pid 1 in ${ns.name}`);
    ns.childReaper = reaper;
  }
  for (const [t, fd, path] of sigfdReads) {
    const f = t.group.filesRef?.get(fd);
    if (f?.kind !== 'signalfd') refuse(path, `fd ${fd} is not a signalfd of the task's group`);
    t.blocked = { syscall: 'read', fd, file: f as SignalFd };
  }

  const q = obj(root.queues, 'queues');
  const seqList = (key: string): Task[] => arr(q[key], `queues.${key}`).map((x, i) => tasks.get(int(x, `queues.${key}[${i}]`), `queues.${key}[${i}]`));
  const exitQueue = arr(q.exitQueue, 'queues.exitQueue').map((x, i) => {
    const a = arr(x, `queues.exitQueue[${i}]`);
    return { task: tasks.get(int(a[0], `queues.exitQueue[${i}][0]`), `queues.exitQueue[${i}][0]`), code: int(a[1], `queues.exitQueue[${i}][1]`) };
  });
  // The kernel's task list is its root namespace's Pids: a task not yet released must be named by its Pid, or it would vanish.
  for (const [t, , p] of taskRecords) {
    if (t.exitState === 'dead') continue;
    if (t.pid.task !== t) refuse(`${p}.pid`, `task ${t.seq} is not released but its Pid does not name it`);
    if (!t.pid.hashed) refuse(`pids[${pidIndex.get(t.pid)!}].hashed`, `false, but the Pid's task ${t.seq} is not released (it would drop off the task list and its numbers be reused)`);
  }
  const parts: KernelParts = {
    rootUserNs: rootUsers[0]!,
    host: mode === 'scenario' ? nsList[0]! : null,
    namespaces: mode === 'scenario' ? nsList.slice(1) : nsList,
    init: tasks.get(int(root.init, 'init'), 'init'),
    blockedWaiters: seqList('blockedWaiters'),
    exitQueue,
    sigPending: [...new Set([...seqList('handlersDue'), ...oldDue])],
    zapWaiting: seqList('zapWaiting'),
    taskSeq,
    serials,
    userNsSerial,
  };
  for (const t of parts.blockedWaiters) if (t.blocked === null) refuse('queues.blockedWaiters', `task ${t.seq} is listed but not blocked`);
  const kernel = new Kernel({ mode }, parts);
  kernel.ttys = ttys.finish();
  return kernel;
}
