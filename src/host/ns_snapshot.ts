// One PID namespace and those below it, as /proc shows them, written as a
// pidns snapshot (docs/snapshot.md): `pidns host snapshot --ns NS` (a
// container, as criu-ns would take it) and the kernel backend's end state
// (`pidns run --backend kernel --snapshot-out`) are both this code.
//
// Shape: when NS has a parent the reader can see, the snapshot is in scenario
// mode, as the model's own are: its `host` namespace is NS's parent (the
// numbers there are what the parent namespace calls each task; a process
// group or session led from outside NS is numbered there only, so that
// /proc inside NS reads it as 0, task_pid_nr_ns() in fs/proc/array.c), and
// `ns0` is NS. When NS is the reader's own namespace it is plain mode, NS the
// root, and a group or session led from beyond it (invisible at every level)
// is stood in for as `host snapshot` does (src/host/snapshot.ts).
//
// What /proc shows, and so what the snapshot holds: every thread (one task
// each, from /proc/TGID/task/TID) with its number at every level (NSpid),
// its state (zombie, stopped), exit code (stat field 52) and exit signal
// (field 38); PPid; NSpgid and NSsid (a dead leader's Pid gets the numbers
// its members show, the longest prefix any member shows); pid_for_children
// (a namespace an unshare made, with no process yet, is one with no init);
// dispositions (SigIgn: SIG_IGN, SigCgt: a handler, with no flags or mask:
// those are not shown); the blocked mask (SigBlk), pending signals (SigPnd,
// ShdPnd) as signal numbers with an unknown siginfo (SI_USER, pid 0); uids.
// What it does not show, and the snapshot leaves at its default: which
// thread of a parent forked a child (a child's parent is the leader, or a
// live thread when the leader is a zombie, as forget_original_parent()
// would choose; /proc/TID/children needs CONFIG_PROC_CHILDREN), subreaper
// flags, pidfds and signalfds, sa_flags and sa_mask, a namespace's pid_max
// and ns_last_pid (/proc/sys answers for the reader's namespace only: below
// the reader pid_max is the limit and the cursor one past the highest number
// in use), blocked waits, parent-death signals, capabilities (uid 0 has
// every one), a child user namespace's parent and owner (ns_users.ts). Terminals: each process's controlling terminal
// (stat's tty_nr, known by its session) and foreground group (tpgid), beside
// the JSON (`terminals`); ptys' fds, TOSTOP and typed input are not shown.

import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { PID_MAX_LIMIT } from '../abi/limits.js';
import { Signal, sigsetMembers } from '../abi/signal.js';
import type { KernelJson, PidJson, PidNsJson, SigHandJson, SigInfoJson, TaskJson, ThreadGroupJson } from '../snapshot/index.js';
import { SNAPSHOT_FORMAT, SNAPSHOT_VERSION } from '../snapshot/index.js';
import { namespaceTree, type HostProc } from './proc.js';
import { nsInode, readStat, readStatus, type LivePidfd, type ProcStat, type ProcStatusFile } from './proc_files.js';
import { HostSnapshotError, kernelComm } from './snapshot.js';
import { userNamespacesOf } from './ns_users.js';

/** One thread as /proc/TGID/task/TID shows it. */
export interface LiveThread {
  readonly tid: number;
  readonly status: ProcStatusFile;
  readonly stat: ProcStat;
  /**
   * The inode of its pid_for_children link; `unborn` when the link reads
   * ENOENT: a namespace unshare() made whose init is not yet forked
   * (pidns_for_children_get() returns none until child_reaper is set); null when refused.
   */
  readonly pidForChildren: number | 'unborn' | null;
  /** The inode of its ns/user link (its credentials' user namespace: userns_get() reads __task_cred, a zombie's too); null or absent when unread. */
  readonly userNs?: number | null;
}

