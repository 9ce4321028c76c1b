import type { Call } from './ast.js';
import { callSpec } from './calls/index.js';
import { describe, expect, it } from 'vitest';
import { CLONE_NEWPID, CLONE_NEWUSER, CLONE_THREAD, CLONE_SIGHAND, CLONE_VM, CLONE_IO } from '../abi/clone.js';
import { __WALL, __WCLONE, WNOHANG } from '../abi/wait.js';
import { ScenarioError, type CallStep, type Step, type ViewStep } from './ast.js';
import { MAX_REPEAT_DEPTH, parseScenario } from './parser.js';

function steps(text: string): readonly Step[] {
  return parseScenario(text, 't.pidns').steps;
}

function one(text: string): CallStep {
  const s = steps(text)[0];
  if (s?.kind !== 'call') throw new Error('not a call step');
  return s;
}

function errorOf(text: string): string {
  try {
    parseScenario(text, 't.pidns');
  } catch (e) {
    if (e instanceof ScenarioError) return e.message;
    throw e;
  }
  return 'no error';
}

/** A parsed call's arguments by parameter name (and keyword order by name), to compare with toMatchObject. */
function named(call: Call): Record<string, unknown> {
  const params = callSpec(call.name)!.params;
  const out: Record<string, unknown> = { name: call.name };
  params.forEach((p, i) => (out[p.name] = call.args[i]));
  if (call.keys !== undefined) out.keys = call.keys.map((i) => params[i]!.name);
  return out;
}

