import { describe, expect, it } from 'vitest';
import { findViolations } from '../kernel/invariants.js';
import { fromJSON } from '../snapshot/index.js';
import { TaskApi } from '../syscalls/task_api.js';
import type { HostProc } from './proc.js';
import { HostSnapshotError, hostSnapshot } from './snapshot.js';

const NS = 4026531836;

function proc(pid: number, ppid: number, pgid: number, sid: number, comm: string): HostProc {
  return { pid, ppid, pgid, sid, comm, nspid: [pid], ns: NS, state: 'S', uids: [0, 0, 0] };
}

describe('hostSnapshot', () => {
  // As under a container runtime: the session leader (and init's group) are
  // outside the reader's namespace, so /proc/PID/stat reads session 0; `timeout`
  // made its own process group, which its children share.
  const procs = new Map<number, HostProc>([
    [1, proc(1, 0, 0, 0, 'sh')],
    [53, proc(53, 1, 53, 0, 'timeout')],
    [54, proc(54, 53, 53, 0, 'npm')],
    [55, proc(55, 54, 53, 0, 'node')],
    [60, proc(60, 55, 60, 60, 'runner')],
  ]);

  it('a session outside the namespace: one stand-in session per process group, and the snapshot loads', () => {
    const loaded = fromJSON(hostSnapshot(procs, NS));
    if (!loaded.ok) throw new Error(`${loaded.error.path}: ${loaded.error.reason}`);
    const k = loaded.kernel;
    expect(findViolations(k)).toEqual([]);
    const tasks = [...k.liveTasks()].sort((a, b) => a.seq - b.seq);
    const sids = new Map(tasks.map((t) => [t.seq, new TaskApi(k, t).getsid(0)]));
    // timeout, npm and node: one session (their group's stand-in); runner its own; sh its own.
    expect([...sids.values()]).toEqual([{ ok: true, value: 1 }, { ok: true, value: 53 }, { ok: true, value: 53 }, { ok: true, value: 53 }, { ok: true, value: 60 }]);
  });

  it('never promotes a process to init when pid 1 could not be read (as in a sandbox): it says so instead', () => {
    const withoutInit = new Map([...procs].filter(([pid]) => pid !== 1));
    expect(() => hostSnapshot(withoutInit, NS)).toThrow(HostSnapshotError);
    expect(() => hostSnapshot(withoutInit, NS)).toThrow(/pid 1 of the reader's namespace could not be read/);
  });
});
