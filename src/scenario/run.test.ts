import { resolvedCall } from './calls/index.js';
import { describe, expect, it } from 'vitest';
import { ScenarioError } from './ast.js';
import {
  taskRef,
  type Backend,
  type CallOutcome,
  type NewTask,
  type NsView,
  type PsRow,
  type ResolvedCall,
  type StatusView,
  type StepEvent,
  type TaskLife,
  type TaskRef,
} from './backend.js';
import { parseScenario } from './parser.js';
import { runScenario, type RunResult } from './run.js';

type Reply = (actor: TaskRef, call: ResolvedCall, child: NewTask) => CallOutcome | undefined;

/**
 * A scripted backend: every task's id is ref + 1 from everywhere unless told
 * otherwise; fork/clone/clone3 create a task; pidfd_open hands out 3, 4, ...;
 * other calls return 0. `replies` override a call's outcome; `lives` a task's life.
 */
class FakeBackend implements Backend {
  readonly name = 'model' as const;
  readonly log: string[] = [];
  readonly calls: { actor: TaskRef; call: ResolvedCall; child: NewTask }[] = [];
  readonly lives = new Map<TaskRef, TaskLife>();
  readonly replies: Reply[] = [];
  hidden = new Set<string>();
  nextFd = 3;
  tasks = 1;
  rows: PsRow[] = [];
  level: number | null = 1;

  start(): Promise<void> {
    this.log.push('start');
    return Promise.resolve();
  }
  close(): Promise<void> {
    this.log.push('close');
    return Promise.resolve();
  }
  call(actor: TaskRef, call: ResolvedCall, child: NewTask): Promise<CallOutcome> {
    this.calls.push({ actor, call, child });
    for (const reply of this.replies) {
      const r = reply(actor, call, child);
      if (r !== undefined) {
        if (r.result.kind === 'value' && r.result.value > 0 && ['fork', 'clone', 'clone3'].includes(call.name)) this.tasks++;
        return Promise.resolve(r);
      }
    }
    switch (call.name) {
      case 'fork':
      case 'clone':
      case 'clone3':
        this.tasks++;
        return Promise.resolve({ result: { kind: 'value', value: child.ref + 1 }, events: [] });
      case 'pidfd_open':
        return Promise.resolve({ result: { kind: 'fd', fd: this.nextFd++ }, events: [] });
      default:
        return Promise.resolve({ result: { kind: 'value', value: 0 }, events: [] });
    }
  }
  idOf(task: TaskRef, from: TaskRef): Promise<number> {
    return Promise.resolve(this.hidden.has(`${task}@${from}`) || task >= this.tasks ? 0 : task + 1);
  }
  life(task: TaskRef): Promise<TaskLife> {
    return Promise.resolve(this.lives.get(task) ?? 'running');
  }
  ps(): Promise<readonly PsRow[]> {
    return Promise.resolve(this.rows);
  }
  threads(actor: TaskRef, target: TaskRef): Promise<readonly number[] | null> {
    return Promise.resolve(this.hidden.has(`${target}@${actor}`) ? null : [target + 1]);
  }
  status(actor: TaskRef, target: TaskRef): Promise<StatusView | null> {
    if (this.hidden.has(`${target}@${actor}`)) return Promise.resolve(null);
    const n = target + 1;
    return Promise.resolve({ name: 'x', state: 'S', tgid: n, pid: n, ppid: 1, nstgid: [n], nspid: [n], nspgid: [1], nssid: [1] });
  }
  ns(): Promise<NsView> {
    return Promise.resolve({ pid: 0, pidForChildren: 0 });
  }
  levelForChildren(): Promise<number | null> {
    return Promise.resolve(this.level);
  }
}

const ref = taskRef;

function run(text: string, backend: FakeBackend = new FakeBackend()): Promise<RunResult> {
  return runScenario(parseScenario(text, 't.pidns'), backend);
}

async function failure(text: string, backend: FakeBackend = new FakeBackend()): Promise<string> {
  try {
    await run(text, backend);
  } catch (e) {
    if (e instanceof ScenarioError) return e.message;
    throw e;
  }
  return 'no error';
}

