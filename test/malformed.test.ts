// Malformed input of every kind through the CLI: each must give exit 2, one
// line on standard error naming the input, no stack trace, nothing written,
// in bounded time and memory. One table per kind (scenario files, snapshot
// files, ...): add a kind by adding a table with its inputs and its command.
// Every input runs in-process through main(); a sample of each kind also runs
// through the real `pidns` binary with a 256 MB heap.

import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/test_io.js';
import { Kernel } from '../src/kernel/kernel.js';
import { opArb, step } from '../src/kernel/test_random_history.js';
import { fromJSON, toJSON } from '../src/snapshot/index.js';
import fc from 'fast-check';

interface Input {
  /** What is wrong, for the test's name. */
  readonly what: string;
  readonly content: string | Buffer;
}

interface Kind {
  readonly kind: string;
  readonly ext: string;
  readonly inputs: () => Input[];
  /** The command line that reads `file`. */
  readonly argv: (file: string) => string[];
}

const dir = mkdtempSync(join(tmpdir(), 'pidns-malformed-'));
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });
/** The valid scenario a snapshot is run with: only the snapshot is malformed. */
const okScenario = join(dir, 'ok.pidns');
writeFileSync(okScenario, '@ps h1\n');

// ---- scenario files -------------------------------------------------------

const validScenarios = ['examples/multi_pidns.pidns', 'examples/pidns_init_sleep.pidns', ...readdirSync('conformance/unshare_setns').slice(0, 4).map((f) => `conformance/unshare_setns/${f}`), ...readdirSync('conformance/wait').slice(0, 4).map((f) => `conformance/wait/${f}`)]
  .filter((f) => f.endsWith('.pidns'))
  .map((f) => readFileSync(f, 'utf8'));

/** Appended to a valid scenario, each makes it malformed (at parse time, or a scenario error when run). */
const scenarioTails: readonly [string, string][] = [
  ['an unknown call', 'init: frob()'],
  ['an unmatched }', '}'],
  ['an unclosed repeat', 'repeat 2 {'],
  ['a | line outside a view', 'init: getpid()\n| 1 init'],
  ['a truncated call', 'init: kill(1,'],
  ['= with no result', 'init: getpid() ='],
  ['an unknown view', '@bogus init'],
  ['a bad actor name', 'Bad: getpid()'],
  ['an unknown actor', 'nobody: getpid()'],
  ['a NUL byte', 'init: get\0pid()'],
  ['repeat nested 3,000 deep', `${'repeat 2 {\n'.repeat(3000)}init: getpid()\n${'}\n'.repeat(3000)}`],
  ['a 1 MB actor name', `${'a'.repeat(1 << 20)}: getpid()`],
  ['repeat 0', 'repeat 0 {\ninit: getpid()\n}'],
  ['a repeat count past 2^53', 'repeat 99999999999999999999 {\ninit: getpid()\n}'],
  ['an unknown constant', 'init: clone(CLONE_NEWFOO)'],
  ['too many arguments', 'init: kill(1, 9, 3)'],
];

/** Whole files, malformed from the start. */
const scenarioWholes: readonly [string, string | Buffer][] = [
  ['binary garbage', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))],
  ['invalid UTF-8', Buffer.from([0x69, 0x6e, 0x69, 0x74, 0x3a, 0x20, 0xff, 0xfe, 0x28, 0x29, 0x0a])],
  ['only a }', '}\n'],
  ['a lone @', '@\n'],
  ['a lone |', '| x\n'],
  ['a CR-only file with a bad line', 'init: getpid()\rinit: frob()\r'],
  ['a million-line expectation on a bad view', `@ps nobody\n${'| x\n'.repeat(1_000_000)}`],
  ['a call on a name bound to nothing', 'init: kill($p9, SIGKILL)\n'],
  ['setns with a bad target', 'init: setns(ns(), CLONE_NEWPID)\n'],
  ['wait4 missing an argument', 'init: wait4(-1)\n'],
];

const scenarioKind: Kind = {
  kind: 'scenario file',
  ext: 'pidns',
  inputs: () => [
    ...validScenarios.flatMap((base, i) => scenarioTails.map(([what, tail]) => ({ what: `${what} (after valid file ${i})`, content: `${base}\n${tail}\n` }))),
    ...scenarioWholes.map(([what, content]) => ({ what, content })),
  ],
  argv: (file) => ['run', file],
};

// ---- snapshot files -------------------------------------------------------

type Json = Record<string, unknown>;

function validSnapshot(seed: number): Json {
  const [ops] = fc.sample(fc.array(opArb, { minLength: 5, maxLength: 40 }), { seed, numRuns: 1 });
  const k = new Kernel();
  for (const op of ops!) if (step(k, op) === null) break;
  return JSON.parse(JSON.stringify(toJSON(k))) as Json;
}

