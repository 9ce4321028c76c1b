// Random call sequences against the engine: after every step the invariant
// checker runs, and a call that fails must leave the model exactly as it was
// (snapshots compared). The one exception is Linux's own: alloc_pid does not
// roll back the allocation cursors of the levels that succeeded, so a fork
// that fails with EAGAIN or ENOMEM may move cursors (and nothing else).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TaskApi } from '../syscalls/task_api.js';
import { checkInvariants } from './invariants.js';
import { Kernel } from './kernel.js';
import { fromJSON, parseSnapshot, toJSON } from '../snapshot/index.js';
import { ProcFs } from '../procfs/procfs.js';
import { snapshot } from './snapshot.js';
import { failedCallView, opArb, step } from './test_random_history.js';
import { Task } from './task.js';
import { PidNamespace } from './pid_namespace.js';
import { Pid } from './pid.js';

describe('random call sequences', () => {
  it('keep every invariant, and failing calls change nothing', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 10, maxLength: 80 }), fc.boolean(), (ops, plain) => {
        const k = new Kernel(plain ? { mode: 'plain' } : {});
        checkInvariants(k);
        for (const op of ops) {
          const before = snapshot(k);
          const r = step(k, op);
          if (r === null) break;
          checkInvariants(k);
          if (!r.result.ok) {
            const after = snapshot(k);
            const allocPid = r.forkFamily && (r.result.code === 'EAGAIN' || r.result.code === 'ENOMEM');
            expect(failedCallView(after, allocPid)).toEqual(failedCallView(before, allocPid));
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});

/** A call's result with model objects named (a task by seq, a namespace by name, a Pid by serial), so two kernels' results compare. */
function plainResult(r: unknown): string {
  return JSON.stringify(r, (_key, v: unknown) => {
    if (v instanceof Task) return `task ${v.seq}`;
    if (v instanceof PidNamespace) return `ns ${v.name}`;
    if (v instanceof Pid) return `pid ${v.serial}`;
    return v;
  });
}

/** Every namespace's /proc as plain data: readdir, and status of each task it sees. */
function procViews(k: Kernel): unknown {
  const all = k.host === null ? k.namespaces : [k.host, ...k.namespaces];
  return all.map((ns) => {
    const fs = new ProcFs(k, ns);
    return { rows: fs.readdir(), status: k.liveTasks().map((t) => fs.status(t)) };
  });
}

describe('snapshots (src/snapshot)', () => {
  it('restore to a kernel whose every view and every further step is identical', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 0, maxLength: 60 }), fc.array(opArb, { minLength: 1, maxLength: 40 }), fc.boolean(), (before, after, plain) => {
        const k = new Kernel(plain ? { mode: 'plain' } : {});
        for (const op of before) if (step(k, op) === null) break;
        const json = toJSON(k);
        const loaded = parseSnapshot(JSON.stringify(json));
        if (!loaded.ok) throw new Error(`refused: ${loaded.error.path}: ${loaded.error.reason}`);
        const r = loaded.kernel;
        expect(toJSON(r)).toEqual(json);
        expect(snapshot(r)).toEqual(snapshot(k));
        expect(procViews(r)).toEqual(procViews(k));
        for (const op of after) {
          const a = step(k, op);
          const b = step(r, op);
          expect(plainResult(b?.result)).toBe(plainResult(a?.result));
          if (a === null) break;
          checkInvariants(r);
          expect(snapshot(r)).toEqual(snapshot(k));
          expect(procViews(r)).toEqual(procViews(k));
        }
        expect(toJSON(r)).toEqual(toJSON(k));
      }),
      { numRuns: 1000 },
    );
  });

  it('refuse malformed, truncated and inconsistent snapshots with a reason', () => {
    const k = new Kernel();
    const api = new TaskApi(k, k.init);
    api.fork();
    const good = toJSON(k);
    const text = JSON.stringify(good);
    const bad = (json: unknown): string => {
      const r = fromJSON(json);
      if (r.ok) throw new Error('accepted');
      return `${r.error.path}: ${r.error.reason}`;
    };
    expect(fromJSON(good).ok).toBe(true);
    const t = parseSnapshot(text.slice(0, text.length - 10));
    expect(t.ok).toBe(false);
    if (!t.ok) expect(t.error.reason).toMatch(/^not JSON/);
    expect(bad({ ...good, version: 5 })).toMatch(/^version: unsupported version 5/);
    expect(fromJSON({ ...good, version: 3 }).ok).toBe(true);
    expect(fromJSON({ ...good, version: 1 }).ok).toBe(true);
    expect(bad({ ...good, format: 'x' })).toMatch(/^format:/);
    expect(bad({ ...good, tasks: undefined })).toBe('tasks: expected an array');
    const clone = (): { tasks: Record<string, unknown>[]; pids: Record<string, unknown>[] } => JSON.parse(text) as { tasks: Record<string, unknown>[]; pids: Record<string, unknown>[] };
    const c1 = clone();
    c1.tasks[1]!.parent = 77;
    expect(bad(c1)).toBe('tasks[1].parent: no task 77 in the snapshot');
    const c2 = clone();
    c2.tasks[1]!.exitState = 'sleeping';
    expect(bad(c2)).toMatch(/^tasks\[1\]\.exitState: expected one of/);
    // Two Pids claiming the same number.
    const c3 = clone();
    c3.pids[1]!.numbers = c3.pids[0]!.numbers;
    expect(bad(c3)).toMatch(/is held by another Pid too/);
    // Well-formed but inconsistent: the child is not on its parent's children list.
    const c4 = clone();
    c4.tasks[0]!.children = [];
    expect(bad(c4)).toMatch(/^: inconsistent state: .*not on its parent's children list/);
    // A thread group listed as a member of two process groups: one set of links cannot be on two lists.
    const c5 = clone();
    const withMembers = c5.pids.filter((p) => (p.pgrp as number[]).length > 0);
    const other = c5.pids.find((p) => (p.pgrp as number[]).length === 0)!;
    other.pgrp = [...(withMembers[0]!.pgrp as number[])];
    expect(bad(c5)).toMatch(/pgrp\[0\]: the thread group is a member of another process group too/);
    // A live task whose Pid does not name it would drop out of the task list (the root namespace's Pids).
    const c6 = clone();
    const childPid = c6.pids.find((p) => p.task === c6.tasks[1]!.seq)!;
    childPid.task = null;
    expect(bad(c6)).toMatch(/^tasks\[1\]\.pid: task 1 is not released but its Pid does not name it/);
  });
});