/** A reply for calls named `name` (the nth such call, counting from 0, when `nth` is given). */
function on(name: ResolvedCall['name'], outcome: CallOutcome, nth?: number): Reply {
  let seen = -1;
  return (_a, call) => {
    if (call.name !== name) return undefined;
    seen++;
    return nth === undefined || nth === seen ? outcome : undefined;
  };
}

const ev = (task: number, event: StepEvent['event']): StepEvent => ({ task: ref(task), event });

describe('runScenario: names', () => {
  it('starts, binds names in creation order, passes the child ref and comm, closes', async () => {
    const b = new FakeBackend();
    const r = await run('init: fork() -> a = 2\na: fork()\na: clone(CLONE_NEWPID) -> c\nc: getpid() = 4', b);
    expect(r.lines).toEqual(['init: fork() -> a = 2', 'a: fork() = 3', 'a: clone(CLONE_NEWPID) -> c = 4', 'c: getpid() = 0']);
    expect(b.calls.map((c) => [c.actor, c.child])).toEqual([
      [0, { ref: 1, comm: 'a' }],
      [1, { ref: 2, comm: 'a' }],
      [1, { ref: 3, comm: 'c' }],
      [3, { ref: 4, comm: 'c' }],
    ]);
    expect(r.mismatches).toHaveLength(1);
    expect(r.mismatches[0]).toMatchObject({ pos: { line: 4, col: 1 }, step: 'c: getpid()', expected: ['4'], actual: ['0'], rounds: [] });
    expect(b.log).toEqual(['start', 'close']);
  });

  it('does not spend a ref on a failed fork', async () => {
    const b = new FakeBackend();
    b.replies.push(on('fork', { result: { kind: 'errno', errno: 'EAGAIN' }, events: [] }, 0));
    const r = await run('init: fork() -> a = -1 EAGAIN\ninit: fork() -> a', b);
    expect(r.lines).toEqual(['init: fork() -> a = -1 EAGAIN', 'init: fork() -> a = 2']);
    expect(b.calls[1]?.child).toEqual({ ref: 1, comm: 'a' });
    expect(r.mismatches).toEqual([]);
  });

  it('rebinding leaves the old task unnamed: its events say COMM#REF', async () => {
    const b = new FakeBackend();
    b.replies.push(on('kill', { result: { kind: 'value', value: 0 }, events: [ev(1, { kind: 'killed', signal: 9 }), ev(2, { kind: 'exited', code: 0 })] }));
    const r = await run('init: fork() -> a\ninit: fork() -> a\ninit: kill(2, SIGKILL)\na: getpid()', b);
    expect(r.lines.slice(2)).toEqual(['init: kill(2, SIGKILL) = 0', 'a#1: +++ killed by SIGKILL +++', 'a: +++ exited with 0 +++', 'a: getpid() = 0']);
    expect(b.calls[3]?.actor).toBe(2);
  });

  it('labels unnamed children by inherited comm', async () => {
    const b = new FakeBackend();
    b.replies.push(on('kill', { result: { kind: 'value', value: 0 }, events: [ev(1, { kind: 'exited', code: 1 })] }));
    const r = await run('init: fork()\ninit: kill(2, SIGTERM)', b);
    expect(r.lines).toContain('init#1: +++ exited with 1 +++');
  });
});

