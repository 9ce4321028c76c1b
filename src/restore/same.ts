// What counts as "the same" process-identity state (docs/restore.md): two
// snapshots are the same when their canonical forms agree. The canonical form
// names every object by what a process can observe of it — a task by its
// number in the base namespace (the one the snapshot's `init` lives in), a
// namespace by its init (or by the task whose children it is for), a struct
// pid by its numbers — never by serials or creation sequence numbers, which
// are the history of how the state was reached, not the state.

import type { KernelJson, PidJson, PidNsJson, SigInfoJson, TaskJson, ThreadGroupJson } from '../snapshot/schema.js';
import { Signal } from '../abi/signal.js';
import { TtyNames } from './same_tty.js';

/** One field that differs: `task` names the object (a task `5`, a namespace `ns(init 7)`, a reaped pid). */
export interface Difference {
  readonly task: string;
  readonly field: string;
  readonly expected: string;
  readonly got: string;
}

/**
 * `model`: every field the rule lists as exact (docs/restore.md). `proc`:
 * only what /proc shows each namespace on a real kernel (NSpid, NStgid,
 * NSpgid, NSsid, PPid, State, Uid, the threads, the ns/ links, SigIgn/SigCgt).
 */
export type SamenessMode = 'model' | 'proc';

/** The canonical form: object name to field name to value. */
export type Canonical = ReadonlyMap<string, ReadonlyMap<string, string>>;

const ABSENT = '(absent)';

/** The signals of a hexadecimal signal set, as numbers joined by commas ("" for none). */
export function sigSetList(hex: string | undefined | null): string {
  if (hex === undefined || hex === null) return '';
  const out: number[] = [];
  let v = BigInt(`0x${hex === '' ? '0' : hex}`);
  for (let sig = 1; v !== 0n; sig++, v >>= 1n) if ((v & 1n) === 1n) out.push(sig);
  return out.join(',');
}

const infoText = (i: SigInfoJson): string => `[${i.join(' ')}]`;

/** Lookups over one snapshot, and the names objects get in the canonical form. */
export class Names {
  readonly pids = new Map<number, PidJson>();
  readonly tasks = new Map<number, TaskJson>();
  readonly groups = new Map<number, ThreadGroupJson>();
  readonly nss = new Map<number, PidNsJson>();
  readonly levels = new Map<number, number>();
  readonly sigHands = new Map<number, KernelJson['sigHands'][number]>();
  readonly fdTables = new Map<number, KernelJson['fdTables'][number]>();
  /** Thread groups by the sighand / fd table they use. */
  readonly bySighand = new Map<number, ThreadGroupJson[]>();
  readonly byFiles = new Map<number, ThreadGroupJson[]>();
  private live: TaskJson[] | null = null;
  private readonly pidNames = new Map<number, string>();
  private readonly userNames = new Map<number, string>();
  /** The namespace the snapshot's init lives in: the restore's ns0. */
  readonly base: PidNsJson;
  readonly baseLevel: number;
  private readonly nsNames = new Map<number, string>();

  /** `proc`: a namespace whose init was released is named by its pid_for_children users, as /proc can only show those. */
  constructor(readonly json: KernelJson, private readonly mode: SamenessMode = 'model') {
    for (const p of json.pids) this.pids.set(p.serial, p);
    for (const t of json.tasks) this.tasks.set(t.seq, t);
    for (const g of json.threadGroups) {
      this.groups.set(g.serial, g);
      if (g.sighand !== null) pushTo(this.bySighand, g.sighand, g);
      if (g.files !== null) pushTo(this.byFiles, g.files, g);
    }
    for (const h of json.sigHands) this.sigHands.set(h.serial, h);
    for (const f of json.fdTables) this.fdTables.set(f.serial, f);
    for (const ns of json.pidNamespaces) {
      this.nss.set(ns.serial, ns);
      this.levels.set(ns.serial, ns.parent === null ? 0 : this.levels.get(ns.parent)! + 1);
    }
    const init = this.tasks.get(json.init)!;
    const numbers = this.pids.get(init.pid)!.numbers;
    this.base = this.nss.get(numbers[numbers.length - 1]![0])!;
    this.baseLevel = this.levels.get(this.base.serial)!;
    this.nameNamespaces();
    this.reachable = this.reach();
  }

