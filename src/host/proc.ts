// Live inspection of the host's PID namespaces from /proc (Linux only).
// Each process gives its NSpid chain (its number in every namespace from the
// reader's own namespace down to its own) and its namespace inode
// (readlink /proc/PID/ns/pid). Processes that vanish while being read are
// skipped.
//
// Namespace parents: ioctl(NS_GET_PARENT) is out of reach without native
// code, so the tree is derived: a namespace's init (the process whose last
// NSpid column is 1) was forked by a process of the parent namespace, so
// parent(ns) = ns of init's parent. Limits: a namespace whose init has exited
// (or was reparented to a namespace other than its creator's), or one with no
// process, cannot be placed; such a namespace is attached to the nearest
// namespace at level - 1 that contains any of its processes' ancestors, else
// shown as a root. Levels are relative to the reader's namespace.

import { existsSync, readdirSync } from 'node:fs';
import { nsInode, readStat, readStatus } from './proc_files.js';

export interface HostProc {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  readonly sid: number;
  readonly comm: string;
  /** NSpid: from the reader's namespace (index 0) down to the process's own. */
  readonly nspid: readonly number[];
  /** The inode of its PID namespace. */
  readonly ns: number;
  /** The state letter of /proc/PID/stat (R, S, Z, ...). */
  readonly state: string;
  /** Real, effective, saved uid (Uid: line). */
  readonly uids: readonly [number, number, number];
}

export interface HostNs {
  readonly inode: number;
  /** Depth below the reader's namespace (0: the reader's own). */
  readonly level: number;
  readonly parent: number | null;
  /** Host pid of its init (the process numbered 1 in it), if alive. */
  readonly init: number | null;
  /** Processes whose own namespace this is. */
  readonly processes: number;
  /** Processes visible in it (its own and its descendants'). */
  readonly visible: number;
}

/**
 * One process, or null if it vanished (or is unreadable) meanwhile.
 * `readerNs`: the reader's own PID namespace inode. A process whose ns link
 * is refused (ptrace access: a sandbox hides pid 1's) but whose NSpid has one
 * column lives in the reader's namespace (NSpid runs from the reader's level
 * down to the process's own), so its namespace is known without the link.
 */
export function readProc(pid: number, proc = '/proc', readerNs: number | null = null): HostProc | null {
  const status = readStatus(`${proc}/${pid}/status`);
  const stat = readStat(`${proc}/${pid}/stat`);
  if (status === null || stat === null) return null;
  const ns = nsInode(`${proc}/${pid}/ns/pid`) ?? (status.nspid.length === 1 ? readerNs : null);
  if (ns === null) return null;
  return {
    pid,
    ppid: stat.ppid,
    pgid: stat.pgrp,
    sid: stat.session,
    comm: status.name,
    nspid: status.nspid.length > 0 ? status.nspid : [pid],
    ns,
    state: stat.state,
    uids: status.uids,
  };
}

/** Every process the reader can see, by host pid. */
export function readProcs(proc = '/proc'): Map<number, HostProc> {
  return readProcsReport(proc).procs;
}

/**
 * Every process the reader can see, and the pids listed in /proc whose files
 * could not be read (hidden from the reader: in a sandbox /proc/1/ns/pid may
 * be refused; a process gone meanwhile is not counted), for the tools that must say what they left out.
 */
export function readProcsReport(proc = '/proc'): { procs: Map<number, HostProc>; unreadable: number[] } {
  const procs = new Map<number, HostProc>();
  const unreadable: number[] = [];
  const readerNs = nsInode(`${proc}/self/ns/pid`);
  for (const name of readdirSync(proc)) {
    if (!/^\d+$/.test(name)) continue;
    const p = readProc(Number(name), proc, readerNs);
    if (p !== null) procs.set(p.pid, p);
    // One that exited between the listing and the read is simply gone: only a process still there
    // is one the reader could not see into (a busy machine would otherwise name its short-lived processes).
    else if (existsSync(`${proc}/${name}`)) unreadable.push(Number(name));
  }
  return { procs, unreadable: unreadable.sort((a, b) => a - b) };
}