describe('runScenario: arguments', () => {
  it('resolves $b, -$b and $b@c through idOf', async () => {
    const b = new FakeBackend();
    await run('init: fork() -> a\ninit: fork() -> c\na: tgkill($c@a, -$c, SIGTERM)\na: kill(-$init@c, 0)', b);
    expect(b.calls[2]?.call).toEqual(resolvedCall('tgkill', { tgid: 3, tid: -3, sig: 15 }));
    expect(b.calls[3]?.call).toEqual(resolvedCall('kill', { pid: -1, sig: 0 }));
  });

  it('refuses an invisible $b at its position', async () => {
    const b = new FakeBackend();
    b.hidden.add('0@1');
    expect(await failure('init: fork() -> a\na: kill(1, 0)\na: kill($init, 0)', b)).toBe("t.pidns:3:9: $init is not visible from a's namespace");
    expect(await failure('init: fork() -> a\ninit: wait4(-$init@a, 0)', b)).toBe("t.pidns:2:13: $init is not visible from a's namespace");
  });

  it('says when an invisible $b has exited', async () => {
    const b = new FakeBackend();
    b.hidden.add('1@0');
    b.lives.set(ref(1), 'exited');
    expect(await failure('init: fork() -> a\ninit: kill($a, 0)', b)).toBe("t.pidns:2:12: $a is not visible from init's namespace (a has exited)");
  });

  it('refuses unknown actors where they are written', async () => {
    expect(await failure('b: getpid()')).toBe('t.pidns:1:1: unknown actor b');
    expect(await failure('init: kill(-$b, 0)')).toBe('t.pidns:1:12: unknown actor b');
    expect(await failure('init: kill($init@zz, 0)')).toBe('t.pidns:1:18: unknown actor zz');
    expect(await failure('init: setns(ns(q), CLONE_NEWPID)')).toBe('t.pidns:1:16: unknown actor q');
    expect(await failure('@ps q')).toBe('t.pidns:1:5: unknown actor q');
    expect(await failure('@status init q')).toBe('t.pidns:1:14: unknown actor q');
  });

  it('passes setns targets, clone3 defaults and prctl defaults', async () => {
    const b = new FakeBackend();
    await run('init: fork() -> a\ninit: setns(ns_for_children(a), CLONE_NEWPID)\ninit: clone3()\ninit: prctl(PR_GET_CHILD_SUBREAPER)', b);
    expect(b.calls[1]?.call).toEqual(resolvedCall('setns', { target: { kind: 'ns_for_children', task: taskRef(1) }, flags: 0x20000000 }));
    // Keys left out stay out: clone3's zeroed struct clone_args is the descriptor's (flags 0, no set_tid, exit_signal 0).
    expect(b.calls[2]?.call).toEqual(resolvedCall('clone3'));
    expect(b.calls[3]?.call).toEqual(resolvedCall('prctl', { option: 37 }));
  });

  it("refuses a set_tid that would choose the host's number, and passes longer ones", async () => {
    const b = new FakeBackend();
    expect(await failure('init: clone3(set_tid=[2, 9])', b)).toBe(
      "t.pidns:1:26: set_tid would choose the host's number: a child at level 1 takes at most 1 entries here (ns0 is level 1)",
    );
    expect(await failure('init: clone3(flags=CLONE_NEWPID, set_tid=[1, 2, 9])', b)).toMatch(/^t.pidns:1:49: .* at level 2 takes at most 2 /);
    const ok = new FakeBackend();
    await run('init: clone3(set_tid=[2])\ninit: clone3(set_tid=[2, 3, 4])\ninit: clone3(flags=CLONE_NEWPID, set_tid=[1, 2])', ok);
    expect(ok.calls).toHaveLength(3);
  });
});

describe('runScenario: fd names', () => {
  it('binds pidfd_open -> NAME in the process; threads share the table, forks copy it', async () => {
    const b = new FakeBackend();
    const text = [
      'init: fork() -> early',
      'init: pidfd_open($early, 0) -> pfd = fd',
      'init: clone(CLONE_THREAD|CLONE_SIGHAND|CLONE_VM) -> t',
      'init: fork() -> kid',
      't: pidfd_send_signal(pfd, 0)',
      'kid: waitid(P_PIDFD, pfd, WEXITED)',
      't: close(pfd)',
      'kid: setns(pfd, CLONE_NEWPID)',
      'init: close(7)',
    ].join('\n');
    const r = await run(text, b);
    expect(r.mismatches).toEqual([]);
    expect(b.calls.slice(4).map((c) => c.call)).toEqual([
      resolvedCall('pidfd_send_signal', { fd: 3, sig: 0 }),
      resolvedCall('waitid', { idtype: 3, id: 3, options: 4 }),
      resolvedCall('close', { fd: 3 }),
      resolvedCall('setns', { target: { kind: 'fd', fd: 3 }, flags: 0x20000000 }),
      resolvedCall('close', { fd: 7 }),
    ]);
    // The thread closed it for the whole process: init no longer has it.
    expect(await failure(`${text}\ninit: close(pfd)`, new FakeBackend())).toBe("t.pidns:10:13: no fd named pfd in init's process");
  });

  it('refuses an fd name in another process', async () => {
    expect(await failure('init: fork() -> a\ninit: pidfd_open($a, 0) -> pfd\na: close(pfd)')).toBe("t.pidns:3:10: no fd named pfd in a's process");
    expect(await failure('init: fork() -> a\na: pidfd_open($init, 0) -> pfd\ninit: pidfd_send_signal(pfd, 0)')).toBe(
      "t.pidns:3:25: no fd named pfd in init's process",
    );
  });

  it('keeps the name when close fails, and binds nothing when pidfd_open fails', async () => {
    const b = new FakeBackend();
    b.replies.push(on('close', { result: { kind: 'errno', errno: 'EBADF' }, events: [] }, 0));
    b.replies.push(on('pidfd_open', { result: { kind: 'errno', errno: 'ESRCH' }, events: [] }, 1));
    const text = 'init: pidfd_open(1, 0) -> pfd\ninit: close(pfd) = -1 EBADF\ninit: close(pfd) = 0\ninit: pidfd_open(99, 0) -> q = -1 ESRCH\ninit: close(q)';
    expect(await failure(text, b)).toBe("t.pidns:5:13: no fd named q in init's process");
  });
});

