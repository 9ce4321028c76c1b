// The loader refuses snapshots that are not states Linux can be in: each
// named corruption is refused with its path and reason, and any single-field
// corruption of a real snapshot is either refused or loads into a kernel that
// keeps every invariant through 100 further random steps.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkInvariants } from '../kernel/invariants.js';
import { Kernel } from '../kernel/kernel.js';
import { opArb, step } from '../kernel/test_random_history.js';
import { TaskApi } from '../syscalls/task_api.js';
import { CLONE_NEWPID } from '../abi/clone.js';
import { Signal } from '../abi/signal.js';
import { fromJSON, toJSON } from './index.js';

type Json = Record<string, unknown>;
type Snap = { tasks: Json[]; pids: Json[]; pidNamespaces: Json[]; threadGroups: Json[] } & Json;

/** init, a child in a new PID namespace (its pid 1) and a grandchild: enough family for every link. */
function sample(): Snap {
  const k = new Kernel();
  const init = new TaskApi(k, k.init);
  const c = init.clone(CLONE_NEWPID | Signal.SIGCHLD);
  if (!c.ok) throw new Error('clone failed');
  const g = new TaskApi(k, c.value.child).fork();
  if (!g.ok) throw new Error('fork failed');
  return JSON.parse(JSON.stringify(toJSON(k))) as Snap;
}

function refusal(json: unknown): string {
  const r = fromJSON(json);
  if (r.ok) return 'accepted';
  return `${r.error.path}: ${r.error.reason}`;
}

const taskIndex = (s: Snap, seq: number): number => s.tasks.findIndex((t) => t.seq === seq);

describe('fromJSON refuses states Linux cannot be in', () => {
  it('accepts the sample', () => {
    expect(refusal(sample())).toBe('accepted');
  });

  it('a task that is its own parent', () => {
    const s = sample();
    s.tasks[2]!.parent = s.tasks[2]!.seq;
    expect(refusal(s)).toBe('tasks[2].parent: task 2 is its own parent');
  });

  it('a parent chain with a cycle', () => {
    const s = sample();
    // init's parent becomes its own grandchild: init -> 2 -> 1 -> init.
    s.tasks[0]!.parent = s.tasks[2]!.seq;
    expect(refusal(s)).toMatch(/^tasks\[0\]\.parent: the parent chain of task 0 has a cycle through task /);
  });

  it('a childReaper that is not the namespace\'s pid 1', () => {
    const s = sample();
    const ns1 = s.pidNamespaces.findIndex((n) => n.name === 'ns1');
    // The grandchild (pid 2 in ns1) as ns1's reaper: a later exit_group of pid 1 would wait for ever.
    s.pidNamespaces[ns1]!.childReaper = 2;
    expect(refusal(s)).toBe(`pidNamespaces[${ns1}].childReaper: task 2 is not of the thread group that is pid 1 in ns1`);
  });

  it('hashed: false on a live task\'s Pid', () => {
    const s = sample();
    const i = s.pids.findIndex((p) => p.task === 2);
    s.pids[i]!.hashed = false;
    expect(refusal(s)).toMatch(new RegExp(`^pids\\[${i}\\]\\.hashed: false, but the Pid's task 2 is not released`));
  });

  it('a comm longer than 15 bytes, also in UTF-8, and a NUL in it', () => {
    for (const [comm, why] of [
      ['sixteen_bytes_xx', 'comm is longer than 15 bytes'],
      ['ééééééééé', 'comm is longer than 15 bytes'], // 9 characters, 18 bytes
      ['a\0b', 'comm holds a NUL byte'],
    ] as const) {
      const s = sample();
      s.tasks[1]!.comm = comm;
      expect(refusal(s)).toBe(`tasks[1].comm: ${why}`);
    }
    const s = sample();
    s.tasks[1]!.comm = 'fifteen_bytes_x';
    expect(refusal(s)).toBe('accepted');
  });

  it('a 100 MB comm, cheaply', () => {
    const s = sample();
    s.tasks[1]!.comm = 'x'.repeat(100 * 1024 * 1024);
    const t0 = performance.now();
    expect(refusal(s)).toBe('tasks[1].comm: comm is longer than 15 bytes');
    expect(performance.now() - t0).toBeLessThan(200);
  });

  it('uid -1 and other ids no task can hold', () => {
    for (const [field, value] of [['uid', -1], ['euid', 2 ** 32 - 1], ['suid', -5]] as const) {
      const s = sample();
      (s.tasks[1]!.cred as Json)[field] = value;
      expect(refusal(s)).toBe(`tasks[1].cred.${field}: ${value} is out of range [0, ${2 ** 32 - 2}]`);
    }
  });

  it('a signal 0 queued, a zombie with children, a live task whose parent is released', () => {
    const s1 = sample();
    s1.tasks[1]!.pending = [[0, 0, 0, 0]];
    expect(refusal(s1)).toBe('tasks[1].pending[0][0]: 0 is out of range [1, 64]');
    const s2 = sample();
    s2.tasks[taskIndex(s2, 1)]!.exitState = 'zombie';
    expect(refusal(s2)).toMatch(/inconsistent state: .*a zombie task holds children/);
    const s3 = sample();
    s3.tasks[taskIndex(s3, 1)]!.exitState = 'dead';
    expect(refusal(s3)).toMatch(/is dead but|not on the task list|not released/);
  });

  it('ns_for_children outside the task\'s namespace, a group live count that is wrong', () => {
    const s1 = sample();
    const host = s1.pidNamespaces[0]!.serial as number;
    s1.tasks[2]!.nsForChildren = host;
    expect(refusal(s1)).toMatch(/inconsistent state: .*ns_for_children host is not ns1 or below it/);
    const s2 = sample();
    s2.threadGroups[0]!.live = 2;
    expect(refusal(s2)).toMatch(/inconsistent state: .*live count is 2 but 1 threads are alive/);
  });
});

