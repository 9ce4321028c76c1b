// The visualizer's engine side (web/src/session.ts, picture.ts, changes.ts, narration.ts, view.ts, pidview.ts): no DOM needed.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../src/scenario/index.js';
import { toJSON } from '../src/snapshot/index.js';
import { importTraceText } from '../src/trace/index.js';
import { diff } from '../web/src/changes.js';
import { narration } from '../web/src/narration.js';
import { nsByName, picture, type Picture } from '../web/src/picture.js';
import { describe as say, structPid } from '../web/src/pidview.js';
import { Session, kindOf } from '../web/src/session.js';
import { buildView, type NsBox } from '../web/src/view.js';

const multi = readFileSync(new URL('../examples/multi_pidns.pidns', import.meta.url), 'utf8');
const groups = readFileSync(new URL('./e2e/fixtures/groups.pidns', import.meta.url), 'utf8');

const depth = (nodes: readonly NsBox[]): number => Math.max(0, ...nodes.map((n) => 1 + depth(n.children)));

async function at(s: Session, n: number): Promise<{ pic: Picture; before: Picture | null }> {
  const pic = picture(toJSON((await s.runTo(n)).kernel));
  const before = n > 0 ? picture(toJSON((await s.runTo(n - 1)).kernel)) : null;
  return { pic, before };
}