/** A process's threads, the leader first (also when it is a zombie); null when the process vanished. */
export function readThreads(p: HostProc, proc = '/proc'): LiveThread[] | null {
  let names: string[];
  try {
    names = readdirSync(`${proc}/${p.pid}/task`);
  } catch {
    return null;
  }
  const tids = names.filter((n) => /^\d+$/.test(n)).map(Number).sort((a, b) => (a === p.pid ? -1 : b === p.pid ? 1 : a - b));
  const out: LiveThread[] = [];
  for (const tid of tids) {
    const dir = `${proc}/${p.pid}/task/${tid}`;
    const status = readStatus(`${dir}/status`);
    const stat = readStat(`${dir}/stat`);
    // A thread that exited meanwhile is left out; a leader that did is the process gone.
    if (status === null || stat === null) {
      if (tid === p.pid) return null;
      continue;
    }
    // An exiting or dead task has no nsproxy (exit_task_namespaces()): its ENOENT says nothing of an unshare.
    const exiting = stat.state === 'Z' || stat.state === 'X' || (stat.flags & PF_EXITING) !== 0;
    const link = pidForChildrenLink(`${dir}/ns/pid_for_children`);
    out.push({ tid, status, stat, pidForChildren: exiting && link === 'unborn' ? null : link, userNs: nsInode(`${dir}/ns/user`) });
  }
  return out.length === 0 || out[0]!.tid !== p.pid ? null : out;
}

/** PF_EXITING (include/linux/sched.h), in stat's flags field. */
const PF_EXITING = 0x4;

function pidForChildrenLink(path: string): number | 'unborn' | null {
  try {
    const m = /\[(\d+)\]/.exec(readlinkSync(path));
    return m === null ? null : Number(m[1]);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'unborn' : null;
  }
}

/** A pidfd in the snapshot's terms: holder and target named by their numbers from ns0 down ("5", "5 2"). */
export interface PidfdFact {
  readonly holder: string;
  /** The target's numbers, or null once it is reaped (then `ino` says which struct pid). */
  readonly target: string | null;
  readonly ino: number;
  readonly thread: boolean;
  readonly nonblock: boolean;
}

export interface NsSnapshotInput {
  /** Every process the reader sees (readProcs), by host pid. */
  readonly procs: ReadonlyMap<number, HostProc>;
  /** The inode of NS. */
  readonly root: number;
  /** A process's threads (readThreads, or a test's). */
  readonly threads: (p: HostProc) => readonly LiveThread[] | null;
  /** Namespace parents the caller knows (the kernel backend records them), over those derived from the process tree. */
  readonly parents?: ReadonlyMap<number, number | null>;
  /** The reader's pid_max and ns_last_pid, for plain mode (default: read from /proc/sys/kernel). */
  readonly readerSysctl?: () => { readonly pidMax: number; readonly lastPid: number };
  /** A process's pidfds through one of its live threads (readPidfds); absent: none are read. */
  readonly pidfds?: (pid: number, tid: number) => readonly LivePidfd[];
  /** The inode of the reader's user namespace, the snapshot's root one (default: /proc/self/ns/user). */
  readonly readerUserNs?: number | null;
}

/** What a snapshot of /proc could not hold exactly, one line each (the CLI prints them on standard error). */
export interface NsSnapshot {
  readonly json: KernelJson;
  readonly notes: readonly string[];
  /**
   * The pidfds each process holds. Not in `json`: a reaped target's numbers
   * are not shown (fdinfo says Pid -1), and a snapshot's Pid needs them.
   */
  readonly pidfds: readonly PidfdFact[];
  /**
   * Each process's controlling terminal, from stat's tty_nr and tpgid. Not in
   * `json`: /proc shows no pty's fds, typed input or TOSTOP, and a snapshot
   * whose terminal no task holds a master of would not load (the master's
   * last close hangs a pair up).
   */
  readonly terminals: readonly TerminalFact[];
}

/**
 * A process's controlling terminal as stat shows it: `session` is the Pid
 * serial (in `json`) of the session whose terminal it is — tty_nr names the
 * device, whose number is the host devpts's choice, so a terminal is known by
 * its session (a ctty is always its holder's session's) —, null without one;
 * `foreground` the Pid serial of tpgid's group, null when none is shown.
 */
export interface TerminalFact {
  readonly holder: string;
  readonly session: number | null;
  readonly foreground: number | null;
}

function readNumber(path: string, fallback: number): number {
  try {
    const n = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(n) ? n : fallback;
  } catch {
    return fallback;
  }
}