/** Corruptions of one record field each, kept only where the loader refuses them (the rest are valid states). */
function fieldCorruptions(snap: Json, tag: string): Input[] {
  const out: Input[] = [];
  const values: unknown[] = ['x', -1, null, [], {}, true, 1.5, 2 ** 40];
  for (const list of ['tasks', 'threadGroups', 'pids', 'pidNamespaces', 'userNamespaces'] as const) {
    const records = snap[list] as Json[];
    const record = records[records.length - 1]!;
    for (const [vi, key] of Object.keys(record).entries()) {
      const copy = JSON.parse(JSON.stringify(snap)) as Json;
      const target = (copy[list] as Json[])[records.length - 1]!;
      target[key] = values[vi % values.length];
      if (!fromJSON(copy).ok) out.push({ what: `${tag}: ${list}[-1].${key} := ${JSON.stringify(values[vi % values.length])}`, content: JSON.stringify(copy) });
    }
  }
  return out;
}

function named(snap: Json, what: string, change: (s: { tasks: Json[]; pids: Json[]; pidNamespaces: Json[] } & Json) => void): Input {
  const copy = JSON.parse(JSON.stringify(snap)) as { tasks: Json[]; pids: Json[]; pidNamespaces: Json[] } & Json;
  change(copy);
  return { what, content: JSON.stringify(copy) };
}

const snapshotKind: Kind = {
  kind: 'snapshot file',
  ext: 'json',
  inputs: () => {
    const base = validSnapshot(1);
    const text = JSON.stringify(base);
    const out: Input[] = [
      { what: 'empty', content: '' },
      { what: 'null', content: 'null' },
      { what: 'an array', content: '[]' },
      { what: 'an empty object', content: '{}' },
      { what: 'a string', content: '"pidns-snapshot"' },
      { what: 'binary garbage', content: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 31) % 256)) },
      { what: 'deeply nested arrays', content: `${'['.repeat(100_000)}${']'.repeat(100_000)}` },
      { what: 'a wrong format', content: JSON.stringify({ ...base, format: 'other' }) },
      { what: 'version 99', content: JSON.stringify({ ...base, version: 99 }) },
      { what: 'a 20 MB comm', content: text.replace('"comm":"init"', `"comm":"${'x'.repeat(20 << 20)}"`) },
      named(base, 'a task that is its own parent', (s) => { s.tasks[1]!.parent = s.tasks[1]!.seq; }),
      named(base, 'a parent cycle', (s) => { s.tasks[0]!.parent = s.tasks[s.tasks.length - 1]!.seq; }),
      named(base, 'uid -1', (s) => { (s.tasks[0]!.cred as Json).uid = -1; }),
      named(base, 'hashed false on a live Pid', (s) => { s.pids.find((p) => p.task === s.tasks[0]!.seq)!.hashed = false; }),
      named(base, 'a child reaper that is not pid 1', (s) => { s.pidNamespaces[1]!.childReaper = s.tasks[s.tasks.length - 1]!.seq; }),
    ];
    for (let cut = 1; cut < 20; cut++) out.push({ what: `truncated at ${cut}/20`, content: text.slice(0, Math.floor((text.length * cut) / 20)) });
    for (const key of Object.keys(base)) {
      const copy = Object.fromEntries(Object.entries(base).filter(([k]) => k !== key));
      out.push({ what: `no ${key}`, content: JSON.stringify(copy) });
    }
    for (let seed = 1; seed <= 4; seed++) out.push(...fieldCorruptions(validSnapshot(seed), `history ${seed}`));
    return out.filter((x) => x.what !== 'a child reaper that is not pid 1' || !fromJSON(JSON.parse(x.content as string)).ok);
  },
  argv: (file) => ['run', '--from-snapshot', file, okScenario],
};


// ---- strace logs --------------------------------------------------------------

const TRACE = readFileSync('traces/bash_background.strace', 'utf8');
const TRACE_LINES = TRACE.split('\n').filter((l) => l !== '');

/** A line of the trace changed so that it is no longer strace's. */
/** The lines with a result: the ones every way below garbles (an unfinished line's arguments go on elsewhere). */
const FINISHED = TRACE_LINES.flatMap((l, i) => (/\) += /.test(l) && !l.includes('<...') ? [i] : []));

function garbled(i: number): string {
  const lines = [...TRACE_LINES];
  const k = FINISHED[(i * 7) % FINISHED.length]!;
  const line = lines[k]!;
  const ways = [
    () => line.replace(/\) += /, ' = '), // an unclosed call
    () => line.replace(/^\d+/, 'x'), // no pid
    () => line.slice(0, Math.max(1, Math.floor(line.length / 2))), // cut in the middle
    () => line.replace(/\(/, '(('), // an extra parenthesis
    () => `${line}\u0000garbage`, // a NUL and garbage after the result
  ];
  lines[k] = ways[i % ways.length]!();
  return `${lines.join('\n')}\n`;
}