describe('parseScenario: steps', () => {
  it('reads a call step with its name, expectation and positions', () => {
    const s = one('  init: clone(CLONE_NEWPID) -> p4 = 2   # the first');
    expect(s).toMatchObject({
      actor: 'init',
      bind: 'p4',
      expect: '2',
      pos: { line: 1, col: 3 },
      callPos: { line: 1, col: 9 },
      bindPos: { line: 1, col: 32 },
    });
    expect(named(s.call)).toMatchObject({ name: 'clone', flags: { value: CLONE_NEWPID } });
  });

  it('keeps the expectation as free text to the comment', () => {
    expect(one('a: wait4(-1, 0) = 3   {exited   0}  # x').expect).toBe('3   {exited   0}');
    expect(one('a: wait4(-1, 0) = <unfinished ...>').expect).toBe('<unfinished ...>');
  });

  it('combines flags with |, spaces or not, as an OR that passes 2^31', () => {
    const s = one('a: clone(CLONE_NEWPID | CLONE_NEWUSER|3)');
    expect(named(s.call)).toMatchObject({ flags: { value: CLONE_NEWPID | CLONE_NEWUSER | 3 } });
    const w = one('a: wait4(-1, __WALL|__WCLONE|WNOHANG)');
    expect(named(w.call)).toMatchObject({ options: { value: __WALL + __WCLONE + WNOHANG } });
    expect(named(one('a: clone(CLONE_IO)').call)).toMatchObject({ flags: { value: CLONE_IO } });
    expect(CLONE_IO).toBeGreaterThan(0);
  });

  it('reads every pid form', () => {
    const s = one('a: tgkill($b@c, -$d, 0)');
    expect(named(s.call)).toMatchObject({
      tgid: { kind: 'ref', actor: 'b', from: 'c', negate: false, pos: { line: 1, col: 11 }, fromPos: { line: 1, col: 14 } },
      tid: { kind: 'ref', actor: 'd', negate: true, from: undefined, pos: { line: 1, col: 17 } },
      sig: { value: 0 },
    });
    expect(named(one('a: kill(-1, SIGKILL)').call)).toMatchObject({ pid: { kind: 'int', value: -1 }, sig: { value: 9 } });
  });

  it('reads clone3 keys in any order, each at most once', () => {
    const s = one('a: clone3(set_tid=[5, 3], flags=CLONE_NEWPID, exit_signal=SIGCHLD) -> b');
    expect(named(s.call)).toMatchObject({
      name: 'clone3',
      keys: ['set_tid', 'flags', 'exit_signal'],
      set_tid: { items: [{ value: 5 }, { value: 3 }] },
      flags: { value: CLONE_NEWPID },
      exit_signal: { value: 17 },
    });
    expect(named(one('a: clone3()').call)).toMatchObject({ keys: [], flags: undefined, set_tid: undefined, exit_signal: undefined });
    expect(named(one('a: clone3(set_tid=[])').call)).toMatchObject({ set_tid: { items: [] } });
  });

  it('reads setns targets, fds, dispositions, prctl and sysctl', () => {
    expect(named(one('a: setns(ns(b), CLONE_NEWPID)').call)).toMatchObject({ target: { kind: 'ns', actor: 'b' } });
    expect(named(one('a: setns(ns_for_children(b), 0)').call)).toMatchObject({ target: { kind: 'ns_for_children', actor: 'b' } });
    expect(named(one('a: setns(pfd, CLONE_NEWPID)').call)).toMatchObject({ target: { kind: 'fdname', name: 'pfd' } });
    expect(named(one('a: setns(3, CLONE_NEWPID)').call)).toMatchObject({ target: { kind: 'int', value: 3 } });
    expect(named(one('a: waitid(P_PIDFD, pfd, WEXITED|WNOHANG)').call)).toMatchObject({ idtype: { value: 3 }, id: { kind: 'fdname', name: 'pfd' } });
    expect(named(one('a: waitid(P_PID, $b, WEXITED)').call)).toMatchObject({ id: { kind: 'ref', actor: 'b' } });
    expect(named(one('a: signal(SIGTERM, catch)').call)).toMatchObject({ disposition: { text: 'catch' }, sig: { value: 15 } });
    expect(named(one('a: prctl(PR_SET_CHILD_SUBREAPER, 1)').call)).toMatchObject({ option: { value: 36 }, arg: { value: 1 } });
    expect(named(one('a: prctl(PR_GET_CHILD_SUBREAPER)').call)).toMatchObject({ option: { value: 37 }, arg: undefined });
    expect(named(one('a: sysctl(kernel.ns_last_pid, 99)').call)).toMatchObject({ key: { text: 'kernel.ns_last_pid' }, value: { value: 99 } });
    expect(named(one('a: sysctl(kernel.pid_max)').call)).toMatchObject({ key: { text: 'kernel.pid_max' }, value: undefined });
    expect(one('a: pidfd_open($b, PIDFD_THREAD) -> pfd').bind).toBe('pfd');
    expect(named(one('a: close(pfd)').call)).toMatchObject({ fd: { kind: 'fdname', name: 'pfd' } });
    expect(named(one('a: clone(CLONE_THREAD|CLONE_SIGHAND|CLONE_VM) -> t').call)).toMatchObject({
      flags: { value: CLONE_THREAD | CLONE_SIGHAND | CLONE_VM },
    });
  });

  it('lets an actor be called repeat', () => {
    expect(one('repeat: getpid()').actor).toBe('repeat');
  });

  it('reads views and their | lines across blank and comment lines', () => {
    const s = steps('@status p4 p0\n| Name: p0\n\n# note\n|   State:  S\n|\n@ps a\ninit: getpid()');
    const v = s[0] as ViewStep;
    expect(v.view).toEqual({ kind: 'status', actor: 'p4', target: 'p0', targetPos: { line: 1, col: 12 } });
    expect(v.expect).toEqual(['Name: p0', '  State:  S', '']);
    expect(v.actorPos).toEqual({ line: 1, col: 9 });
    expect((s[1] as ViewStep).expect).toBeUndefined();
    expect(s[2]?.kind).toBe('call');
  });

  it('nests repeats', () => {
    const s = steps('repeat 3 {\n  a: getpid()\n  repeat 2 {\n    @ns a\n    | pid:ns0 pid_for_children:ns0\n  }\n}\nb: getpid()');
    expect(s).toHaveLength(2);
    expect(s[0]).toMatchObject({ kind: 'repeat', count: 3, pos: { line: 1, col: 1 } });
    const body = s[0]?.kind === 'repeat' ? s[0].body : [];
    expect(body[1]).toMatchObject({ kind: 'repeat', count: 2, body: [{ kind: 'view', expect: ['pid:ns0 pid_for_children:ns0'] }] });
  });

  it('counts columns in characters and takes CRLF and a BOM', () => {
    const s = steps('\uFEFFa: getpid() = 1 # ünïcode 😀\r\n\r\n  b: getpid()\r\n');
    expect(s).toHaveLength(2);
    expect(s[0]).toMatchObject({ pos: { line: 1, col: 1 }, expect: '1' });
    expect(s[1]).toMatchObject({ pos: { line: 3, col: 3 } });
  });
});

