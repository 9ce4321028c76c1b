import { memoryIo } from './test_io.js';
import { describe, expect, it } from 'vitest';
import { createModelBackend } from '../scenario/model_backend.js';
import { backendFactory, registerBackend } from './backends.js';
import type { Io } from './io.js';
import { DIFF_SPEC } from './diff.js';
import { main } from './main.js';
import { buggyModel, wrapBackend } from './test_backends.js';

registerBackend('buggy', buggyModel);
registerBackend('nokernel', () => {
  throw new Error('kernel backend unavailable: not root');
});
registerBackend('latekernel', () =>
  wrapBackend(createModelBackend(), { start: () => Promise.reject(new Error('kernel backend unavailable: no user namespaces')) }),
);
registerBackend('broken', () => {
  throw new Error('no such machine');
});
registerBackend('crashy', () => wrapBackend(createModelBackend(), { call: () => Promise.reject(new Error('boom')) }));

const tree: Record<string, string> = {
  'same.pidns': 'init: fork() -> a\na: getppid()\n',
  'differ.pidns': 'init: fork() -> a\na: getppid()\na: getpid()\ninit: getpgrp()\n',
  'err.pidns': 'init: fork() -> a\nb: getpid()\n',
  'syntax.pidns': 'init: frob()\n',
  'conf/b.pidns': 'init: getppid()\n',
  'conf/a.pidns': 'init: getppid()\n',
  'conf/notes.txt': 'not a scenario',
  'conf/sub/c.pidns': 'init: getpid()\n',
};

interface Result {
  code: number;
  out: string;
  err: string;
}

async function cli(argv: string[], extra: Partial<Io> = {}): Promise<Result> {
  const { io, output } = memoryIo(new Map(Object.entries(tree)), { dirs: true, extra });
  const code = await main(argv, io);
  return { code, ...output() };
}