describe('runScenario: who may step', () => {
  it('blocks an actor on <unfinished ...> until its resumed event', async () => {
    const b = new FakeBackend();
    b.replies.push((actor, call) => {
      if (call.name !== 'wait4') return undefined;
      b.lives.set(actor, 'blocked');
      return { result: { kind: 'unfinished' }, events: [] };
    });
    b.replies.push((_a, call) => {
      if (call.name !== 'exit') return undefined;
      b.lives.set(ref(1), 'running');
      b.lives.set(ref(2), 'exited');
      return {
        result: { kind: 'noreturn' },
        events: [ev(2, { kind: 'exited', code: 0 }), ev(1, { kind: 'resumed', call: 'wait4', result: { kind: 'wait4', pid: 3, status: { kind: 'exited', code: 0 } } })],
      };
    });
    const text = 'init: fork() -> a\na: fork() -> b\na: wait4(-1, 0) = <unfinished ...>\n@ps a\nb: exit(0)\na: getpid()';
    const r = await run(text, b);
    expect(r.lines).toEqual([
      'init: fork() -> a = 2',
      'a: fork() -> b = 3',
      'a: wait4(-1, 0) = <unfinished ...>',
      '@ps a',
      'b: exit(0) = ?',
      'a: <... wait4 resumed> = 3 {exited 0}',
      'b: +++ exited with 0 +++',
      'a: getpid() = 0',
    ]);
    expect(r.mismatches).toEqual([]);
    expect(await failure('init: fork() -> a\na: fork() -> b\na: wait4(-1, 0)\na: getpid()', b)).toBe('t.pidns:4:1: a is blocked in wait4');
  });

  it('refuses steps by exited and stopped actors, and views by exited ones', async () => {
    const b = new FakeBackend();
    b.lives.set(ref(1), 'exited');
    b.lives.set(ref(2), 'stopped');
    const forks = 'init: fork() -> a\ninit: fork() -> s\n';
    expect(await failure(`${forks}a: getpid()`, b)).toBe('t.pidns:3:1: a has exited');
    expect(await failure(`${forks}s: getpid()`, b)).toBe('t.pidns:3:1: s is stopped');
    expect(await failure(`${forks}@ns a`, b)).toBe('t.pidns:3:5: a has exited');
    const r = await run(`${forks}@ns s\n| pid:ns0 pid_for_children:ns0`, b);
    expect(r.lines.slice(2)).toEqual(['@ns s', '| pid:ns0 pid_for_children:ns0']);
    expect(r.mismatches).toEqual([]);
  });

  it('closes the backend after a scenario error', async () => {
    const b = new FakeBackend();
    await failure('init: kill($nobody, 0)', b);
    expect(b.log).toEqual(['start', 'close']);
  });
});