const traceKind: Kind = {
  kind: 'strace log',
  ext: 'strace',
  inputs: () => {
    const out: Input[] = [
      { what: 'empty', content: '' },
      { what: 'a scenario, not a trace', content: 'init: fork() -> a\n' },
      { what: 'JSON', content: '{"format":"pidns-snapshot"}' },
      { what: 'binary garbage', content: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37) % 256)) },
      { what: 'a resumed line without its start', content: '5     <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 6\n' },
      { what: 'a tracer that was not pid 1 of a fresh namespace', content: TRACE.replace(/^4 /gm, '123456 ') },
      { what: 'an unknown syscall number', content: '4     syscall_0x1234(0, 0) = -1 ENOSYS (Function not implemented)\n' },
      { what: 'one very long line', content: `4     ${'x'.repeat(5 << 20)}\n` },
    ];
    for (let cut = 1; cut < 40; cut++) {
      const at = Math.floor((TRACE.length * cut) / 40);
      // Cut inside a line (not at a newline): a truncated log.
      const text = TRACE.slice(0, at);
      if (!text.endsWith('\n')) out.push({ what: `truncated at ${cut}/40`, content: text });
    }
    for (let i = 0; i < 80; i++) out.push({ what: `garbled line ${i}`, content: garbled(i) });
    return out;
  },
  argv: (file) => ['import', file],
};

const KINDS: readonly Kind[] = [scenarioKind, snapshotKind, traceKind];

// ---- the checks -------------------------------------------------------------

function expectOneLineNaming(err: string, file: string): void {
  expect(err.endsWith('\n')).toBe(true);
  expect(err.slice(0, -1)).not.toContain('\n');
  expect(err).toMatch(/^error: /);
  expect(err).toContain(file);
  expect(err).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  // A line that repeats a huge input is not a reason.
  expect(err.length).toBeLessThan(2000);
}

describe.each(KINDS)('malformed $kind', (kind) => {
  const inputs = kind.inputs();

  it('has at least 100 inputs', () => {
    expect(inputs.length).toBeGreaterThanOrEqual(100);
  });

  it('each: exit 2, one line naming it, nothing written, bounded time and memory', async () => {
    const failures: string[] = [];
    for (const [i, input] of inputs.entries()) {
      const file = join(dir, `${kind.ext}-${i}.${kind.ext}`);
      writeFileSync(file, input.content);
      const before = new Set(readdirSync(dir));
      const written: string[] = [];
      const { io, output } = memoryIo(new Map(), {
        extra: {
          readFile: (p: string) => readFile(p, 'utf8'),
          writeFile: (p: string) => {
            written.push(p);
            return Promise.resolve();
          },
        },
      });
      const t0 = performance.now();
      const heap0 = process.memoryUsage().heapUsed;
      let code: number;
      try {
        code = await main(kind.argv(file), io);
      } catch (e) {
        failures.push(`${input.what}: threw ${e instanceof Error ? e.stack : String(e)}`);
        continue;
      }
      const ms = performance.now() - t0;
      const grew = process.memoryUsage().heapUsed - heap0;
      const { err } = output();
      try {
        expect(code).toBe(2);
        expectOneLineNaming(err, file);
        expect(written).toEqual([]);
        expect(new Set(readdirSync(dir))).toEqual(before);
        expect(ms).toBeLessThan(5000);
        // Bounded memory: what is left after the run is small next to the input (a 1 MB name, a 20 MB comm).
        expect(grew).toBeLessThan(256 << 20);
      } catch (e) {
        failures.push(`${input.what}: exit ${code}, ${ms.toFixed(0)} ms, stderr ${JSON.stringify(err.slice(0, 300))}: ${e instanceof Error ? e.message.split('\n')[0]! : String(e)}`);
      }
    }
    expect(failures).toEqual([]);
  }, 300_000);

  it('a sample through the real binary with a 256 MB heap: exit 2, one line, no stack trace', async () => {
    const sample = inputs.filter((_, i) => i % Math.ceil(inputs.length / 8) === 0);
    for (const [i, input] of sample.entries()) {
      const file = join(dir, `bin-${kind.ext}-${i}.${kind.ext}`);
      writeFileSync(file, input.content);
      const r = await new Promise<{ code: number; err: string }>((resolve) => {
        execFile(process.execPath, ['--max-old-space-size=256', 'bin/pidns.js', ...kind.argv(file)], { timeout: 30_000, maxBuffer: 64 << 20 }, (error, _out, err) => {
          resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, err });
        });
      });
      expect({ what: input.what, code: r.code }).toEqual({ what: input.what, code: 2 });
      expectOneLineNaming(r.err, file);
    }
  }, 300_000);
});

describe('huge but well-formed input', () => {
  it('a view expectation of a million lines that does not match: exit 1 and a report, no stack trace', async () => {
    const file = join(dir, 'million.pidns');
    writeFileSync(file, `@ps init\n${'| 1 0 init\n'.repeat(1_000_000)}`);
    const { io, output } = memoryIo(new Map(), { extra: { readFile: (p: string) => readFile(p, 'utf8') } });
    const code = await main(['check', file], io);
    const { out, err } = output();
    expect(err).toBe('');
    expect(code).toBe(1);
    expect(out).toContain(`FAIL ${file}`);
  }, 120_000);
});
