// The corpus of real programs (traces/): every trace replays on the model
// with no mismatch among the results and events it compares, and nothing
// left unexpressed: `pidns replay traces/*` exits 0. (Of the variants,
// the one recorded with -e trace=process falls short, by a listed call: its
// pidfd_open was filtered out.) A copy of a trace with one
// result altered makes `pidns replay` exit 1 and name that line; a garbled or
// truncated copy makes it exit 2 with the line's number, and import writes nothing.

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/test_io.js';
import { checkInvariants } from '../src/kernel/invariants.js';
import { ModelBackend } from '../src/scenario/index.js';
import { replayImport } from '../src/trace/index.js';
import { traceSource } from '../src/cli/trace_files.js';
import { importTrace } from '../src/trace/index.js';

const corpus = readdirSync('traces').filter((f) => f.endsWith('.strace')).map((f) => join('traces', f));
const variants = [...readdirSync('test/fixtures/trace_variants').filter((f) => f.endsWith('.strace')).map((f) => join('test/fixtures/trace_variants', f)), 'test/fixtures/trace_variants/python_fork.ff'];

/** The traces that replay fully today: nothing unexpressed, every result matched. */
const PASSING = new Set([
  'traces/bash_background.strace',
  'traces/bash_exec.strace',
  'traces/bash_interactive.strace',
  'traces/bash_job_control.strace',
  'traces/bash_kill.strace',
  'traces/bash_pipe.strace',
  'traces/bash_subshell.strace',
  'traces/busybox_sh.strace',
  'traces/catatonit.strace',
  'traces/dash_interactive.strace',
  'traces/dash_pipe.strace',
  'traces/dash_trap.strace',
  'traces/dumb_init.strace',
  'traces/make_j4.strace',
  'traces/mksh.strace',
  'traces/nohup.strace',
  'traces/nsenter.strace',
  'traces/ps.strace',
  'traces/pstree.strace',
  'traces/python_fork.strace',
  'traces/python_multiprocessing.strace',
  'traces/python_pidfd.strace',
  'traces/python_posix_spawn.strace',
  'traces/python_sessions.strace',
  'traces/python_stop_cont.strace',
  'traces/python_subprocess.strace',
  'traces/python_subreaper.strace',
  'traces/python_thread_exec.strace',
  'traces/python_thread_fork.strace',
  'traces/python_threads.strace',
  'traces/setsid.strace',
  'traces/setsid_wait.strace',
  'traces/timeout_expires.strace',
  'traces/timeout_ok.strace',
  'traces/tini_pid1.strace',
  'traces/tini_subreaper.strace',
  'traces/unshare.strace',
  'traces/xargs_p2.strace',
  'traces/zsh.strace',
  'traces/zsh_interactive.strace',
  'test/fixtures/trace_variants/busybox_sh.T.strace',
  'test/fixtures/trace_variants/dash_pipe.ttt_noq.strace',
  'test/fixtures/trace_variants/single.strace',
  'test/fixtures/trace_variants/python_fork.ff',
]);

describe('the corpus of traced programs', () => {
  it('has at least 25 programs, each with its command in corpus.tsv', () => {
    const listed = readFileSync('scripts/traces/corpus.tsv', 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => `traces/${l.split('\t')[0]!}.strace`);
    expect(corpus.length).toBeGreaterThanOrEqual(25);
    expect(new Set(listed)).toEqual(new Set(corpus));
  });

  it('pidns replay traces/* exits 0: traces/ holds only traces, and every one passes', async () => {
    // What the shell gives for traces/*: every entry (the recording scripts live in scripts/traces/).
    const everything = readdirSync('traces').map((f) => join('traces', f));
    expect(everything.sort()).toEqual([...corpus].sort());
    const m = memoryIo(new Map());
    expect(await main(['replay', ...everything], m.io)).toBe(0);
    expect(m.output().out).toMatch(new RegExp(`\\n${corpus.length} passed, 0 failed\\n$`));
    expect(corpus.every((f) => PASSING.has(f))).toBe(true);
  });

  it.each([...corpus, ...variants])('%s replays with no mismatch', async (file) => {
    const source = traceSource(file);
    expect(source).not.toBeNull();
    const imported = importTrace(source!);
    const report = await replayImport(file, imported, new ModelBackend({ afterStep: checkInvariants, verifyFailingCalls: true }));
    expect(report.stopped).toBeNull();
    expect(report.mismatches).toEqual([]);
    expect(report.compared).toBeGreaterThan(0);
    if (PASSING.has(file)) {
      expect(report.unexpressed).toEqual([]);
      expect(report.passed).toBe(true);
    } else {
      // Its only shortfall: calls listed, by line, as not expressible yet.
      expect(report.unexpressed.length).toBeGreaterThan(0);
      expect(report.passed).toBe(false);
      for (const u of report.unexpressed) expect(imported.scenario).toContain(`#   ${u.why}:`);
    }
  });
});

