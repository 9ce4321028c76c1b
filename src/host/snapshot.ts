// `pidns host snapshot`: the live processes as a pidns snapshot
// (docs/snapshot.md), in plain mode: the reader's own namespace is the root
// (level 0, named ns0), every namespace below it ns1, ns2, ... by level and
// inode. One task per process (threads are not read); a task's seq is its
// rank by host pid, so scenario actor hN (N = number in the root namespace)
// maps to one task. Limits: one user namespace (the initial one; caps = uid 0),
// pid_for_children = the task's own namespace, no pidfds or dispositions, exit
// codes of zombies unknown (0); a process group or session whose leader is
// gone gets a Pid numbered only in the root namespace. A session whose leader
// is outside the reader's namespace reads as 0 in /proc/PID/stat
// (task_session_nr_ns, fs/proc/array.c); a snapshot has no level above its root
// to number it in, so the members' process group stands in for it (its Pid is
// also the session's), keeping every group inside one session as the kernel does.

import { readFileSync } from 'node:fs';
import { PID_MAX_LIMIT } from '../abi/limits.js';
import { Signal } from '../abi/signal.js';
import type { KernelJson, PidJson, PidNsJson, TaskJson, ThreadGroupJson } from '../snapshot/index.js';
import { SNAPSHOT_FORMAT, SNAPSHOT_VERSION } from '../snapshot/index.js';
import { namespaceTree } from './proc.js';
import type { HostProc } from './proc.js';

function readNumber(path: string, fallback: number): number {
  try {
    const n = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(n) ? n : fallback;
  } catch {
    return fallback;
  }
}

/**
 * The comm as the task holds it (at most 15 bytes): /proc shows more for a
 * workqueue worker ("kworker/0:1-events", wq_worker_comm() appends the
 * workqueue) and escapes unprintable bytes, so the shown name is cut to 15
 * bytes on a character boundary.
 */
export function kernelComm(shown: string): string {
  let out = '';
  let bytes = 0;
  for (const ch of shown) {
    const n = new TextEncoder().encode(ch).length;
    if (bytes + n > 15) break;
    out += ch;
    bytes += n;
  }
  return out;
}

/** A live state that cannot be written as a snapshot: the reason, one line. */
export class HostSnapshotError extends Error {
  override readonly name = 'HostSnapshotError';
}

