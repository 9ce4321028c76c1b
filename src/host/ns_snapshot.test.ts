import { describe, expect, it } from 'vitest';
import { findViolations } from '../kernel/invariants.js';
import type { Kernel } from '../kernel/kernel.js';
import { samenessDifferences } from '../restore/same.js';
import { fromJSON } from '../snapshot/index.js';
import { TaskApi } from '../syscalls/task_api.js';
import { namespaceSnapshot, type LiveThread } from './ns_snapshot.js';
import type { HostProc } from './proc.js';
import type { ProcStatusFile } from './proc_files.js';

const R = 100; // the reader's namespace
const C = 200; // the container: NS
const D = 300; // a namespace below it

const NOSETS = { sigPnd: 0n, shdPnd: 0n, sigBlk: 0n, sigIgn: 0n, sigCgt: 0n };

interface Spec {
  readonly pid: number;
  readonly ppid: number;
  readonly ns: number;
  readonly nspid: readonly number[];
  readonly nspgid: readonly number[];
  readonly nssid: readonly number[];
  readonly state?: string;
  readonly exitCode?: number;
  readonly sets?: Partial<ProcStatusFile['sets']>;
  /** Extra threads: [tid, its NSpid, state]. */
  readonly threads?: readonly (readonly [number, readonly number[], string])[];
  readonly pidForChildren?: number | 'unborn' | null;
}

function world(specs: readonly Spec[]): { procs: Map<number, HostProc>; threads: (p: HostProc) => LiveThread[] | null } {
  const procs = new Map<number, HostProc>();
  const threads = new Map<number, LiveThread[]>();
  for (const s of specs) {
    const state = s.state ?? 'S';
    procs.set(s.pid, { pid: s.pid, ppid: s.ppid, pgid: s.nspgid[0]!, sid: s.nssid[0]!, comm: `p${s.pid}`, nspid: s.nspid, ns: s.ns, state, uids: [0, 0, 0] });
    const thread = (tid: number, nspid: readonly number[], st: string, leader: boolean): LiveThread => ({
      tid,
      status: { name: `p${s.pid}`, state: st, ppid: s.ppid, nstgid: s.nspid, nspid, nspgid: s.nspgid, nssid: s.nssid, uids: [0, 0, 0], sigPending: false, sets: { ...NOSETS, ...s.sets } },
      stat: { state: st, ppid: s.ppid, pgrp: s.nspgid[0]!, session: s.nssid[0]!, flags: 0, ttyNr: 0, tpgid: -1, exitSignal: leader ? 17 : -1, exitCode: st === 'Z' ? (s.exitCode ?? 0) : 0 },
      pidForChildren: s.pidForChildren === undefined ? s.ns : s.pidForChildren,
    });
    threads.set(s.pid, [thread(s.pid, s.nspid, state, true), ...(s.threads ?? []).map(([tid, nspid, st]) => thread(tid, nspid, st, false))]);
  }
  return { procs, threads: (p) => threads.get(p.pid) ?? null };
}

// A container C below the reader's namespace R, as `unshare -p -f` makes one, with the hard shapes in it.
const CONTAINER: Spec[] = [
  { pid: 30, ppid: 1, ns: R, nspid: [30], nspgid: [30], nssid: [30] },
  { pid: 40, ppid: 30, ns: R, nspid: [40], nspgid: [40], nssid: [30] },
  // init of C, session leader there.
  { pid: 50, ppid: 40, ns: C, nspid: [50, 1], nspgid: [50, 1], nssid: [50, 1], sets: { sigIgn: 1n << 9n, sigCgt: 1n << 14n } },
  // A member of a session whose leader (C:3, host 52) is dead; it unshared a PID namespace with no child yet.
  { pid: 53, ppid: 50, ns: C, nspid: [53, 4], nspgid: [52, 3], nssid: [52, 3], pidForChildren: 'unborn' },
  // A zombie with exit status 7.
  { pid: 54, ppid: 50, ns: C, nspid: [54, 5], nspgid: [50, 1], nssid: [50, 1], state: 'Z', exitCode: 7 << 8 },
  // A zombie leader of a live thread group.
  { pid: 55, ppid: 50, ns: C, nspid: [55, 6], nspgid: [50, 1], nssid: [50, 1], state: 'Z', threads: [[56, [56, 7], 'S']], sets: { sigBlk: 1n << 1n } },
  // A process whose session is led from outside C: 0 inside (CRIU issue 1647's shape).
  { pid: 57, ppid: 50, ns: C, nspid: [57, 8], nspgid: [57, 8], nssid: [30, 0] },
  // Init of D below C, and its child.
  { pid: 60, ppid: 50, ns: D, nspid: [60, 9, 1], nspgid: [50, 1, 0], nssid: [50, 1, 0] },
  { pid: 61, ppid: 60, ns: D, nspid: [61, 10, 2], nspgid: [50, 1, 0], nssid: [50, 1, 0] },
];