describe('pidns replay on altered copies', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pidns-traces-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Writes a copy of `file` with line `line` (1-based) changed by `edit`, which must change it. */
  const altered = (file: string, line: number, edit: (s: string) => string): string => {
    const lines = readFileSync(file, 'utf8').split('\n');
    const before = lines[line - 1]!;
    lines[line - 1] = edit(before);
    expect(lines[line - 1]).not.toBe(before);
    const out = join(dir, `${line}-${file.replaceAll('/', '_')}`);
    writeFileSync(out, lines.join('\n'));
    return out;
  };

  const replay = async (file: string): Promise<{ status: number; out: string; err: string }> => {
    const m = memoryIo(new Map());
    const status = await main(['replay', file], m.io);
    return { status, ...m.output() };
  };

  it('passes the untouched trace', async () => {
    const r = await replay('traces/python_fork.strace');
    expect(r).toMatchObject({ status: 0, err: '' });
    expect(r.out).toMatch(/^ok traces\/python_fork\.strace: 370 lines, 74 compared, 0 mismatches, 0 not expressible\n1 passed, 0 failed\n$/);
  });

  it.each([
    ['a returned pid', 'traces/python_fork.strace', 358, (s: string) => s.replace(/= 5$/, '= 6')],
    ['a wait status', 'traces/python_fork.strace', 363, (s: string) => s.replace('WEXITSTATUS(s) == 7', 'WEXITSTATUS(s) == 8')],
    ['an errno', 'traces/bash_subshell.strace', 214, (s: string) => s.replace('ECHILD (No child processes)', 'EINTR (Interrupted system call)')],
    ['a signal si_pid', 'traces/dash_trap.strace', 52, (s: string) => s.replace('si_pid=4', 'si_pid=3')],
    ['a waitid si_pid', 'traces/python_pidfd.strace', 368, (s: string) => s.replace('si_pid=5', 'si_pid=6')],
    ['the signal rt_sigtimedwait took', 'traces/dumb_init.strace', 386, (s: string) => s.replace('= 17 (SIGCHLD)', '= 15 (SIGTERM)')],
    ['an rt_sigprocmask result', 'traces/nsenter.strace', 58, (s: string) => s.replace(/= 0$/, '= -1 EINVAL (Invalid argument)')],
    ['an rt_sigaction result', 'traces/dash_trap.strace', 50, (s: string) => s.replace(/= 0$/, '= -1 EINVAL (Invalid argument)')],
    ['an old mask', 'traces/dash_pipe.strace', 358, (s: string) => s.replace('~[KILL STOP RTMIN RT_1]', '~[KILL STOP RTMIN]')],
    ['an old action', 'traces/timeout_ok.strace', 114, (s: string) => s.replace('{sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}', '{sa_handler=SIG_IGN, sa_mask=[], sa_flags=0}')],
    ["rt_sigtimedwait's siginfo", 'traces/dumb_init.strace', 386, (s: string) => s.replace('si_pid=2', 'si_pid=3')],
    ['a tcgetpgrp result', 'traces/bash_interactive.strace', 580, (s: string) => s.replace('TIOCGPGRP, [5]', 'TIOCGPGRP, [6]')],
    ['a terminal ioctl errno', 'traces/bash_exec.strace', 174, (s: string) => s.replace('ENOTTY (Inappropriate ioctl for device)', 'EBADF (Bad file descriptor)')],
    ["a signalfd read's ssi_pid", 'traces/catatonit.strace', 342, (s: string) => s.replace('\\1\\0\\0\\0\\2\\0', '\\1\\0\\0\\0\\3\\0')],
  ])('%s altered: exit 1, naming the line', async (_what, file, line, edit) => {
    const r = await replay(altered(file, line, edit));
    expect(r.status).toBe(1);
    expect(r.out).toMatch(new RegExp(`\\n {2}line ${line}: `));
    expect(r.out).toMatch(/\n0 passed, 1 failed\n$/);
  });

  it('a garbled line: exit 2 with its number, and import writes nothing', async () => {
    const bad = altered('traces/python_fork.strace', 100, (s) => s.slice(0, 20));
    const r = await replay(bad);
    expect(r.status).toBe(2);
    expect(r.err).toMatch(new RegExp(`^error: ${bad.replaceAll('.', '\\.')}:100: truncated or garbled \\w+ line: no closing parenthesis\\n$`));
    const out = join(dir, 'never.pidns');
    const m = memoryIo(new Map());
    const status = await main(['import', bad, '-o', out], m.io);
    expect(status).toBe(2);
    expect(existsSync(out)).toBe(false);
  });

  it('a directory: every trace under it', async () => {
    const m = memoryIo(new Map());
    await main(['replay', 'test/fixtures/trace_variants'], m.io);
    expect(m.output().out.split('\n').filter((l) => /^(ok|FAIL) /.test(l)).map((l) => l.split(':')[0])).toEqual(
      [...variants.filter((v) => v.endsWith('.strace')).sort(), 'test/fixtures/trace_variants/python_fork.ff'].map((v) => (PASSING.has(v) ? `ok ${v}` : `FAIL ${v}`)),
    );
  });

  it('--json: one object per trace, then the summary', async () => {
    const m = memoryIo(new Map());
    const bad = altered('traces/dash_trap.strace', 52, (s) => s.replace('si_pid=4', 'si_pid=3'));
    expect(await main(['replay', '--json', 'traces/nohup.strace', bad], m.io)).toBe(1);
    const objects = m.output().out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objects.map((o) => [o.type, o.file, o.passed])).toEqual([
      ['trace', 'traces/nohup.strace', true],
      ['trace', bad, false],
      ['summary', undefined, 1],
    ]);
    expect(objects[2]).toEqual({ type: 'summary', passed: 1, failed: 1 });
  });

  it('an unknown option: exit 2, one line', async () => {
    const m = memoryIo(new Map());
    expect(await main(['replay', '--bogus', 'x'], m.io)).toBe(2);
    expect(m.output().err).toBe('error: unknown option --bogus; usage: pidns replay [--json] TRACE|DIR... (pidns replay --help)\n');
  });

  it('a file that is not strace: exit 2', async () => {
    const r = await replay('scripts/traces/corpus.tsv');
    expect(r.status).toBe(2);
    expect(r.err).toMatch(/^error: scripts\/traces\/corpus\.tsv:1: /);
  });
});