  /**
   * The namespaces something still refers to — a live task's numbers, its
   * pid_for_children, a session's or group's pid, a pidfd's pid — and their
   * ancestors. Linux frees the others (put_pid_ns); the model keeps every
   * namespace it made, so the rest are history.
   */
  readonly reachable: ReadonlySet<number>;

  private reach(): Set<number> {
    const out = new Set<number>();
    const addNs = (ns: number): void => {
      for (let x: number | null = ns; x !== null && !out.has(x); x = this.nss.get(x)!.parent) out.add(x);
    };
    const addPid = (serial: number): void => {
      const nrs = this.pids.get(serial)!.numbers;
      addNs(nrs[nrs.length - 1]![0]);
    };
    for (const t of this.liveTasks()) {
      addPid(t.pid);
      addNs(t.nsForChildren);
      const g = this.groups.get(t.group)!;
      addPid(g.pgrp);
      addPid(g.session);
      if (g.files !== null) for (const f of this.fdTables.get(g.files)?.files ?? []) if (f[1] !== 'signalfd' && f[1] !== 'pty') addPid(f[1]);
    }
    return out;
  }

  /** The numbers of a pid from the base level down ([] when it has none there: a pid of the host's alone). */
  numbersOf(p: PidJson): readonly number[] {
    return p.numbers.slice(this.baseLevel).map(([, nr]) => nr);
  }

  /** A pid as NSpid prints it from the base namespace ("5 3 1"), or `outside` when the base cannot see it. */
  pidName(serial: number): string {
    let name = this.pidNames.get(serial);
    if (name === undefined) {
      const nrs = this.numbersOf(this.pids.get(serial)!);
      name = nrs.length === 0 ? 'outside' : nrs.join(' ');
      this.pidNames.set(serial, name);
    }
    return name;
  }

  /** A task's name: its number in the base namespace (a released task `released N`). */
  taskName(seq: number): string {
    const t = this.tasks.get(seq)!;
    const name = this.pidName(t.pid);
    return t.exitState === 'dead' ? `released ${name}` : name;
  }

  /** The namespace a task's numbers end in (its active PID namespace). */
  activeNs(t: TaskJson): number {
    const nrs = this.pids.get(t.pid)!.numbers;
    return nrs[nrs.length - 1]![0];
  }

  /** True when the base namespace is this one or one of its ancestors. */
  underBase(ns: number): boolean {
    for (let x: number | null = ns; x !== null; x = this.nss.get(x)!.parent) if (x === this.base.serial) return true;
    return false;
  }

  nsName(serial: number): string {
    return this.nsNames.get(serial) ?? (this.underBase(serial) ? `ns(#${serial})` : 'outside');
  }

  /** Tasks the comparison covers: not released, and in the base namespace or below. */
  liveTasks(): readonly TaskJson[] {
    return (this.live ??= this.json.tasks.filter((t) => t.exitState !== 'dead' && this.underBase(this.activeNs(t))));
  }

  /** A user namespace's name: the root `user0`; else the least-named PID namespace it owns (not in proc mode: /proc shows no owner), else the first task whose credentials use it. */
  userNsName(serial: number): string {
    if (this.userNames.size === 0) {
      for (const u of this.json.userNamespaces) if (u.parent === null) this.userNames.set(u.serial, 'user0');
      // By the least name of the PID namespaces it owns: the snapshot's order of them is the order they were made in, history.
      const byNs = new Map<number, string[]>();
      for (const p of this.mode === 'proc' ? [] : this.json.pidNamespaces) {
        const name = this.nsName(p.serial);
        if (!this.userNames.has(p.userNs) && !name.startsWith('ns(#') && name !== 'outside' && this.reachable.has(p.serial)) pushTo(byNs, p.userNs, name);
      }
      for (const [u, names] of byNs) this.userNames.set(u, `user(of ${names.sort(byNumber)[0]!})`);
      const byTask = new Map<number, string[]>();
      for (const t of this.liveTasks()) pushTo(byTask, t.cred.userNs, this.taskName(t.seq));
      for (const [u, names] of byTask) if (!this.userNames.has(u)) this.userNames.set(u, `user(of task ${names.sort(byNumber)[0]!})`);
    }
    return this.userNames.get(serial) ?? `user(#${serial})`;
  }

