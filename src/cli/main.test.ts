import { memoryIo } from './test_io.js';
import { describe, expect, it } from 'vitest';
import type { Backend, CallOutcome, NewTask, ResolvedCall, TaskLife, TaskRef } from '../scenario/backend.js';
import { registerBackend } from './backends.js';
import { main } from './main.js';

/** Every task runs; fork makes pid ref + 1; getpid answers the caller's ref + 1; exit ends the caller. */
function fakeBackend(): Backend {
  const exited = new Set<TaskRef>();
  return {
    name: 'model',
    start: () => Promise.resolve(),
    close: () => Promise.resolve(),
    call(actor: TaskRef, call: ResolvedCall, child: NewTask): Promise<CallOutcome> {
      switch (call.name) {
        case 'fork':
          return Promise.resolve({ result: { kind: 'value', value: child.ref + 1 }, events: [] });
        case 'getpid':
          return Promise.resolve({ result: { kind: 'value', value: actor + 1 }, events: [] });
        case 'exit':
          exited.add(actor);
          return Promise.resolve({ result: { kind: 'noreturn' }, events: [{ task: actor, event: { kind: 'exited', code: call.args.num(0) } }] });
        default:
          return Promise.resolve({ result: { kind: 'errno', errno: 'ENOSYS' }, events: [] });
      }
    },
    idOf: (task) => Promise.resolve(task + 1),
    life: (task): Promise<TaskLife> => Promise.resolve(exited.has(task) ? 'exited' : 'running'),
    ps: () => Promise.resolve([{ pid: 1, ppid: 0, pgid: 1, sid: 1, state: 'S', name: 'init' }]),
    threads: () => Promise.resolve(null),
    status: () => Promise.resolve(null),
    ns: () => Promise.resolve({ pid: 0, pidForChildren: 0 }),
  };
}

registerBackend('fake', fakeBackend);
registerBackend('broken', () => {
  throw new Error('no such machine');
});

const files: Record<string, string> = {
  'ok.pidns': 'init: fork() -> a = 2\na: getpid() = 2\n@ps init\n| 1 0 1 1 S init\n',
  'bad.pidns': 'init: fork() -> a = 2\na: getpid() = 7\nrepeat 2 {\n  @ps a\n  | 1 0 1 1 S a\n}\n',
  'err.pidns': 'init: fork() -> a\nb: getpid()\n',
  'syntax.pidns': 'init: frob()\n',
  'exit.pidns': 'init: fork() -> a\na: exit(3)\n',
};

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const { io, output } = memoryIo(new Map(Object.entries(files)));
  const code = await main(argv, io);
  return { code, ...output() };
}

describe('pidns: usage', () => {
  it.each([['--help'], ['-h'], ['run', '--help'], ['check', '--help'], ['check', 'x', '-h']])('%j prints help, exit 0', async (...argv) => {
    const r = await cli(...argv);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Usage/);
    expect(r.err).toBe('');
  });

  it.each([
    [[], 'error: no command (pidns --help)\n'],
    [['frob'], 'error: unknown command frob (pidns --help)\n'],
    [['run', 'ok.pidns', '--fast'], 'error: unknown option --fast for run (pidns run --help)\n'],
    [['check', 'ok.pidns', '--json'], 'error: unknown option --json for check (pidns check --help)\n'],
    [['run'], 'error: run takes one FILE, got 0 (pidns run --help)\n'],
    [['run', 'a', 'b'], 'error: run takes one FILE, got 2 (pidns run --help)\n'],
    [['check'], 'error: check needs at least one FILE (pidns check --help)\n'],
    [['run', 'ok.pidns', '--backend'], 'error: --backend needs a name (model or kernel)\n'],
    [['run', 'ok.pidns', '--backend=qemu'], 'error: unknown backend qemu (model, kernel, fake, broken)\n'],
  ])('%j: one line on stderr, exit 2', async (argv, err) => {
    const r = await cli(...argv);
    expect(r).toEqual({ code: 2, out: '', err });
  });
});