function readerSysctl(): { pidMax: number; lastPid: number } {
  return { pidMax: readNumber('/proc/sys/kernel/pid_max', 4194304), lastPid: readNumber('/proc/sys/kernel/ns_last_pid', 0) };
}

/** A pending signal as /proc shows it: the number only (SI_USER from pid 0 stands in for the siginfo). */
const pendingInfo = (sig: number): SigInfoJson => [sig, 0, 0, 0];

interface Ns {
  readonly inode: number;
  /** Level relative to the reader (0: the reader's own). */
  readonly level: number;
  readonly parent: number | null;
  serial: number;
}

/** NS and the namespaces below it, parents first; throws HostSnapshotError when NS has no process. */
function namespacesBelow(input: NsSnapshotInput): Ns[] {
  const tree = namespaceTree(input.procs);
  const root = tree.find((n) => n.inode === input.root);
  if (root === undefined) throw new HostSnapshotError(`no process lives in PID namespace ${input.root}`);
  const nss: Ns[] = [{ inode: root.inode, level: root.level, parent: null, serial: 0 }];
  const inside = new Set([root.inode]);
  for (const n of tree) {
    if (n.inode === root.inode || n.level <= root.level) continue;
    const parent = input.parents?.has(n.inode) === true ? input.parents.get(n.inode)! : n.parent;
    if (parent === null || !inside.has(parent)) continue;
    inside.add(n.inode);
    nss.push({ inode: n.inode, level: n.level, parent, serial: 0 });
  }
  return nss;
}