  /** The thread-group leader numbered 1 in namespace `ns`, not released; null when there is none. */
  private procInit(ns: number): number | null {
    for (const t of this.json.tasks) {
      if (t.exitState === 'dead' || this.groups.get(t.group)!.leader !== t.seq) continue;
      const nrs = this.pids.get(t.pid)!.numbers;
      const last = nrs[nrs.length - 1]!;
      if (last[0] === ns && last[1] === 1) return t.seq;
    }
    return null;
  }

  private nameNamespaces(): void {
    this.nsNames.set(this.base.serial, 'ns0');
    // Only a namespace with no init is named by the tasks whose children it is for (unshare made it).
    const initless = new Set<number>();
    for (const ns of this.json.pidNamespaces) {
      if (ns.serial === this.base.serial || !this.underBase(ns.serial)) continue;
      // /proc shows a namespace's init as the process numbered 1 in it (child_reaper, a thread or a released task, is not shown).
      const init = this.mode === 'proc' ? this.procInit(ns.serial) : ns.childReaper;
      if (init !== null) this.nsNames.set(ns.serial, `ns(init ${this.taskName(init)})`);
      else initless.add(ns.serial);
    }
    if (initless.size === 0) return;
    const byPfc = new Map<number, string[]>();
    // proc mode: only a live task shows its pid_for_children (an exiting one has no nsproxy).
    const shows = (t: TaskJson): boolean => t.exitState !== 'dead' && (this.mode !== 'proc' || t.exitState === 'alive');
    for (const t of this.json.tasks) if (shows(t) && initless.has(t.nsForChildren)) pushTo(byPfc, t.nsForChildren, this.taskName(t.seq));
    for (const [ns, users] of byPfc) this.nsNames.set(ns, `ns(for children of ${users.sort(byNumber)[0]!})`);
  }
}

/** Appends `v` to the list at `k` (made on first use). */
export function pushTo<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list === undefined) m.set(k, [v]);
  else list.push(v);
}

/** Task names ("5", "5 3") in numeric order. */
export function byNumber(a: string, b: string): number {
  const x = Number.parseInt(a, 10);
  const y = Number.parseInt(b, 10);
  return x !== y && !Number.isNaN(x) && !Number.isNaN(y) ? x - y : a < b ? -1 : a > b ? 1 : 0;
}

/** The dispositions of a group: every non-default action as `SIG:handler[/flags/mask]`; proc mode: SigIgn and SigCgt. */
function dispositions(n: Names, g: ThreadGroupJson, mode: SamenessMode): string {
  const h = g.sighand === null ? undefined : n.sigHands.get(g.sighand);
  const actions = h?.actions ?? [];
  if (mode === 'proc') {
    const ign = actions.filter((a) => a[1] === 'SIG_IGN').map((a) => a[0]);
    const cgt = actions.filter((a) => a[1] === 'catch').map((a) => a[0]);
    return `ignored ${ign.sort((a, b) => a - b).join(',')}; caught ${cgt.sort((a, b) => a - b).join(',')}`;
  }
  return [...actions]
    .filter((a) => a[1] !== 'SIG_DFL' || (a.length === 4 && (a[2] !== 0 || a[3] !== '0')))
    .sort((a, b) => a[0] - b[0])
    .map((a) => (a.length === 4 && (a[2] !== 0 || a[3] !== '0') ? `${a[0]}:${a[1]}/${a[2]}/${sigSetList(a[3])}` : `${a[0]}:${a[1]}`))
    .join(' ');
}

/** The blocked call of a task, with a waited-for pid named by its numbers. */
function blockedText(n: Names, t: TaskJson, tn: TtyNames): string {
  const b = t.blocked;
  if (b === null) return 'no';
  if ('file' in b) return tn.blocked(b.syscall, b.file, b.args);
  if (b.syscall === 'wait4' || b.syscall === 'waitid') {
    const target = b.target === 'all' ? 'all' : `${b.target[0]} ${n.pidName(b.target[1])}`;
    return `${b.syscall} ${target} options ${b.options}`;
  }
  if (b.syscall === 'rt_sigtimedwait') return `rt_sigtimedwait {${sigSetList(b.set)}}`;
  if (b.syscall === 'read') return `read fd ${b.fd}`;
  return b.syscall;
}