describe('visualizer session', () => {
  it('runs multi_pidns step by step: the chain of five namespaces under ns0, p0 numbered 6 5 4 3 2 1', async () => {
    const s = await Session.load(multi, 'multi_pidns.pidns');
    expect(s.runnable).toBe(s.steps.length);
    expect(s.records.every((r) => r.mismatches.length === 0 && r.error === null)).toBe(true);
    const run = await s.runTo(7);
    const { pic, before } = await at(s, 7);
    const view = buildView(run.kernel, pic, before, diff(before, pic), 'ns1', null);
    expect(view.nsNames).toEqual(['ns0', 'ns1', 'ns2', 'ns3', 'ns4', 'ns5']);
    expect(depth(view.namespaces)).toBe(6);
    expect(view.tasks.find((t) => t.comm === 'p0')?.pid).toBe(5);
    expect(view.ps).toHaveLength(5);
    expect(view.status).toContain('Name: p4');
    const p0 = [...pic.tasks.values()].find((t) => t.comm === 'p0')!;
    const sp = structPid(pic, p0, nsByName(pic, 'ns2')!)!;
    expect(sp.main.level).toBe(6);
    expect(sp.main.cells.filter((c) => !c.host).map((c) => [c.ns, c.nr])).toEqual([
      ['ns0', 6],
      ['ns1', 5],
      ['ns2', 4],
      ['ns3', 3],
      ['ns4', 2],
      ['ns5', 1],
    ]);
    expect(sp.main.cells.find((c) => c.chosen)?.ns).toBe('ns2');
  });

  it('says what the kill of ns3 init did: three killed, two reaped with it, three namespaces closed', async () => {
    const s = await Session.load(multi, 'multi_pidns.pidns');
    const { pic, before } = await at(s, 18);
    const ch = diff(before, pic, s.fates);
    const kinds = (k: string): string[] => ch.list.filter((c) => c.kind === k).map((c) => (pic.tasks.get(c.task ?? -1) ?? before?.tasks.get(c.task ?? -1))?.comm ?? `ns${c.ns}`);
    expect(kinds('killed').sort()).toEqual(['p0', 'p1', 'p2']);
    expect(kinds('reaped').sort()).toEqual(['p0', 'p1']);
    expect(ch.list.filter((c) => c.kind === 'ns-init-gone').map((c) => pic.ns.get(c.ns!)?.name)).toEqual(['ns3', 'ns4', 'ns5']);
    expect(ch.going.map((t) => t.comm).sort()).toEqual(['p0', 'p1']);
  });

  it('follows a process group past its leader: held, then emptied; and the reparenting', async () => {
    const s = await Session.load(groups, 'groups.pidns');
    const reparent = await at(s, 4);
    const b = [...reparent.pic.tasks.values()].find((t) => t.comm === 'b')!;
    const ch4 = diff(reparent.before, reparent.pic, s.fates);
    expect(ch4.movedFrom.get(b.seq)).toBe([...reparent.pic.tasks.values()].find((t) => t.comm === 'a')!.seq);
    const ns0 = nsByName(reparent.pic, 'ns0')!;
    expect(ch4.list.map((c) => say(c, reparent.pic, reparent.before, ns0))).toEqual(['a#1 exited', 'b#2 was reparented from a#1 to init#0']);

    const reaped = await at(s, 5);
    const sp = structPid(reaped.pic, reaped.pic.tasks.get(b.seq)!, ns0)!;
    const pgid = sp.links.find((l) => l.type === 'PGID')!;
    expect(pgid.own).toBe(false);
    expect(pgid.pid?.seen).toBe(2);
    expect(pgid.pid?.held).toBe(true);
    expect(ns0.used).toContain(2);

    const left = await at(s, 8);
    const ch = diff(left.before, left.pic, s.fates);
    expect(ch.list.map((c) => c.kind).sort()).toEqual(['pgrp-empty', 'pgrp-new', 'session-new']);
    expect(ch.list.map((c) => say(c, left.pic, left.before, nsByName(left.pic, 'ns0')!)).sort()).toEqual(['process group 2 emptied', "process group 3 (b#2's Pid) created", "session 3 (b#2's Pid) created"]);
  });

  it('tells a thread superseded by execve from a killed one, and the exec\'ing thread taking the leader\'s PID', async () => {
    const s = await Session.load(readFileSync(new URL('../conformance/threads/exec_by_thread.pidns', import.meta.url), 'utf8'), 'x.pidns');
    const { pic, before } = await at(s, 5);
    const ns0 = nsByName(pic, 'ns0')!;
    expect(diff(before, pic, s.fates).list.map((c) => say(c, pic, before, ns0)).sort()).toEqual([
      'a#1 ended: superseded by u#3\'s execve',
      't#2 ended: superseded by u#3\'s execve',
      "u#3 took its leader's PID: now pid 2 (was 4)",
      'a#1 was reaped: released, its PID link detached',
      't#2 was reaped: released, its PID link detached',
    ].sort());
  });

  it('marks a stop and a continue', async () => {
    const s = await Session.load('init: fork() -> a\ninit: kill($a, SIGSTOP)\ninit: kill($a, SIGCONT)\n', 's.pidns');
    const stop = await at(s, 2);
    expect(diff(stop.before, stop.pic, s.fates).list).toEqual([{ kind: 'stopped', task: 1 }]);
    const cont = await at(s, 3);
    expect(diff(cont.before, cont.pic, s.fates).list).toEqual([{ kind: 'continued', task: 1 }]);
  });

  it('reads the comments as narration: blocks before a step, the opening block as the intro', () => {
    const text = '# intro line one\n# line two\n\n# about a\ninit: fork() -> a\n\n# about b,\n# two lines\n\na: fork() -> b # own\na: getpid()\n';
    const told = narration(text, [5, 10, 11]);
    expect(told.intro).toEqual(['intro line one line two']);
    expect(told.byLine.get(5)).toEqual(['about a']);
    expect(told.byLine.get(10)).toEqual(['about b, two lines own']);
    expect(told.byLine.has(11)).toBe(false);
    const s = narration(multi, []);
    expect(s.intro[0]).toMatch(/^multi_pidns 5 \(Michael Kerrisk/);
  });

  it('opens a snapshot file: one position, no steps', async () => {
    const base = await Session.load(multi, 'multi_pidns.pidns');
    const json = JSON.stringify(toJSON((await base.runTo(5)).kernel));
    const s = await Session.load(json, 'chain.json');
    expect(s.kind).toBe('snapshot');
    expect(s.runnable).toBe(0);
    const pic = picture(toJSON((await s.runTo(3)).kernel));
    expect([...pic.tasks.values()].map((t) => t.comm)).toEqual(['init', 'p4', 'p3', 'p2', 'p1', 'p0']);
    await expect(Session.load('{"format":"nope"}', 'bad.json')).rejects.toThrow(/^bad\.json: /);
    expect('error' in (await s.append('init: fork()', 0))).toBe(true);
  });

  it('tells an strace log from a scenario, and opens it as the scenario pidns import makes of it', async () => {
    expect(kindOf('1234  execve("/bin/true", ["true"], 0x7ffd /* 35 vars */) = 0\n')).toBe('trace');
    expect(kindOf('[pid  77] clone(child_stack=NULL, flags=CLONE_CHILD_SETTID|SIGCHLD) = 78\n')).toBe('trace');
    expect(kindOf('wait4(-1, <unfinished ...>\n')).toBe('trace');
    expect(kindOf('# a scenario\ninit: fork() -> a = 2\n')).toBe('scenario');
    expect(kindOf('init: clone(CLONE_NEWPID) -> p4 = 2\n')).toBe('scenario');
    expect(kindOf(' {"format": "pidns-snapshot"}')).toBe('snapshot');
    // Time stamps of -t, -tt and -ttt before the call.
    expect(kindOf('4     10:21:07 getpid() = 4\n')).toBe('trace');
    expect(kindOf('4     10:21:07.123456 getpid() = 4\n')).toBe('trace');
    expect(kindOf('1733131267.123456 getpid() = 4\n')).toBe('trace');
    const text = readFileSync('traces/dash_trap.strace', 'utf8');
    const session = await Session.load(text, 'dash_trap.strace');
    const scenario = importTraceText(text, 'dash_trap.strace').scenario;
    expect(session.kind).toBe('trace');
    expect(session.source).toBe(scenario);
    expect(session.steps.length).toBe(parseScenario(scenario, 'x').steps.length);
    expect(session.runnable).toBe(session.steps.length);
    // The trace's results are the steps' expectations, and the model meets every one.
    expect(session.records.flatMap((r) => r.mismatches)).toEqual([]);
    await expect(Session.load('4     getpid()                          = 4\n4     getppid(', 'cut.strace')).rejects.toThrow(/^cut\.strace:2: /);
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
    expect(ok.session.narration.byLine.size).toBe(0);
    expect(s.steps.length).toBeGreaterThan(4);
  });

  it('marks the step a scenario error stops on', async () => {
    const s = await Session.load('init: fork() -> a\nzz: getpid()\ninit: getpid()\n', 'e.pidns');
    expect(s.runnable).toBe(1);
    expect(s.records[1]?.error).toBe('e.pidns:2:1: unknown actor zz');
  });
});