describe('pidns trace', () => {
  it('without strace on PATH says so, exit 2', async () => {
    const m = memoryIo(new Map(), { extra: { env: { PATH: '/nonexistent' } } });
    expect(await main(['trace', '-o', '/tmp/never.strace', '--', '/bin/true'], m.io)).toBe(2);
    expect(m.output().err).toBe('error: strace is not installed (Debian: apt-get install strace); usage: pidns trace [-o FILE] -- CMD [ARG...] (pidns trace --help)\n');
  });

  it('refuses a command without --', async () => {
    const m = memoryIo(new Map());
    expect(await main(['trace', '/bin/true'], m.io)).toBe(2);
    expect(m.output().err).toMatch(/^error: unexpected argument \/bin\/true: put the command after --/);
  });

  // Recording needs root (a fresh PID namespace) and strace. Where the kernel backend is
  // required (CI: PIDNS_REQUIRE_KERNEL=1, and .ci/run installs strace) it must run.
  const canRecord = (process.getuid?.() === 0 && traceSource('/usr/bin/strace') !== null) || process.env.PIDNS_REQUIRE_KERNEL === '1';
  it.runIf(canRecord)('records a program that then replays with every result matched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pidns-trace-'));
    try {
      const file = join(dir, 'true.strace');
      const m = memoryIo(new Map(), { extra: { env: process.env } });
      expect(await main(['trace', '-o', file, '--', '/usr/bin/python3', '-c', 'import os; p=os.fork(); os._exit(3) if p==0 else os.waitpid(p, 0)'], m.io)).toBe(0);
      const r = memoryIo(new Map());
      expect(await main(['replay', file], r.io)).toBe(0);
      expect(r.output().out).toMatch(/^ok .*true\.strace: \d+ lines, \d+ compared, 0 mismatches, 0 not expressible\n1 passed, 0 failed\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