/** The tasks sharing a table with `g` (other groups' leaders), for CLONE_SIGHAND / CLONE_FILES sharing. */
function sharers(n: Names, g: ThreadGroupJson, key: 'sighand' | 'files'): string {
  const mine = g[key];
  if (mine === null) return '';
  return ((key === 'sighand' ? n.bySighand : n.byFiles).get(mine) ?? [])
    .filter((o) => o !== g && n.tasks.get(o.leader)!.exitState !== 'dead')
    .map((o) => n.taskName(o.leader))
    .sort(byNumber)
    .join(',');
}

/**
 * Whether a subreaper stands above `t` in its namespace (kernel/exit.c
 * find_new_reaper walks real_parent while the level is the same). The
 * group's has_child_subreaper flag only enables that walk: set with no
 * subreaper above (one that has since cleared its flag), it finds what an
 * unset flag would, so the rule compares the flag and the walk together.
 */
function subreaperAbove(n: Names, t: TaskJson): boolean {
  const level = n.pids.get(t.pid)!.numbers.length;
  for (let p = t.parent === null ? undefined : n.tasks.get(t.parent); p !== undefined; p = p.parent === null ? undefined : n.tasks.get(p.parent)) {
    if (n.pids.get(p.pid)!.numbers.length !== level) return false;
    if (n.groups.get(p.group)!.isChildSubreaper) return true;
  }
  return false;
}