describe('pidns run', () => {
  it('prints the transcript, exit 0', async () => {
    const r = await cli('run', 'ok.pidns', '--backend', 'fake');
    expect(r).toEqual({ code: 0, out: 'init: fork() -> a = 2\na: getpid() = 2\n@ps init\n| 1 0 1 1 S init\n', err: '' });
  });

  it('reports failed expectations on stderr, exit 1', async () => {
    const r = await cli('run', '--backend=fake', 'bad.pidns');
    expect(r.code).toBe(1);
    expect(r.out).toBe('init: fork() -> a = 2\na: getpid() = 2\nrepeat 2 {\n  @ps a\n  | 1 0 1 1 S init\n}\n');
    expect(r.err).toBe(
      [
        'bad.pidns:2: a: getpid()',
        '- 7',
        '+ 2',
        'bad.pidns:4: @ps a [round 1 of 2 (repeat at line 3)]',
        '- 1 0 1 1 S a',
        '+ 1 0 1 1 S init',
        '  (and 1 more round)',
        '3 expectations failed',
        '',
      ].join('\n'),
    );
  });

  it('--json: one object per line', async () => {
    const r = await cli('run', 'exit.pidns', '--json', '--backend', 'fake');
    expect(r.code).toBe(0);
    expect(r.out.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([
      { type: 'step', line: 1, col: 1, depth: 0, text: 'init: fork() -> a', result: '2' },
      { type: 'step', line: 2, col: 1, depth: 0, text: 'a: exit(3)', result: '?' },
      { type: 'event', line: 2, col: 1, depth: 0, task: 'a', text: '+++ exited with 3 +++' },
      { type: 'summary', mismatches: 0 },
    ]);
  });

  it('--json: mismatches and scenario errors are objects too', async () => {
    const bad = await cli('run', 'bad.pidns', '--json', '--backend', 'fake');
    expect(bad.code).toBe(1);
    const objects = bad.out.trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(objects.map((o) => o.type)).toEqual(['step', 'step', 'repeat', 'view', 'end', 'mismatch', 'mismatch', 'mismatch', 'summary']);
    expect(objects[6]).toEqual({
      type: 'mismatch',
      line: 4,
      col: 3,
      step: '@ps a',
      rounds: [{ index: 1, count: 2, line: 3 }],
      expected: ['1 0 1 1 S a'],
      actual: ['1 0 1 1 S init'],
    });
    const err = await cli('run', 'err.pidns', '--json', '--backend', 'fake');
    expect(err.code).toBe(2);
    expect(err.out.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown)[1]).toEqual({
      type: 'error',
      file: 'err.pidns',
      line: 2,
      col: 1,
      message: 'unknown actor b',
    });
  });

  it('a scenario error: the transcript so far, then error: FILE:LINE:COL, exit 2', async () => {
    const r = await cli('run', 'err.pidns', '--backend', 'fake');
    expect(r).toEqual({ code: 2, out: 'init: fork() -> a = 2\n', err: 'error: err.pidns:2:1: unknown actor b\n' });
    expect(await cli('run', 'syntax.pidns', '--backend', 'fake')).toEqual({ code: 2, out: '', err: 'error: syntax.pidns:1:7: unknown call frob\n' });
  });

  it('an unreadable file or a backend that cannot start: exit 2', async () => {
    expect(await cli('run', 'nope.pidns')).toEqual({ code: 2, out: '', err: 'error: nope.pidns: no such file or directory\n' });
    expect(await cli('run', 'ok.pidns', '--backend', 'broken')).toEqual({ code: 2, out: '', err: 'error: backend broken: no such machine\n' });
  });
});

describe('pidns check', () => {
  it('all pass: exit 0', async () => {
    expect(await cli('check', 'ok.pidns', 'exit.pidns', '--backend', 'fake')).toEqual({ code: 0, out: '2 passed, 0 failed\n', err: '' });
  });

  it('a mismatch: a diff per failing file, exit 1', async () => {
    const r = await cli('check', '--backend', 'fake', 'ok.pidns', 'bad.pidns');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL bad.pidns\nbad.pidns:2: a: getpid\(\)\n- 7\n\+ 2\n/);
    expect(r.out.endsWith('1 passed, 1 failed\n')).toBe(true);
  });

  it('bad input anywhere: exit 2, the other files still run', async () => {
    const r = await cli('check', '--backend', 'fake', 'syntax.pidns', 'bad.pidns', 'nope.pidns', 'ok.pidns', 'err.pidns');
    expect(r.code).toBe(2);
    expect(r.err).toBe('error: syntax.pidns:1:7: unknown call frob\nerror: nope.pidns: no such file or directory\nerror: err.pidns:2:1: unknown actor b\n');
    expect(r.out).toMatch(/FAIL bad.pidns/);
    expect(r.out.endsWith('1 passed, 4 failed\n')).toBe(true);
  });
});
