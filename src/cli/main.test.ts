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

  const RUN_USAGE = 'usage: pidns run [--json] [--backend NAME] [--from-snapshot S] FILE (pidns run --help)';
  const CHECK_USAGE = 'usage: pidns check [--json] [--backend NAME] [--from-snapshot S] FILE|DIR... (pidns check --help)';
  const MAIN_USAGE = 'usage: pidns COMMAND [OPTIONS] [ARGS] (COMMAND: run, check, diff, fuzz, viz, host, trace, import, replay, plan, restore) (pidns --help)';
  it.each([
    [[], `error: no command; ${MAIN_USAGE}\n`],
    [['frob'], `error: unknown command frob; ${MAIN_USAGE}\n`],
    [['--frob'], `error: unknown option --frob; ${MAIN_USAGE}\n`],
    [['run', 'ok.pidns', '--fast'], `error: unknown option --fast; ${RUN_USAGE}\n`],
    [['check', 'ok.pidns', '--json=yes'], `error: option --json takes no value, got --json=yes; ${CHECK_USAGE}\n`],
    [['run'], `error: needs one FILE; ${RUN_USAGE}\n`],
    [['run', 'a', 'b'], `error: too many arguments: b (at most 1 FILE); ${RUN_USAGE}\n`],
    [['check'], `error: needs at least 1 FILE|DIR; ${CHECK_USAGE}\n`],
    [['check', '-', 'ok.pidns', '-'], `error: standard input (-) can be read once; ${CHECK_USAGE}\n`],
    [['run', 'ok.pidns', '--backend'], `error: option --backend needs a value; ${RUN_USAGE}\n`],
    [['run', 'ok.pidns', '--backend=qemu'], `error: unknown backend qemu (model, kernel, fake, broken); ${RUN_USAGE}\n`],
    [['run', 'ok.pidns', '--backend', 'kernel', '--from-snapshot', 's.json'], `error: --from-snapshot runs on the model backend only; ${RUN_USAGE}\n`],
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
      { version: 1, type: 'step', line: 1, col: 1, depth: 0, text: 'init: fork() -> a', result: '2', outcome: { ok: true, value: 2 } },
      { version: 1, type: 'step', line: 2, col: 1, depth: 0, text: 'a: exit(3)', result: '?', outcome: { ok: true, returns: false } },
      { version: 1, type: 'event', line: 2, col: 1, depth: 0, task: 'a', text: '+++ exited with 3 +++' },
      { version: 1, type: 'summary', mismatches: 0 },
    ]);
  });

  it('--json: mismatches and scenario errors are objects too', async () => {
    const bad = await cli('run', 'bad.pidns', '--json', '--backend', 'fake');
    expect(bad.code).toBe(1);
    const objects = bad.out.trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(objects.map((o) => o.type)).toEqual(['step', 'step', 'repeat', 'view', 'end', 'mismatch', 'mismatch', 'mismatch', 'summary']);
    expect(objects[6]).toEqual({
      version: 1,
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
      version: 1,
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

describe('pidns check: directories, standard input, --json', () => {
  async function run(argv: string[], extra: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
    const { io, output } = memoryIo(new Map(Object.entries({ ...files, ...extra })), { dirs: true });
    const code = await main(argv, io);
    return { code, ...output() };
  }

  it('check DIR runs every *.pidns below it, sorted, as diff DIR does', async () => {
    const r = await run(['check', '--backend', 'fake', 'd'], { 'd/b.pidns': files['bad.pidns']!, 'd/sub/a.pidns': files['ok.pidns']!, 'd/notes.txt': 'x' });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL d\/b.pidns\n/);
    expect(r.out.endsWith('1 passed, 1 failed\n')).toBe(true);
  });

  it('- is standard input', async () => {
    expect(await run(['run', '--backend', 'fake', '-'], { '-': files['ok.pidns']! })).toMatchObject({ code: 0, out: expect.stringMatching(/^init: fork\(\) -> a = 2\n/) as unknown });
  });

  it('--json: a file object each (results as fields), then the summary, every one with a version', async () => {
    const r = await run(['check', '--json', '--backend', 'fake', 'ok.pidns', 'bad.pidns', 'syntax.pidns']);
    expect(r.code).toBe(2);
    const objects = r.out.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objects.map((o) => [o['version'], o['type'], o['status']])).toEqual([
      [1, 'file', 'passed'],
      [1, 'file', 'failed'],
      [1, 'file', 'error'],
      [1, 'summary', undefined],
    ]);
    const mismatches = objects[1]!['mismatches'] as Record<string, unknown>[];
    expect(mismatches[0]).toMatchObject({ step: 'a: getpid()', expected: ['7'], actual: ['2'], expectedOutcome: { ok: true, value: 7 }, actualOutcome: { ok: true, value: 2 } });
    expect(objects[2]).toEqual({ version: 1, type: 'file', file: 'syntax.pidns', status: 'error', exit: 2, message: 'syntax.pidns:1:7: unknown call frob' });
    expect(objects[3]).toEqual({ version: 1, type: 'summary', passed: 1, failed: 2 });
    expect(r.err).toBe('error: syntax.pidns:1:7: unknown call frob\n');
  });

  it('run --json gives an errno result as fields', async () => {
    const r = await run(['run', '--json', '--backend', 'fake', 'k.pidns'], { 'k.pidns': 'init: kill(9, 0)\n' });
    expect(JSON.parse(r.out.split('\n')[0]!)).toMatchObject({ result: '-1 ENOSYS', outcome: { ok: false, errno: 38, code: 'ENOSYS' } });
  });
});

describe('--from-snapshot -', () => {
  it('reads the snapshot from standard input once, for every file check runs', async () => {
    const { Kernel } = await import('../kernel/kernel.js');
    const { snapshotText } = await import('./snapshot_file.js');
    let reads = 0;
    const map = new Map([
      ['a.pidns', 'init: getpid() = 1\n'],
      ['b.pidns', 'init: getppid() = 0\n'],
    ]);
    const { io, output } = memoryIo(map, {
      extra: {
        readFile: (p) => {
          if (p !== '-') return Promise.resolve(map.get(p)!);
          reads++;
          return Promise.resolve(reads === 1 ? snapshotText(new Kernel()) : '');
        },
      },
    });
    expect(await main(['check', '--from-snapshot', '-', 'a.pidns', 'b.pidns'], io)).toBe(0);
    expect(output()).toEqual({ out: '2 passed, 0 failed\n', err: '' });
    expect(reads).toBe(1);
  });
});