/** The canonical form of a snapshot (docs/restore.md lists each field and why it is there). */
export function canonical(json: KernelJson, mode: SamenessMode = 'model'): Canonical {
  const n = new Names(json, mode);
  const out = new Map<string, Map<string, string>>();
  const put = (obj: string, field: string, value: string | number | boolean): void => {
    let m = out.get(obj);
    if (m === undefined) out.set(obj, (m = new Map<string, string>()));
    m.set(field, String(value));
  };
  const model = mode === 'model';
  const reaped = new Map<number, string[]>();
  const tn = new TtyNames(n);
  if (model) tn.pairs(put);

  for (const t of n.liveTasks()) {
    const me = n.taskName(t.seq);
    const g = n.groups.get(t.group)!;
    const leader = n.tasks.get(g.leader)!;
    put(me, 'numbers', n.pidName(t.pid));
    put(me, 'ns', n.nsName(n.activeNs(t)));
    // An exiting task has no nsproxy left (exit_task_namespaces()): /proc shows no pid_for_children for it.
    if (model || t.exitState === 'alive') put(me, 'pid_for_children', n.nsName(t.nsForChildren));
    put(me, 'thread group', n.pidName(leader.pid));
    // /proc shows PPid, the parent's tgid: which of its threads forked the child is not shown (proc mode names the leader).
    const parentTask = t.parent === null ? undefined : n.tasks.get(t.parent)!;
    const shownParent = parentTask === undefined || model ? parentTask : n.tasks.get(n.groups.get(parentTask.group)!.leader)!;
    put(me, 'parent', shownParent === undefined || shownParent.exitState === 'dead' ? 'outside' : n.taskName(shownParent.seq));
    put(me, 'pgid', n.pidName(g.pgrp));
    put(me, 'sid', n.pidName(g.session));
    put(me, 'state', t.exitState === 'zombie' ? 'Z' : t.stopped ? 'T' : 'S');
    if (t.seq === g.leader) {
      const threads = g.threads.filter((s) => n.tasks.get(s)!.exitState !== 'dead').map((s) => n.taskName(s));
      put(me, 'threads', threads.sort(byNumber).join(' '));
      put(me, 'dispositions', dispositions(n, g, mode));
      // Model mode only: a kernel end state's tty_nr and tpgid are read beside the JSON and compared there (restore_kernel.ts).
      if (model) put(me, 'controlling terminal', tn.group(g).ctty);
      if (model) put(me, 'tty_old_pgrp', tn.group(g).oldPgrp);
    }
    // /proc/PID/status Uid: real, effective, saved, as kuids to a reader in the root user namespace; ns/user: whose they are.
    put(me, 'uid/euid/suid', `${t.cred.uid}/${t.cred.euid}/${t.cred.suid}`);
    put(me, 'user namespace', userNsName(n, t.cred.userNs));
    if (!model) continue;
    put(me, 'comm', t.comm);
    put(me, 'exit state', t.exitState);
    if (t.exitState !== 'alive') put(me, 'exit code', t.exitCode);
    put(me, 'exit signal', t.exitSignal);
    const parent = t.parent === null ? undefined : n.tasks.get(t.parent);
    // do_notify_parent resets only a signal that is not SIGCHLD, and SIGCHLD or a thread's -1 never become another: for
    // those the relation changes nothing (and rests on exec counters the model keeps per group from 0; fork copies them).
    if (parent !== undefined && t.exitSignal !== Signal.SIGCHLD && t.exitSignal >= 0) put(me, 'exit signal reset by parent exec', t.parentExecId !== n.groups.get(parent.group)!.execId);
    put(me, 'capabilities', t.cred.keptCaps === true ? `${t.cred.caps} (permitted kept)` : t.cred.caps);
    put(me, 'blocked in', blockedText(n, t, tn));
    put(me, 'signal mask', sigSetList(t.sigBlocked));
    put(me, 'real_blocked', sigSetList(t.realBlocked));
    put(me, 'saved mask', t.savedMask === undefined || t.savedMask === null ? 'none' : sigSetList(t.savedMask));
    put(me, 'pending', t.pending.map(infoText).join(' '));
    put(me, 'handler frames', (t.frames ?? []).map(([i, m]) => `${infoText(i)}/${sigSetList(m)}`).join(' '));
    put(me, 'pdeath_signal', t.pdeathSignal ?? 0);
    put(me, 'signal wake-up pending', t.woken);
    // zap_pid_ns_processes' count matters while an init waits in it; a zombie init's is what its exit left behind.
    if (t.exitState === 'exiting') put(me, 'init waiting for its namespace', t.zapInitPids);
    if (t.seq !== g.leader) continue;
    put(me, 'group exit', g.groupExit ? `yes ${g.groupExitCode}` : 'no');
    put(me, 'group stop', g.stopped ? `yes ${g.stopCode}` : 'no');
    put(me, 'continued pending', g.continuedPending);
    put(me, 'child subreaper', g.isChildSubreaper);
    put(me, 'has child subreaper', g.hasChildSubreaper && subreaperAbove(n, t));
    put(me, 'unkillable', g.unkillable);
    put(me, 'shared pending', g.sharedPending.map(infoText).join(' '));
    put(me, 'dumpable', g.dumpable ?? true);
    put(me, 'sighand shared with', sharers(n, g, 'sighand'));
    put(me, 'fd table shared with', sharers(n, g, 'files'));
    const table = g.files === null ? undefined : n.fdTables.get(g.files);
    const fds = (table?.files ?? []).map((f) => {
      if (f[1] === 'pty') return tn.fd(f[0], f[2]);
      if (f[1] === 'signalfd') return `${f[0]}:signalfd{${sigSetList(f[2])}}${f[3] ? ' nonblock' : ''}${f[4] ? ' cloexec' : ''}`;
      const p = n.pids.get(f[1])!;
      if (!p.hashed || p.task === null || n.tasks.get(p.task)!.exitState === 'dead') {
        const holders = reaped.get(p.serial) ?? [];
        holders.push(`${me}:${f[0]}`);
        reaped.set(p.serial, holders);
      }
      const target = p.task === null || !p.hashed ? `reaped ${n.numbersOf(p).join(' ')}` : n.pidName(p.serial);
      return `${f[0]}:pidfd ${target}${f[2] ? ' thread' : ''}${f[3] ? ' nonblock' : ''}`;
    });
    put(me, 'fds', fds.join(', '));
  }

  // A struct pid no task holds any more, alive only through pidfds: which fds refer to it is its identity.
  const seen = new Map<string, number>();
  for (const [serial, holders] of reaped) {
    const base = `reaped pid ${n.numbersOf(n.pids.get(serial)!).join(' ')}`;
    const k = (seen.get(base) ?? 0) + 1;
    seen.set(base, k);
    put(k === 1 ? base : `${base} #${k}`, 'held by', holders.sort().join(' '));
  }

  // /proc shows a namespace only through a task in it or below it, or one whose pid_for_children it is.
  const shown = new Set<number>();
  if (!model) {
    for (const t of n.liveTasks()) {
      for (let x: number | null = n.activeNs(t); x !== null && !shown.has(x); x = n.nss.get(x)!.parent) shown.add(x);
      if (t.exitState === 'alive') shown.add(t.nsForChildren);
    }
  }
  for (const ns of json.pidNamespaces) {
    const name = n.nsName(ns.serial);
    if (name === 'outside' || name.startsWith('ns(#') || !n.reachable.has(ns.serial) || (!model && !shown.has(ns.serial))) continue;
    const obj = `namespace ${name}`;
    put(obj, 'parent', ns.parent === null || !n.underBase(ns.parent) ? 'outside' : n.nsName(ns.parent));
    if (!model) continue;
    put(obj, 'level below ns0', n.levels.get(ns.serial)! - n.baseLevel);
    put(obj, 'pid_max', ns.pidMax);
    put(obj, 'ns_last_pid', ns.cursor - 1);
    put(obj, 'can add tasks', ns.adding);
    put(obj, 'child reaper', ns.childReaper === null ? 'none' : n.taskName(ns.childReaper));
    put(obj, 'reboot signal', ns.reboot ?? 0);
    put(obj, 'user namespace', userNsName(n, ns.userNs));
  }
  if (model) {
    // A user namespace counts while a task's credentials or a counted PID namespace use it (or a child of it does).
    const usedUsers = new Set<number>();
    const addUser = (u: number): void => {
      for (let x: number | null = u; x !== null && !usedUsers.has(x); x = json.userNamespaces.find((y) => y.serial === x)?.parent ?? null) usedUsers.add(x);
    };
    for (const t of n.liveTasks()) addUser(t.cred.userNs);
    for (const ns of json.pidNamespaces) if (n.reachable.has(ns.serial) && n.underBase(ns.serial)) addUser(ns.userNs);
    for (const u of json.userNamespaces) {
      const name = userNsName(n, u.serial);
      if (name.startsWith('user(#') || (u.parent !== null && !usedUsers.has(u.serial))) continue;
      put(`user namespace ${name}`, 'parent', u.parent === null ? 'none' : userNsName(n, u.parent));
      put(`user namespace ${name}`, 'owner uid', u.owner);
    }
  }
  return out;
}