describe('parseScenario: errors at the offending token', () => {
  it.each([
    ['a: frob()', 't.pidns:1:4: unknown call frob'],
    ['a: getpid(1)', 't.pidns:1:11: getpid takes no arguments'],
    ['a: wait4(-1)', 't.pidns:1:12: missing argument: wait4(PID, OPTIONS)'],
    ['a: kill(1, 9, 3)', 't.pidns:1:15: too many arguments: kill(PID, SIG)'],
    ['a: clone(CLONE_NEWFOO)', 't.pidns:1:10: unknown constant CLONE_NEWFOO'],
    ['a: kill(1, WNOHANG)', 't.pidns:1:12: expected a signal, got WNOHANG'],
    ['a: kill(1, SIGKILL|SIGTERM)', 't.pidns:1:20: expected a signal, not a combination'],
    ['a: wait4(SIGKILL, 0)', 't.pidns:1:10: expected a pid: a number, $name, -$name or $name@other'],
    ['A: getpid()', "t.pidns:1:1: bad actor name 'A': names are [a-z][a-z0-9_]{0,14}"],
    ['abcdefghijklmnop: getpid()', "t.pidns:1:1: bad actor name 'abcdefghijklmnop': names are [a-z][a-z0-9_]{0,14}"],
    ['a: kill($Bad, 9)', "t.pidns:1:10: bad actor name 'Bad': names are [a-z][a-z0-9_]{0,14}"],
    ['a: kill($b@, 9)', "t.pidns:1:12: expected an actor name after '@', got ','"],
    ['a: kill($ b, 9)', "t.pidns:1:11: expected an actor name after '$', got 'b'"],
    ['a getpid()', "t.pidns:1:3: expected ':' after the actor name, got 'getpid'"],
    ['a: getpid', "t.pidns:1:10: expected '(' after getpid, got end of line"],
    ['a: getpid() extra', "t.pidns:1:13: unexpected 'extra' after the step"],
    ['a: getpid() =', 't.pidns:1:13: expected a result after ='],
    ['a: getpid() = # nothing', 't.pidns:1:13: expected a result after ='],
    ['a: getpid() -> b', 't.pidns:1:13: getpid creates nothing to name: -> NAME follows clone, clone3, fork, signalfd, pidfd_open, ioctl or posix_openpt'],
    ['a: fork() -> B', "t.pidns:1:14: bad name 'B': names are [a-z][a-z0-9_]{0,14}"],
    ['a: kill(1 9)', "t.pidns:1:11: expected ')' or ',' in the argument list, got '9'"],
    ['a: exit(12x)', "t.pidns:1:9: bad number '12x'"],
    ['a: exit(SIGKILL)', 't.pidns:1:9: expected an exit code (a number)'],
    ['a: clone3(CLONE_NEWPID)', 't.pidns:1:11: clone3 takes KEY=VALUE arguments: flags=, set_tid=, exit_signal='],
    ['a: clone3(flags=0, flags=0)', 't.pidns:1:20: clone3 key flags given twice'],
    ['a: clone3(tls=0)', 't.pidns:1:11: unknown clone3 key tls (flags, set_tid, exit_signal)'],
    ['a: clone3(set_tid=5)', 't.pidns:1:19: expected a list: set_tid=[N, ...]'],
    ['a: clone3(set_tid=[5, x])', "t.pidns:1:23: expected a number, got 'x'"],
    ['a: clone(flags=0)', 't.pidns:1:10: flags=... is not an argument of clone(FLAGS)'],
    ['a: setns(foo(b), 0)', 't.pidns:1:10: expected ns(NAME) or ns_for_children(NAME), got foo(...)'],
    ['a: setns(ns(B), 0)', "t.pidns:1:13: bad actor name 'B': names are [a-z][a-z0-9_]{0,14}"],
    ['a: waitid(P_PIDFD, $b, WEXITED)', 't.pidns:1:20: expected an fd: a name from signalfd(...), pidfd_open(...), ioctl(...) or posix_openpt(...) -> NAME, or a number'],
    ['a: waitid(P_ALL|P_PID, 0, WEXITED)', 't.pidns:1:17: expected an id type (P_ALL, P_PID, P_PGID, P_PIDFD), not a combination'],
    ['a: signal(SIGTERM, SIG_HOLD)', 't.pidns:1:20: expected SIG_DFL, SIG_IGN or catch'],
    ['a: sysctl(kernel.pid)', 't.pidns:1:11: expected kernel.pid_max or kernel.ns_last_pid'],
    ['a: prctl(PR_SET_CHILD_SUBREAPER, SIGKILL)', "t.pidns:1:34: expected prctl's argument (a number)"],
    ['a: pidfd_open($b, CLONE_NEWPID)', 't.pidns:1:19: expected PIDFD_* flags, got CLONE_NEWPID'],
    ['a: exit(99999999999999999999)', 't.pidns:1:9: number out of range'],
    ['@foo a', 't.pidns:1:1: unknown view @foo (@ps, @threads, @status, @ns, @tree, @namespaces, @jobs)'],
    ['a: clone(CLONE_NEWPID) -> b, pidfd=p', 't.pidns:1:30: pidfd=NAME names the fd of CLONE_PIDFD: add it to the flags'],
    ['a: fork() -> b, pidfd=p', 't.pidns:1:17: expected pidfd=NAME after -> b,'],
    ['a: setns(ns(b, pid), 0)', 't.pidns:1:16: expected a namespace type (mnt, uts, ipc, cgroup, net, time), got pid'],
    ['a: setns(ns_for_children(b, net), 0)', 't.pidns:1:29: there is no net_for_children: ns_for_children(NAME) or ns_for_children(NAME, time)'],
    ['@status a', 't.pidns:1:10: missing target: @status ACTOR TARGET'],
    ['@ps', 't.pidns:1:4: missing actor: @ps ACTOR'],
    ['@ps a b', "t.pidns:1:7: unexpected 'b': @ps ACTOR"],
    ['@ps Ab', "t.pidns:1:5: bad actor name 'Ab': names are [a-z][a-z0-9_]{0,14}"],
    ['| 1 0 0 0 S init', "t.pidns:1:1: '|' line outside a view's output: it must follow @ps, @threads, @status, @ns or @tree"],
    ['@ps a\na: getpid()\n  | x', "t.pidns:3:3: '|' line outside a view's output: it must follow @ps, @threads, @status, @ns or @tree"],
    ['repeat 0 {\n}', 't.pidns:1:8: repeat count must be at least 1'],
    ['repeat -2 {\n}', 't.pidns:1:8: repeat count must be at least 1'],
    ['repeat x {\n}', "t.pidns:1:8: expected a number, got 'x'"],
    ['repeat 2\n}', "t.pidns:1:9: expected '{' after the repeat count, got end of line"],
    ['repeat 2 { a: getpid()\n}', "t.pidns:1:12: unexpected 'a' after {: the body starts on the next line"],
    ['a: getpid()\n  }', 't.pidns:2:3: } without a matching repeat'],
    ['repeat 2 {\n  repeat 3 {\n  }\na: getpid()', 't.pidns:1:1: repeat without a closing }'],
    ['repeat 2 {\n} x', "t.pidns:2:3: unexpected 'x' after }"],
    ['42: getpid()', "t.pidns:1:1: expected a step (ACTOR: CALL(...), @view, repeat N {, }), got '42'"],
    ['é: getpid()\n😀a: x', "t.pidns:1:1: expected a step (ACTOR: CALL(...), @view, repeat N {, }), got 'é'"],
    ['a: kill(😀, 9)', "t.pidns:1:9: expected an argument, got '😀'"],
    ['a: getpid() # fine\n😀 # ok\n', "t.pidns:2:1: expected a step (ACTOR: CALL(...), @view, repeat N {, }), got '😀'"],
    ['a: kill(1, 9)😀', "t.pidns:1:14: unexpected '😀' after the step"],
  ])('%j', (text, message) => {
    expect(errorOf(text)).toBe(message);
  });
});