describe('runScenario: events and views', () => {
  it('prints events after the step, ordered by creation, stable within a task', async () => {
    const b = new FakeBackend();
    b.replies.push(
      on('kill', {
        result: { kind: 'value', value: 0 },
        events: [
          ev(2, { kind: 'exited', code: 1 }),
          ev(1, { kind: 'caught', signal: 17, siPid: 3, siCode: 'CLD_EXITED', siStatus: 1 }),
          ev(0, { kind: 'stopped', signal: 19 }),
          ev(1, { kind: 'continued' }),
        ],
      }),
    );
    const r = await run('init: fork() -> a\na: fork() -> b\ninit: kill(0, 0)', b);
    expect(r.lines.slice(2)).toEqual([
      'init: kill(0, 0) = 0',
      'init: +++ stopped by SIGSTOP +++',
      'a: --- SIGCHLD {si_pid=3, si_code=CLD_EXITED, si_status=1} ---',
      'a: +++ continued +++',
      'b: +++ exited with 1 +++',
    ]);
    expect(r.entries[3]).toEqual({ type: 'event', pos: { line: 3, col: 1 }, depth: 0, task: 'init', text: '+++ stopped by SIGSTOP +++' });
  });

  it('prints and checks views; an invisible target is a scenario error', async () => {
    const b = new FakeBackend();
    b.rows = [
      { pid: 2, ppid: 1, pgid: 1, sid: 1, state: 'S', name: 'a' },
      { pid: 1, ppid: 0, pgid: 1, sid: 1, state: 'S', name: 'init' },
    ];
    const r = await run('init: fork() -> a\n@ps init\n| 1 0 1 1 S init\n| 2 1 1 1   S a\n@tree a\n| init(1)\n| └─ b(2)\n@threads init a\n| 2', b);
    expect(r.lines.slice(1)).toEqual(['@ps init', '| 1 0 1 1 S init', '| 2 1 1 1 S a', '@tree a', '| init(1)', '| └─ a(2)', '@threads init a', '| 2']);
    expect(r.mismatches).toEqual([
      { file: 't.pidns', pos: { line: 5, col: 1 }, step: '@tree a', rounds: [], expected: ['init(1)', '└─ b(2)'], actual: ['init(1)', '└─ a(2)'] },
    ]);
    b.hidden.add('0@1');
    expect(await failure('init: fork() -> a\n@status a init', b)).toBe("t.pidns:2:11: init is not visible from a's namespace");
    expect(await failure('init: fork() -> a\n@threads a init', b)).toBe("t.pidns:2:12: init is not visible from a's namespace");
  });
});

describe('runScenario: repeat', () => {
  it('runs every round, checks each, prints the last indented', async () => {
    const b = new FakeBackend();
    let n = 0;
    b.replies.push((_a, call) => (call.name === 'getpid' ? { result: { kind: 'value', value: [1, 2, 1, 1, 1, 3, 1, 1, 1][n++] ?? 0 }, events: [] } : undefined));
    const text = 'repeat 3 {\n  init: getpid() = 1\n  repeat 2 {\n    @ns init\n    init: getpid() = 1\n  }\n}\ninit: getpid()';
    const r = await run(text, b);
    expect(r.lines).toEqual(['repeat 3 {', '  init: getpid() = 1', '  repeat 2 {', '    @ns init', '    | pid:ns0 pid_for_children:ns0', '    init: getpid() = 1', '  }', '}', 'init: getpid() = 0']);
    expect(r.mismatches.map((m) => [m.pos.line, m.actual[0], m.rounds.map((x) => `${x.index}/${x.count}@${x.pos.line}`).join(' ')])).toEqual([
      [5, '2', '1/3@1 1/2@3'],
      [5, '3', '2/3@1 2/2@3'],
    ]);
    expect(r.entries.map((e) => e.type)).toEqual(['repeat', 'step', 'repeat', 'view', 'step', 'end', 'end', 'step']);
  });

  it('streams lines, and on a scenario error the round that failed', async () => {
    const b = new FakeBackend();
    let n = 0;
    b.replies.push((_a, call) => {
      if (call.name !== 'exit') return undefined;
      if (++n === 2) b.lives.set(ref(0), 'exited');
      return { result: { kind: 'noreturn' }, events: [] };
    });
    const lines: string[] = [];
    const script = parseScenario('init: getpid()\nrepeat 3 {\n  init: exit(0)\n}', 't.pidns');
    await expect(runScenario(script, b, { onLine: (l) => lines.push(l) })).rejects.toThrow('t.pidns:3:3: init has exited');
    expect(lines).toEqual(['init: getpid() = 0', 'repeat 3 {']);
  });
});