function userNsName(n: Names, serial: number): string {
  return n.userNsName(serial);
}

/** Every difference between the canonical forms of `expected` and `got`, objects in name order, fields in rule order. */
export function samenessDifferences(expected: KernelJson, got: KernelJson, mode: SamenessMode = 'model'): Difference[] {
  const a = canonical(expected, mode);
  const b = canonical(got, mode);
  const out: Difference[] = [];
  const names = [...new Set([...a.keys(), ...b.keys()])].sort(byNumber);
  for (const name of names) {
    const x = a.get(name);
    const y = b.get(name);
    if (x === undefined || y === undefined) {
      out.push({ task: name, field: 'exists', expected: x === undefined ? 'no' : 'yes', got: y === undefined ? 'no' : 'yes' });
      continue;
    }
    for (const field of new Set([...x.keys(), ...y.keys()])) {
      const e = x.get(field) ?? ABSENT;
      const g = y.get(field) ?? ABSENT;
      // proc mode: an exiting task shows no pid_for_children; where one side is exiting, its state says so.
      if (mode === 'proc' && field === 'pid_for_children' && (e === ABSENT || g === ABSENT)) continue;
      if (e !== g) out.push({ task: name, field, expected: e, got: g });
    }
  }
  return out;
}

/** One difference as a line: `task 5: pgid: expected 3, got 5`. */
export function formatDifference(d: Difference): string {
  const what = /^\d/.test(d.task) || d.task.startsWith('released') ? `task ${d.task}` : d.task;
  return `${what}: ${d.field}: expected ${d.expected === '' ? '(none)' : d.expected}, got ${d.got === '' ? '(none)' : d.got}`;
}