/** Every leaf of a JSON value, as a path of keys. */
function leaves(v: unknown, path: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (Array.isArray(v)) {
    out.push(path); // the array itself: emptied, shortened or doubled
    v.forEach((x, i) => leaves(x, [...path, i], out));
  } else if (typeof v === 'object' && v !== null) {
    for (const [key, x] of Object.entries(v)) leaves(x, [...path, key], out);
  } else out.push(path);
  return out;
}

function mutated(v: unknown, choice: number, numbers: readonly number[]): unknown {
  if (Array.isArray(v)) {
    const a = v as unknown[];
    return [[], a.slice(1), [...a, ...a], [a[0], a[0]], a.slice().reverse()][choice % 5];
  }
  if (typeof v === 'boolean') return !v;
  if (typeof v === 'number') return [-1, 0, 1, 2, v + 1, v - 1, 300, 2 ** 31, 4194305, numbers[choice % numbers.length]!, null, 'x'][choice % 12];
  if (typeof v === 'string') return ['', 'sixteen_bytes_xx', 'alive', 'zombie', 'exiting', 'dead', 'catch', 'SIG_IGN', 'pid', 'all', 1][choice % 11];
  return [0, 1, 2, 'x', false, []][choice % 6];
}

function setAt(root: unknown, path: readonly (string | number)[], value: unknown): void {
  let o = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) o = o[key] as Record<string | number, unknown>;
  o[path[path.length - 1]!] = value;
}

describe('single-field corruptions of real snapshots', () => {
  it('are refused, or load into a state that keeps every invariant for 100 random steps', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(
        fc.array(opArb, { minLength: 0, maxLength: 40 }),
        fc.boolean(),
        fc.nat(),
        fc.nat(),
        fc.array(opArb, { minLength: 100, maxLength: 100 }),
        (history, plain, which, choice, after) => {
          const k = new Kernel(plain ? { mode: 'plain' } : {});
          for (const op of history) if (step(k, op) === null) break;
          const json = JSON.parse(JSON.stringify(toJSON(k))) as unknown;
          const paths = leaves(json).filter((p) => p.length > 0);
          const path = paths[which % paths.length]!;
          let v: unknown = json;
          for (const key of path) v = (v as Record<string | number, unknown>)[key];
          const numbers = leaves(json).map((p) => p.reduce<unknown>((o, key) => (o as Record<string | number, unknown>)[key], json)).filter((x): x is number => typeof x === 'number');
          const value = mutated(v, choice, numbers);
          setAt(json, path, value);
          const r = fromJSON(json);
          if (!r.ok) {
            refused++;
            expect(r.error.reason.length).toBeGreaterThan(0);
            return;
          }
          accepted++;
          try {
            for (const op of after) {
              if (step(r.kernel, op) === null) break;
              checkInvariants(r.kernel);
            }
          } catch (e) {
            throw new Error(`${path.join('.')} := ${JSON.stringify(value)} (was ${JSON.stringify(v)}) loaded, then: ${e instanceof Error ? e.message : String(e)}`);
          }
        },
      ),
      { numRuns: 3000 },
    );
    // Both outcomes happen: the corruptions reach fields the loader cannot tell from a real history, and ones it must refuse.
    expect(accepted).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  }, 120_000);
});