export function hostSnapshot(procs: ReadonlyMap<number, HostProc>, rootNs: number): KernelJson {
  const tree = namespaceTree(procs);
  // The reader's namespace and everything below it, parents first.
  const below = new Set<number>([rootNs]);
  for (const n of tree) if (n.parent !== null && below.has(n.parent)) below.add(n.inode);
  const nss = tree.filter((n) => below.has(n.inode));
  const base = nss.find((n) => n.inode === rootNs)?.level ?? 0;
  let serial = 0;
  const nsSerial = new Map<number, number>();
  for (const n of nss) nsSerial.set(n.inode, serial++);
  const inside = [...procs.values()].filter((p) => below.has(p.ns)).sort((a, b) => a.pid - b.pid);
  const seqOf = new Map(inside.map((p, i) => [p.pid, i]));
  const pidSerial = new Map<number, number>();
  const groupSerial = new Map<number, number>();
  for (const p of inside) {
    pidSerial.set(p.pid, serial++);
    groupSerial.set(p.pid, serial++);
  }
  const parentOf = new Map(nss.map((n) => [n.inode, n.parent]));
  const chain = (p: HostProc): number[] => {
    const out: number[] = [];
    for (let ns: number | null | undefined = p.ns; ns !== null && ns !== undefined && below.has(ns); ns = parentOf.get(ns)) {
      out.unshift(ns);
      if (ns === rootNs) break;
    }
    return out;
  };
  const pids: PidJson[] = [];
  const pgrpMembers = new Map<number, number[]>();
  const sessionMembers = new Map<number, number[]>();
  // Pids of vanished group or session leaders: numbered in the root namespace only.
  const orphanIds = new Map<number, number>();
  const idPid = (hostId: number): number => {
    const s = pidSerial.get(hostId);
    if (s !== undefined) return s;
    let o = orphanIds.get(hostId);
    if (o === undefined) {
      o = serial++;
      orphanIds.set(hostId, o);
    }
    return o;
  };
  const groups: ThreadGroupJson[] = [];
  const tasks: TaskJson[] = [];
  for (const p of inside) {
    const seq = seqOf.get(p.pid)!;
    const g = groupSerial.get(p.pid)!;
    const pg = idPid(p.pgid === 0 ? p.pid : p.pgid);
    const sid = idPid(p.sid !== 0 ? p.sid : p.pgid !== 0 ? p.pgid : p.pid);
    pgrpMembers.set(pg, [...(pgrpMembers.get(pg) ?? []), g]);
    sessionMembers.set(sid, [...(sessionMembers.get(sid) ?? []), g]);
    const zombie = p.state === 'Z';
    const own = p.nspid.at(-1) === 1;
    groups.push({
      serial: g, leader: seq, threads: [seq], pgrp: pg, session: sid, sighand: null, files: null,
      live: zombie ? 0 : 1, groupExit: zombie, groupExitCode: 0, stopped: false, stopCode: 0, continuedPending: false,
      isChildSubreaper: false, hasChildSubreaper: false, unkillable: own, currTarget: seq, sharedPending: [], execId: 0,
    });
    const parent = seqOf.get(p.ppid) ?? null;
    tasks.push({
      seq, comm: kernelComm(p.comm), pid: pidSerial.get(p.pid)!, group: g, parent,
      children: inside.filter((c) => c.ppid === p.pid).map((c) => seqOf.get(c.pid)!),
      exitState: zombie ? 'zombie' : 'alive', exitCode: 0, exitSignal: Signal.SIGCHLD, nsForChildren: nsSerial.get(p.ns)!,
      cred: { uid: p.uids[0], euid: p.uids[1], suid: p.uids[2], userNs: 0, caps: p.uids[1] === 0 },
      blocked: null, stopped: false, parentExecId: 0, pending: [], handlersDue: [], woken: false, zapInitPids: 0,
    });
  }
  for (const p of inside) {
    const s = pidSerial.get(p.pid)!;
    const nsChain = chain(p);
    const numbers = nsChain.map((ns, i) => [nsSerial.get(ns)!, p.nspid[base + i]!] as const);
    pids.push({ serial: s, numbers, hashed: true, task: seqOf.get(p.pid)!, tgidOf: groupSerial.get(p.pid)!, pgrp: pgrpMembers.get(s) ?? [], session: sessionMembers.get(s) ?? [] });
  }
  for (const [hostId, s] of orphanIds) {
    const rootNr = procs.get(hostId)?.nspid[base] ?? hostId;
    pids.push({ serial: s, numbers: [[nsSerial.get(rootNs)!, rootNr]], hashed: true, task: null, tgidOf: null, pgrp: pgrpMembers.get(s) ?? [], session: sessionMembers.get(s) ?? [] });
  }
  pids.sort((a, b) => a.serial - b.serial);
  const pidNamespaces: PidNsJson[] = nss.map((n, i) => {
    const init = n.init === null ? undefined : seqOf.get(n.init);
    const numbersHere = inside.filter((p) => chain(p).includes(n.inode)).map((p) => p.nspid[n.level]!);
    return {
      serial: nsSerial.get(n.inode)!,
      name: `ns${i}`,
      parent: n.inode === rootNs || n.parent === null ? null : nsSerial.get(n.parent)!,
      userNs: 0,
      pidMax: n.inode === rootNs ? readNumber('/proc/sys/kernel/pid_max', 4194304) : PID_MAX_LIMIT,
      cursor: n.inode === rootNs ? readNumber('/proc/sys/kernel/ns_last_pid', 0) + 1 : Math.max(0, ...numbersHere) + 1,
      // zap_pid_ns_processes disabled allocation when the init died: a zombie init's namespace takes no more.
      adding: n.init === null || procs.get(n.init)?.state !== 'Z',
      childReaper: init ?? null,
    };
  });
  // The root's init is its pid 1: a snapshot never promotes another process to it (a sandbox may hide pid 1).
  const rootInit = inside.find((p) => p.ns === rootNs && p.nspid[base] === 1);
  if (rootInit === undefined) throw new HostSnapshotError('pid 1 of the reader\'s namespace could not be read (its /proc files are hidden from this process), and a snapshot needs its init');
  const tasksSorted = tasks.sort((a, b) => a.seq - b.seq);
  return {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    mode: 'plain',
    counters: { taskSeq: inside.length, serials: serial, userNsSerial: 1 },
    init: seqOf.get(rootInit.pid)!,
    userNamespaces: [{ serial: 0, parent: null, owner: 0 }],
    pidNamespaces,
    pids,
    sigHands: [],
    fdTables: [],
    threadGroups: groups,
    tasks: tasksSorted,
    queues: { blockedWaiters: [], handlersDue: [], zapWaiting: [], exitQueue: [] },
  };
}