/** The snapshot of NS and every namespace below it (see the file comment). */
export function namespaceSnapshot(input: NsSnapshotInput): NsSnapshot {
  const notes: string[] = [];
  /** Processes whose group or session no level of the snapshot numbers: their own group stands in, as in host snapshot. */
  const standIns: string[] = [];
  const nss = namespacesBelow(input);
  const root = nss[0]!;
  const base = root.level;
  const scenario = base > 0;
  const byInode = new Map(nss.map((n) => [n.inode, n]));
  // Processes inside, with their threads; one that vanished while being read is left out.
  const procs: { p: HostProc; threads: readonly LiveThread[] }[] = [];
  for (const p of [...input.procs.values()].sort((a, b) => a.pid - b.pid)) {
    if (!byInode.has(p.ns)) continue;
    const threads = input.threads(p);
    if (threads !== null) procs.push({ p, threads });
  }
  // A namespace an unshare() made has no process until its first child: it is known by pid_for_children only,
  // and before that child by an ENOENT. One per thread: no thread can be made after the unshare (clone's
  // CLONE_THREAD is EINVAL when pid_for_children is not the active namespace), so each such thread made its own.
  const nsForChildren = (_p: HostProc, t: LiveThread): number | null => (t.pidForChildren === 'unborn' ? -t.tid : t.pidForChildren);
  for (const { p, threads } of procs) {
    for (const t of threads) {
      const ino = nsForChildren(p, t);
      if (ino === null || byInode.has(ino)) continue;
      const made: Ns = { inode: ino, level: byInode.get(p.ns)!.level + 1, parent: p.ns, serial: 0 };
      nss.push(made);
      byInode.set(ino, made);
    }
  }
  nss.sort((a, b) => a.level - b.level || (a === root ? -1 : b === root ? 1 : a.inode - b.inode));
  let serial = 0;
  const hostSerial = scenario ? serial++ : null;
  for (const n of nss) n.serial = serial++;
  /** The namespaces a task of `ns` is numbered in, from the snapshot's top (the host, if any) down; null for the host. */
  const chainOf = (ns: number): (Ns | null)[] => {
    const out: (Ns | null)[] = [];
    for (let x = byInode.get(ns); x !== undefined; x = x.parent === null ? undefined : byInode.get(x.parent)) {
      out.unshift(x);
      if (x === root) break;
    }
    return scenario ? [null, ...out] : out;
  };
  // Column of /proc's NS* lists at the snapshot's top level.
  const col0 = scenario ? base - 1 : base;
  const nsSerialOf = (x: Ns | null): number => (x === null ? hostSerial! : x.serial);

  // Serials: a Pid per thread, a thread group per process.
  const seqOfTid = new Map<number, number>();
  const pidOfTid = new Map<number, number>();
  const groupOf = new Map<number, number>();
  let seq = 0;
  for (const { p, threads } of procs) {
    groupOf.set(p.pid, serial++);
    for (const t of threads) {
      seqOfTid.set(t.tid, seq++);
      pidOfTid.set(t.tid, serial++);
    }
  }
  const procByPid = new Map(procs.map((x) => [x.p.pid, x]));
  const users = userNamespacesOf(procs, input.readerUserNs === undefined ? nsInode('/proc/self/ns/user') : input.readerUserNs);

  // Process groups and sessions: the leader's Pid when it is inside; else a Pid numbered as the members show it.
  const orphans = new Map<string, { serial: number; numbers: [number, number][] }>();
  const idPid = (cols: readonly number[], chain: readonly (Ns | null)[], self: number, what: string): number | null => {
    const readerNr = cols[0] ?? 0;
    if (readerNr !== 0 && procByPid.has(readerNr)) return pidOfTid.get(readerNr)!;
    const shown = cols.slice(col0, col0 + chain.length);
    const prefix: [number, number][] = [];
    for (const [i, nr] of shown.entries()) {
      if (nr === 0) break;
      prefix.push([nsSerialOf(chain[i]!), nr]);
    }
    if (prefix.length === 0) {
      standIns.push(`${self} (${what})`);
      return null;
    }
    const key = readerNr !== 0 ? `r${readerNr}` : `c${prefix.map(([s, n]) => `${s}:${n}`).join(',')}`;
    const known = orphans.get(key);
    if (known === undefined) orphans.set(key, { serial: serial++, numbers: prefix });
    else if (known.numbers.length < prefix.length) known.numbers = prefix;
    return orphans.get(key)!.serial;
  };

  const groups: ThreadGroupJson[] = [];
  const tasks: TaskJson[] = [];
  const sigHands: SigHandJson[] = [];
  const ttys: TerminalFact[] = [];
  const pgrpMembers = new Map<number, number[]>();
  const sessionMembers = new Map<number, number[]>();
  const alive = (t: LiveThread): boolean => t.stat.state !== 'Z' && t.stat.state !== 'X';
  /** The task a child of process `pid` names as its parent: the leader, or a live thread when the leader is a zombie. */
  const parentTask = (pid: number): number | null => {
    const x = procByPid.get(pid);
    if (x === undefined) return null;
    const t = x.threads.find(alive);
    return t === undefined ? null : seqOfTid.get(t.tid)!;
  };
  for (const { p, threads } of procs) {
    const g = groupOf.get(p.pid)!;
    const leader = threads[0]!;
    const chain = chainOf(p.ns);
    const ownPid = pidOfTid.get(p.pid)!;
    const pg = idPid(leader.status.nspgid, chain, p.pid, 'process group') ?? ownPid;
    const sid = idPid(leader.status.nssid, chain, p.pid, 'session') ?? pg;
    pgrpMembers.set(pg, [...(pgrpMembers.get(pg) ?? []), g]);
    sessionMembers.set(sid, [...(sessionMembers.get(sid) ?? []), g]);
    const live = threads.filter((t) => alive(t) && (t.stat.flags & PF_EXITING) === 0).length;
    const sets = leader.status.sets;
    // SIGKILL and SIGSTOP cannot be ignored or caught (do_sigaction): only a kernel thread's SigIgn shows them.
    const settable = ~((1n << BigInt(Signal.SIGKILL - 1)) | (1n << BigInt(Signal.SIGSTOP - 1)));
    const actions: [number, 'SIG_IGN' | 'catch'][] = [
      ...sigsetMembers(sets.sigIgn & settable).map((s) => [s, 'SIG_IGN'] as [number, 'SIG_IGN']),
      ...sigsetMembers(sets.sigCgt & settable).map((s) => [s, 'catch'] as [number, 'catch']),
    ];
    actions.sort((a, b) => a[0] - b[0]);
    let sighand: number | null = null;
    if (actions.length > 0) {
      sighand = serial++;
      sigHands.push({ serial: sighand, actions });
    }
    const stopped = live > 0 && threads.filter(alive).every((t) => t.stat.state === 'T');
    groups.push({
      serial: g, leader: seqOfTid.get(leader.tid)!, threads: threads.map((t) => seqOfTid.get(t.tid)!), pgrp: pg, session: sid, sighand, files: null,
      live, groupExit: live === 0, groupExitCode: live === 0 ? threads.find((t) => t.stat.exitCode !== 0)?.stat.exitCode ?? 0 : 0, stopped, stopCode: stopped ? Signal.SIGSTOP : 0, continuedPending: false,
      isChildSubreaper: false, hasChildSubreaper: false, unkillable: leader.status.nspid.at(-1) === 1, currTarget: seqOfTid.get(leader.tid)!,
      sharedPending: sigsetMembers(sets.shdPnd).map(pendingInfo), execId: 0,
    });
    // tpgid is numbered in the reader's namespace (do_task_stat: pid_nr_ns with the /proc mount's): the reader's numbers name Pids here.
    const fg = leader.stat.tpgid > 0 ? (pidOfTid.get(leader.stat.tpgid) ?? orphans.get(`r${leader.stat.tpgid}`)?.serial ?? null) : null;
    const ctty = leader.stat.ttyNr !== 0;
    ttys.push({ holder: leader.status.nspid.slice(base).join(' '), session: ctty ? sid : null, foreground: ctty ? fg : null });
    const parent = parentTask(p.ppid);
    for (const t of threads) {
      const me = seqOfTid.get(t.tid)!;
      const isLeader = t === leader;
      const children = isLeader || alive(t) ? procs.filter((c) => c.p.ppid === p.pid && parentTask(p.pid) === me).map((c) => seqOfTid.get(c.p.pid)!) : [];
      const zombie = !alive(t);
      const blocked = t.status.sets.sigBlk;
      const forChildren = nsForChildren(p, t);
      const childNs = forChildren === null ? byInode.get(p.ns)! : byInode.get(forChildren)!;
      tasks.push({
        seq: me, comm: kernelComm(t.status.name), pid: pidOfTid.get(t.tid)!, group: g, parent, children,
        exitState: zombie ? 'zombie' : (t.stat.flags & PF_EXITING) !== 0 ? 'exiting' : 'alive', exitCode: zombie ? t.stat.exitCode : 0, exitSignal: isLeader ? t.stat.exitSignal : -1,
        nsForChildren: childNs.serial,
        cred: { uid: t.status.uids[0], euid: t.status.uids[1], suid: t.status.uids[2], userNs: users.serialOf(t), caps: t.status.uids[1] === 0 },
        blocked: null, stopped: t.stat.state === 'T', parentExecId: 0, pending: sigsetMembers(t.status.sets.sigPnd).map(pendingInfo), handlersDue: [], woken: false, zapInitPids: 0,
        ...(blocked !== 0n ? { sigBlocked: blocked.toString(16) } : {}),
      });
    }
  }

  const pids: PidJson[] = [];
  for (const { p, threads } of procs) {
    const chain = chainOf(p.ns);
    for (const t of threads) {
      const s = pidOfTid.get(t.tid)!;
      const numbers = chain.map((x, i) => [nsSerialOf(x), t.status.nspid[col0 + i] ?? 0] as const);
      const isLeader = t.tid === p.pid;
      pids.push({ serial: s, numbers, hashed: true, task: seqOfTid.get(t.tid)!, tgidOf: isLeader ? groupOf.get(p.pid)! : null, pgrp: pgrpMembers.get(s) ?? [], session: sessionMembers.get(s) ?? [] });
    }
  }
  for (const o of orphans.values()) pids.push({ serial: o.serial, numbers: o.numbers, hashed: true, task: null, tgidOf: null, pgrp: pgrpMembers.get(o.serial) ?? [], session: sessionMembers.get(o.serial) ?? [] });
  pids.sort((a, b) => a.serial - b.serial);

  const sysctl = scenario ? null : (input.readerSysctl ?? readerSysctl)();
  const numbersIn = (nsSerial: number): number[] => pids.flatMap((x) => x.numbers.filter(([s]) => s === nsSerial).map(([, n]) => n));
  const pidNamespaces: PidNsJson[] = [];
  if (hostSerial !== null) {
    pidNamespaces.push({ serial: hostSerial, name: 'host', parent: null, userNs: 0, pidMax: PID_MAX_LIMIT, cursor: Math.max(0, ...numbersIn(hostSerial)) + 1, adding: true, childReaper: null });
  }
  nss.forEach((n, i) => {
    const init = procs.find((x) => x.p.ns === n.inode && x.p.nspid.at(-1) === 1);
    const initLeader = init?.threads[0];
    const used = numbersIn(n.serial);
    pidNamespaces.push({
      serial: n.serial,
      name: `ns${i}`,
      parent: n === root ? hostSerial : byInode.get(n.parent!)!.serial,
      userNs: 0,
      pidMax: sysctl !== null && n === root ? sysctl.pidMax : PID_MAX_LIMIT,
      // A namespace that never had its pid 1 has cursor 0 (its first task must be pid 1).
      cursor: used.length === 0 ? 0 : sysctl !== null && n === root ? sysctl.lastPid + 1 : Math.max(...used) + 1,
      // zap_pid_ns_processes() disables allocation once the init is exiting.
      adding: initLeader === undefined ? used.length === 0 : alive(initLeader) && (initLeader.stat.flags & PF_EXITING) === 0,
      childReaper: initLeader === undefined ? null : seqOfTid.get(initLeader.tid)!,
    });
  });
  if (standIns.length > 0) {
    const shown = standIns.slice(0, 10).join(', ');
    notes.push(`${standIns.length} process group${standIns.length === 1 ? '' : 's'} or session${standIns.length === 1 ? '' : 's'} led from beyond the snapshot's top namespace (0 at every level), each stood in for by the member's own group: ${shown}${standIns.length > 10 ? ', ...' : ''}`);
  }
  const rootInit = procs.find((x) => x.p.ns === root.inode && x.p.nspid.at(-1) === 1);
  // A snapshot never promotes a process to init (a sandbox may hide pid 1): without it there is no snapshot.
  if (rootInit === undefined) throw new HostSnapshotError(`pid 1 of PID namespace ${root.inode} could not be read (gone, or its /proc files are hidden from this process), and a snapshot needs its init`);
  const name = (nspid: readonly number[]): string => nspid.slice(base).join(' ');
  const byReaderNr = new Map<number, LiveThread>();
  for (const { threads } of procs) for (const t of threads) byReaderNr.set(t.status.nspid[0]!, t);
  const pidfds: PidfdFact[] = [];
  for (const { p, threads } of procs) {
    // The fd table through a live thread: a zombie leader's /proc/PID/fd is empty (its files are closed).
    const holder = threads.find((t) => alive(t) && (t.stat.flags & PF_EXITING) === 0);
    if (holder === undefined) continue;
    for (const f of input.pidfds?.(p.pid, holder.tid) ?? []) {
      const target = f.nr > 0 ? byReaderNr.get(f.nr) : undefined;
      if (f.nr > 0 && target === undefined) {
        notes.push(`process ${p.pid}: a pidfd of process ${f.nr}, which is outside the snapshot: left out`);
        continue;
      }
      pidfds.push({ holder: name(threads[0]!.status.nspid), target: target === undefined ? null : name(target.status.nspid), ino: f.ino, thread: (f.flags & 0o200) !== 0, nonblock: (f.flags & 0o4000) !== 0 });
    }
  }
  return {
    pidfds,
    terminals: ttys,
    json: {
      format: SNAPSHOT_FORMAT,
      version: SNAPSHOT_VERSION,
      mode: scenario ? 'scenario' : 'plain',
      counters: { taskSeq: seq, serials: serial, userNsSerial: users.list.length },
      init: seqOfTid.get(rootInit.p.pid)!,
      userNamespaces: users.list,
      ...(users.omitted.length > 0 ? { omitted: users.omitted } : {}),
      pidNamespaces,
      pids,
      sigHands,
      fdTables: [],
      threadGroups: groups,
      tasks: tasks.sort((a, b) => a.seq - b.seq),
      queues: { blockedWaiters: [], handlersDue: [], zapWaiting: [], exitQueue: [] },
    },
    notes,
  };
}
