// The visualizer's engine side (web/src/session.ts, view.ts): no DOM needed.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Session } from '../web/src/session.js';
import { buildView, type NsNode } from '../web/src/view.js';

const multi = readFileSync(new URL('../examples/multi_pidns.pidns', import.meta.url), 'utf8');

const depth = (nodes: readonly NsNode[]): number => Math.max(0, ...nodes.map((n) => 1 + depth(n.children)));

describe('visualizer session', () => {
  it('runs multi_pidns step by step: the chain of five namespaces under ns0', async () => {
    const s = await Session.load(multi, 'multi_pidns.pidns');
    expect(s.runnable).toBe(s.steps.length);
    expect(s.records.every((r) => r.mismatches.length === 0 && r.error === null)).toBe(true);
    const run = await s.runTo(7);
    const view = buildView(run.backend.kernel, null, 'ns1', null);
    expect(view.nsNames).toEqual(['ns0', 'ns1', 'ns2', 'ns3', 'ns4', 'ns5']);
    expect(depth(view.namespaces)).toBe(6);
    expect(view.tasks.find((t) => t.comm === 'p0')?.numbers).toEqual([5, 4, 3, 2, 1]);
    expect(view.ps).toHaveLength(5);
    expect(view.status).toContain('Name: p4');
  });

  it('shows a reparenting against the previous step', async () => {
    const s = await Session.load('init: fork() -> a\na: fork() -> b\na: exit(0)\n', 'r.pidns');
    const before = await s.runTo(2);
    const after = await s.runTo(3);
    const { snapshot } = await import('../src/kernel/snapshot.js');
    const view = buildView(after.backend.kernel, snapshot(before.backend.kernel), 'ns0', null);
    const b = view.tasks.find((t) => t.comm === 'b')!;
    expect(b.parent).toBe('init#0');
    expect(b.reparentedFrom).toBe('a#1');
    expect(view.tasks.find((t) => t.comm === 'a')?.state).toBe('zombie');
  });

  it('refuses a bad typed step and keeps the session', async () => {
    const s = await Session.load(multi, 'multi_pidns.pidns');
    const bad = await s.append('p9: getpid()', 3);
    expect(bad).toEqual({ error: 'console:1:1: unknown actor p9' });
    const syntax = await s.append('init: frok()', 3);
    expect('error' in syntax).toBe(true);
    const ok = await s.append('p2: getpid() = 1', 3);
    if (!('session' in ok)) throw new Error('expected a session');
    expect(ok.session.steps).toHaveLength(4);
    expect(ok.session.records[3]?.lines).toEqual(['p2: getpid() = 1']);
    expect(s.steps.length).toBeGreaterThan(4);
  });

  it('marks the step a scenario error stops on', async () => {
    const s = await Session.load('init: fork() -> a\nzz: getpid()\ninit: getpid()\n', 'e.pidns');
    expect(s.runnable).toBe(1);
    expect(s.records[1]?.error).toBe('e.pidns:2:1: unknown actor zz');
  });
});