describe('pidns diff', () => {
  it('one file agrees, one differs: its unified diff, exit 1', async () => {
    const r = await cli(['diff', '--backends', 'model,buggy', 'same.pidns', 'differ.pidns']);
    expect(r).toEqual({
      code: 1,
      out: [
        'FAIL differ.pidns',
        '--- model',
        '+++ buggy',
        '@@ -1,4 +1,4 @@',
        ' init: fork() -> a = 2',
        ' a: getppid() = 1',
        '-a: getpid() = 2',
        '+a: getpid() = 3',
        ' init: getpgrp() = 1',
        '1 passed, 1 failed',
        '',
      ].join('\n'),
      err: '',
    });
  });

  it('both backends stopping at the same scenario error agree', async () => {
    expect(await cli(['diff', '--backends=model,buggy', 'err.pidns'])).toEqual({ code: 0, out: '1 passed, 0 failed\n', err: '' });
  });

  it('a directory: every *.pidns below it, sorted', async () => {
    const r = await cli(['diff', '--backends', 'model,buggy', 'conf'], { stderrIsTTY: true });
    expect(r.code).toBe(1);
    // The progress line (on stderr) names the files in order, with how many are done, and is erased each time.
    const progress = [...r.err.matchAll(/\r\x1b\[K(\[\d\/\d\] [^\r\n]*)/g)].map((m) => m[1]);
    expect(progress).toEqual(['[0/3] conf/a.pidns', '[1/3] conf/b.pidns', '[2/3] conf/sub/c.pidns']);
    expect(r.err.replace(/\r\x1b\[K(\[\d\/\d\] [^\r\n]*)?/g, '')).toBe('');
    expect(r.out).toBe(
      ['FAIL conf/sub/c.pidns', '--- model', '+++ buggy', '@@ -1 +1 @@', '-init: getpid() = 1', '+init: getpid() = 2', '2 passed, 1 failed', ''].join('\n'),
    );
  });

  it('no progress line when standard error is not a terminal', async () => {
    const r = await cli(['diff', '--backends', 'model,model', 'conf']);
    expect(r).toEqual({ code: 0, out: '3 passed, 0 failed\n', err: '' });
  });

  it.each(['nokernel', 'latekernel'])('an unavailable backend (%s): the files are skipped, exit 0', async (name) => {
    const r = await cli(['diff', '--backends', `model,${name}`, 'same.pidns', 'differ.pidns']);
    const reason = name === 'nokernel' ? 'kernel backend unavailable: not root' : 'kernel backend unavailable: no user namespaces';
    expect(r).toEqual({ code: 0, out: `SKIP same.pidns: ${reason}\nSKIP differ.pidns: ${reason}\n0 passed, 0 failed, 2 skipped\n`, err: '' });
  });

  it('PIDNS_REQUIRE_KERNEL=1: an unavailable backend fails each file', async () => {
    const r = await cli(['diff', '--backends', 'model,nokernel', 'same.pidns', 'differ.pidns'], { env: { PIDNS_REQUIRE_KERNEL: '1' } });
    expect(r.code).toBe(2);
    expect(r.out).toBe('0 passed, 2 failed\n');
    expect(r.err).toBe(
      'error: same.pidns: backend nokernel: kernel backend unavailable: not root (PIDNS_REQUIRE_KERNEL=1)\n' +
        'error: differ.pidns: backend nokernel: kernel backend unavailable: not root (PIDNS_REQUIRE_KERNEL=1)\n',
    );
  });

  it('any other backend failure fails the file and names it', async () => {
    expect(await cli(['diff', '--backends', 'model,broken', 'same.pidns'])).toEqual({
      code: 2,
      out: '0 passed, 1 failed\n',
      err: 'error: same.pidns: backend broken: no such machine\n',
    });
    expect(await cli(['diff', '--backends', 'crashy,model', 'same.pidns'])).toEqual({
      code: 3,
      out: '0 passed, 1 failed\n',
      err: 'error: same.pidns: backend crashy: boom\n',
    });
  });

  it('the default backends are model and kernel', async () => {
    const kernel = backendFactory('kernel')!;
    registerBackend('kernel', () => {
      throw new Error('kernel backend unavailable: a test stands in');
    });
    try {
      expect(await cli(['diff', 'same.pidns'])).toEqual({
        code: 0,
        out: 'SKIP same.pidns: kernel backend unavailable: a test stands in\n0 passed, 0 failed, 1 skipped\n',
        err: '',
      });
    } finally {
      registerBackend('kernel', kernel);
    }
  });

  it('unreadable paths and syntax errors: bad input, the other files still run', async () => {
    const r = await cli(['diff', '--backends', 'model,buggy', 'nope.pidns', 'syntax.pidns', 'same.pidns']);
    expect(r).toEqual({
      code: 2,
      out: '1 passed, 2 failed\n',
      err: 'error: nope.pidns: no such file or directory\nerror: syntax.pidns:1:7: unknown call frob\n',
    });
  });

  it.each([
    [['diff'], 'needs at least 1 FILE|DIR'],
    [['diff', 'x', '--fast'], 'unknown option --fast'],
    [['diff', 'x', '--backends'], 'option --backends needs a value'],
    [['diff', 'x', '--backends=model'], '--backends takes two names A,B, got model'],
    [['diff', 'x', '--backends=model,kernel,model'], '--backends takes two names A,B, got model,kernel,model'],
    [['diff', 'x', '--backends', 'model,qemu'], 'unknown backend qemu (model, kernel, buggy, nokernel, latekernel, broken, crashy)'],
    [['diff', '-', '-'], 'standard input (-) can be read once'],
  ])('%j: usage error, exit 2', async (argv, reason) => {
    expect(await cli(argv)).toEqual({ code: 2, out: '', err: `error: ${reason}; usage: ${DIFF_SPEC.usage} (pidns diff --help)\n` });
  });

  it('--json: a file object each, with the first difference as fields, then the summary', async () => {
    const r = await cli(['diff', '--json', '--backends', 'model,buggy', 'same.pidns', 'differ.pidns']);
    expect(r.code).toBe(1);
    const objects = r.out.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objects[0]).toEqual({ version: 1, type: 'file', file: 'same.pidns', backends: ['model', 'buggy'], status: 'same' });
    expect(objects[1]).toMatchObject({ version: 1, type: 'file', file: 'differ.pidns', status: 'differ', first: { aOutcome: { ok: true }, bOutcome: { ok: true } } });
    expect(objects[2]).toEqual({ version: 1, type: 'summary', passed: 1, failed: 1, skipped: 0 });
  });

  it('--help', async () => {
    const r = await cli(['diff', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(DIFF_SPEC.help);
  });

  it('SIGINT or SIGTERM while a file runs: the open backend is closed', async () => {
    let closed = 0;
    let interrupt: (() => Promise<void>) | undefined;
    let uninstalled = false;
    let release: (() => void) | undefined;
    const called = new Promise<void>((resolve) => {
      registerBackend('hang', () =>
        wrapBackend(createModelBackend(), {
          name: 'kernel',
          call: () => {
            resolve();
            return new Promise((_, reject) => {
              release = () => {
                reject(new Error('closed'));
              };
            });
          },
          close: () => {
            closed++;
            release?.();
            return Promise.resolve();
          },
        }),
      );
    });
    const running = cli(['diff', '--backends', 'model,hang', 'same.pidns'], {
      onInterrupt: (cleanup) => {
        interrupt = cleanup;
        return () => {
          uninstalled = true;
        };
      },
    });
    await called;
    expect(closed).toBe(0);
    expect(interrupt).toBeDefined();
    await interrupt!();
    // Closed by the handler (then once more by the runner as the run ends: close is idempotent).
    expect(closed).toBeGreaterThanOrEqual(1);
    const r = await running;
    expect(r.err).toBe('error: same.pidns: backend hang: closed\n');
    expect(uninstalled).toBe(true);
  });

  it('no signal handlers for in-process model runs (Ctrl-C keeps its default action there)', async () => {
    let installed = 0;
    const r = await cli(['diff', '--backends', 'model,buggy', 'same.pidns'], {
      onInterrupt: () => {
        installed++;
        return () => undefined;
      },
    });
    expect(r.code).toBe(0);
    expect(installed).toBe(0);
  });
});