describe('parseScenario: nesting', () => {
  const nested = (n: number): string => `${'repeat 2 {\n'.repeat(n)}init: getpid()\n${'}\n'.repeat(n)}`;
  it(`takes repeat nested ${MAX_REPEAT_DEPTH} deep`, () => {
    expect(parseScenario(nested(MAX_REPEAT_DEPTH), 't.pidns').steps).toHaveLength(1);
  });
  it('refuses deeper nesting at the repeat that goes too deep, even 3,000 deep', () => {
    expect(() => parseScenario(nested(MAX_REPEAT_DEPTH + 1), 't.pidns')).toThrow(`t.pidns:${MAX_REPEAT_DEPTH + 1}:1: repeat nested more than ${MAX_REPEAT_DEPTH} deep`);
    expect(() => parseScenario(nested(3000), 't.pidns')).toThrow(ScenarioError);
  });
});

describe('parseScenario: huge tokens', () => {
  it('a 1 MB word is refused in a short message', () => {
    expect(() => parseScenario(`${'a'.repeat(1 << 20)}: getpid()`, 't.pidns')).toThrow('t.pidns:1:1: a word of 1048576 characters: names, calls and constants have at most 64');
    expect(() => parseScenario(`init: getpid() ${'%'.repeat(1 << 20)}`, 't.pidns')).toThrow("t.pidns:1:16: unexpected '%' after the step");
  });
});