/** The namespace tree, derived from NSpid chains and the process tree (see the file comment). */
export function namespaceTree(procs: ReadonlyMap<number, HostProc>): HostNs[] {
  const level = new Map<number, number>();
  const own = new Map<number, number>();
  const init = new Map<number, HostProc>();
  for (const p of procs.values()) {
    level.set(p.ns, p.nspid.length - 1);
    own.set(p.ns, (own.get(p.ns) ?? 0) + 1);
    if (p.nspid[p.nspid.length - 1] === 1) init.set(p.ns, p);
  }
  const parent = new Map<number, number | null>();
  for (const [ns, lv] of level) {
    let found: number | null = null;
    const i = init.get(ns);
    const viaInit = i === undefined ? undefined : procs.get(i.ppid);
    if (viaInit !== undefined && level.get(viaInit.ns) === lv - 1) found = viaInit.ns;
    else if (lv > 0) {
      // Fallback: the namespace at level - 1 of the nearest ancestor process that lives there.
      for (const p of procs.values()) {
        if (p.ns !== ns) continue;
        for (let a = procs.get(p.ppid); a !== undefined && found === null; a = procs.get(a.ppid)) if (a.nspid.length === lv) found = a.ns;
        if (found !== null) break;
      }
    }
    parent.set(ns, found);
  }
  const visible = new Map<number, number>();
  for (const p of procs.values()) for (let ns: number | null | undefined = p.ns; ns !== null && ns !== undefined; ns = parent.get(ns)) visible.set(ns, (visible.get(ns) ?? 0) + 1);
  return [...level.keys()]
    .map((inode) => ({ inode, level: level.get(inode)!, parent: parent.get(inode) ?? null, init: init.get(inode)?.pid ?? null, processes: own.get(inode) ?? 0, visible: visible.get(inode) ?? 0 }))
    .sort((a, b) => a.level - b.level || a.inode - b.inode);
}

/** A process's number in namespace `ns` (at `nsLevel`), or 0 when it is not visible there. */
export function pidIn(p: HostProc, ns: number, nsLevel: number, tree: ReadonlyMap<number, HostNs>): number {
  const lv = p.nspid.length - 1;
  if (nsLevel > lv) return 0;
  let cur: number | null = p.ns;
  for (let l = lv; l > nsLevel && cur !== null; l--) cur = tree.get(cur)?.parent ?? null;
  return cur === ns ? p.nspid[nsLevel]! : 0;
}

/** A process as `host ps` shows it: HostProc's identity fields, numbered as the chosen namespace sees them. */
export type PsRow = Pick<HostProc, 'pid' | 'ppid' | 'pgid' | 'sid' | 'comm' | 'nspid' | 'ns'>;

/** Processes visible in `ns`, numbered as it sees them (0: the parent, group or session is outside). */
export function psIn(procs: ReadonlyMap<number, HostProc>, ns: number): PsRow[] {
  const tree = new Map(namespaceTree(procs).map((n) => [n.inode, n]));
  const lv = tree.get(ns)?.level;
  if (lv === undefined) return [];
  const byHost = (host: number): number => {
    const q = procs.get(host);
    return q === undefined ? 0 : pidIn(q, ns, lv, tree);
  };
  const rows: PsRow[] = [];
  for (const p of procs.values()) {
    const pid = pidIn(p, ns, lv, tree);
    if (pid === 0) continue;
    rows.push({ pid, ppid: byHost(p.ppid), pgid: byHost(p.pgid), sid: byHost(p.sid), comm: p.comm, nspid: p.nspid.slice(lv), ns: p.ns });
  }
  return rows.sort((a, b) => a.pid - b.pid);
}

/** `pid` as namespace `from` numbers it, seen from `to`; 0 when it is not visible in either. */
export function translate(procs: ReadonlyMap<number, HostProc>, pid: number, from: number, to: number): number {
  const tree = new Map(namespaceTree(procs).map((n) => [n.inode, n]));
  const fl = tree.get(from)?.level;
  const tl = tree.get(to)?.level;
  if (fl === undefined || tl === undefined) return 0;
  for (const p of procs.values()) {
    if (pidIn(p, from, fl, tree) !== pid) continue;
    return pidIn(p, to, tl, tree);
  }
  return 0;
}

/** NS as the CLI takes it: an inode, or `pid:N` for the namespace of host pid N. */
export function resolveNs(procs: ReadonlyMap<number, HostProc>, arg: string): number | null {
  const m = /^pid:(\d+)$/.exec(arg);
  if (m !== null) return procs.get(Number(m[1]))?.ns ?? null;
  const ino = /^(?:pid:\[)?(\d+)\]?$/.exec(arg);
  return ino === null ? null : Number(ino[1]);
}