function load(json: Parameters<typeof fromJSON>[0]): Kernel {
  const r = fromJSON(json);
  if (!r.ok) throw new Error(`${r.error.path}: ${r.error.reason}`);
  expect(findViolations(r.kernel)).toEqual([]);
  return r.kernel;
}

describe('namespaceSnapshot (host snapshot --ns, the kernel backend\'s end state)', () => {
  const { procs, threads } = world(CONTAINER);
  const snap = namespaceSnapshot({ procs, root: C, threads });

  it('NS becomes ns0 below a host namespace; every thread a task; the snapshot loads with no violation', () => {
    expect(snap.json.mode).toBe('scenario');
    expect(snap.json.pidNamespaces.map((n) => n.name)).toEqual(['host', 'ns0', 'ns1', 'ns2']);
    // The reader's own processes are not in it: 7 processes of C and D, one of them with two threads.
    expect(snap.json.tasks).toHaveLength(8);
    expect(snap.notes).toEqual([]);
    load(snap.json);
  });

  it('sessions and groups: a dead leader keeps its numbers; one led from outside is numbered in the host only', () => {
    const k = load(snap.json);
    const byNr = (nr: number) => k.liveTasks().find((t) => t.tidIn(k.namespaces[0]!) === nr)!;
    const api = (nr: number): TaskApi => new TaskApi(k, byNr(nr));
    expect(api(4).getsid(0)).toEqual({ ok: true, value: 3 });
    expect(api(4).getpgid(0)).toEqual({ ok: true, value: 3 });
    expect(api(8).getsid(0)).toEqual({ ok: true, value: 0 });
    expect(api(8).getpgid(0)).toEqual({ ok: true, value: 8 });
    const dead = snap.json.pids.find((p) => p.task === null && p.numbers.length === 2)!;
    expect(dead.numbers.map(([, nr]) => nr)).toEqual([52, 3]);
    expect(byNr(10).parent).toBe(byNr(9));
  });

  it('zombies with their exit status, a zombie leader of a live group, masks, dispositions and an unborn namespace', () => {
    const k = load(snap.json);
    const ns0 = k.namespaces[0]!;
    const byNr = (nr: number) => k.liveTasks().find((t) => t.tidIn(ns0) === nr)!;
    expect(byNr(5).exitState).toBe('zombie');
    expect(byNr(5).exitCode).toBe(7 << 8);
    expect(byNr(6).exitState).toBe('zombie');
    expect(byNr(7).exitState).toBe('alive');
    expect(byNr(7).group).toBe(byNr(6).group);
    expect(byNr(7).group.live).toBe(1);
    expect(byNr(7).sigBlocked).toBe(1n << 1n);
    const unborn = byNr(4).nsForChildren;
    expect(unborn).not.toBe(ns0);
    expect(unborn.parent).toBe(ns0);
    const init = snap.json.threadGroups.find((g) => g.leader === snap.json.init)!;
    expect(snap.json.sigHands.find((h) => h.serial === init.sighand)?.actions).toEqual([[10, 'SIG_IGN'], [15, 'catch']]);
  });

  it('is the same, by the /proc rule, as itself read in another order; a changed session is a difference', () => {
    const again = world([...CONTAINER].reverse());
    expect(samenessDifferences(snap.json, namespaceSnapshot({ procs: again.procs, root: C, threads: again.threads }).json, 'proc')).toEqual([]);
    const moved = world(CONTAINER.map((s) => (s.pid === 53 ? { ...s, nssid: [50, 1] } : s)));
    const d = samenessDifferences(snap.json, namespaceSnapshot({ procs: moved.procs, root: C, threads: moved.threads }).json, 'proc');
    expect(d).toContainEqual({ task: '4', field: 'sid', expected: '3', got: '1' });
  });

  it('never promotes a process to init: without NS\'s pid 1 it says so', () => {
    const headless = world(CONTAINER.filter((s) => s.pid !== 50));
    expect(() => namespaceSnapshot({ procs: headless.procs, root: C, threads: headless.threads })).toThrow(/pid 1 of PID namespace 200 could not be read/);
  });

  it('the reader\'s own namespace is plain mode; a group no level numbers is stood in for, and said so once', () => {
    const { procs: p2, threads: t2 } = world([
      { pid: 1, ppid: 0, ns: R, nspid: [1], nspgid: [0], nssid: [0] },
      { pid: 2, ppid: 1, ns: R, nspid: [2], nspgid: [0], nssid: [0] },
    ]);
    const plain = namespaceSnapshot({ procs: p2, root: R, threads: t2, readerSysctl: () => ({ pidMax: 32768, lastPid: 2 }) });
    expect(plain.json.mode).toBe('plain');
    expect(plain.json.pidNamespaces[0]).toMatchObject({ pidMax: 32768, cursor: 3 });
    expect(plain.notes).toHaveLength(1);
    expect(plain.notes[0]).toMatch(/^4 process groups or sessions led from beyond/);
    load(plain.json);
  });
});
