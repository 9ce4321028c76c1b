// Malformed input of every kind, fed to the real CLI (main() in process, on
// the real file system): each must be refused with exit 2, one line on
// standard error that names the input, nothing on standard output, nothing
// written, no stack trace, in bounded time and memory.
//
// To add inputs: push rows onto MALFORMED (a kind, the argv, the text the
// error line must contain, and files to create first). `$T` in an argument or
// a file name is the test's temporary directory; `files` maps names under it
// to contents (a `->` prefix makes a symbolic link to that target instead).

import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeIo, type Io } from '../src/cli/io.js';
import { COMMANDS, GROUPS, main } from '../src/cli/main.js';
import type { CommandSpec } from '../src/cli/args.js';

export interface MalformedInput {
  readonly kind: 'flags' | 'scenario' | 'snapshot' | 'trace';
  readonly argv: readonly string[];
  /** What the one error line must contain (the argument, option or file at fault). */
  readonly names: string;
  readonly files?: Readonly<Record<string, string>>;
}

const T = mkdtempSync(join(tmpdir(), 'pidns-malformed-'));
afterAll(() => {
  rmSync(T, { recursive: true, force: true });
});

/** Arguments that make each command's positionals valid, so that only the flag at fault is wrong. */
const BASE: Readonly<Record<string, readonly string[]>> = {
  run: ['$T/ok.pidns'],
  check: ['$T/ok.pidns'],
  diff: ['$T/ok.pidns'],
  'host translate': ['1', '--from', 'pid:1', '--to', 'pid:1'],
};
const OK_FILES = { 'ok.pidns': 'init: getpid() = 1\n' };

function words(spec: CommandSpec): string[] {
  return spec.name === '' ? [] : spec.name.split(' ');
}

/** Generic malformations of one command's flags, from its grammar. */
function flagCases(spec: CommandSpec): MalformedInput[] {
  const cmd = words(spec);
  const base = BASE[spec.name] ?? [];
  const row = (argv: string[], names: string): MalformedInput => ({ kind: 'flags', argv: [...cmd, ...argv], names, files: OK_FILES });
  const out: MalformedInput[] = [
    row([...base, '--no-such-option'], '--no-such-option'),
    row([...base, '-Z'], '-Z'),
    row([...base, '--no-such=1'], '--no-such'),
    row([...base, '--\x01\x1b[31mred'], '--\\x01\\x1b[31mred'),
    row([...base, `--${'x'.repeat(100_000)}`], `--${'x'.repeat(20)}`),
  ];
  for (const [name, o] of Object.entries(spec.options)) {
    if (o.type === 'boolean') {
      out.push(row([...base, `--${name}=yes`], `--${name}=yes`));
      continue;
    }
    out.push(row([...base, `--${name}`], `--${name}`));
    out.push(row([...base, `--${name}=`], `--${name}`));
    out.push(row([`--${name}`, '--no-such-option', ...base], `--${name}`));
    if (o.short !== undefined) out.push(row([...base, `-${o.short}`], `-${o.short}`));
  }
  const { max, min } = spec.positionals;
  // The base's positionals: translate's PID; run's, check's and diff's FILE.
  const have = spec.name === 'host translate' ? 1 : base.length;
  if (Number.isFinite(max)) out.push(row([...base, ...Array.from({ length: max + 1 - have }, (_, i) => `extra${i}`)], 'extra'));
  if (min > 0 && base.length > 0 && spec.name !== 'host translate') out.push(row([], 'needs'));
  return out;
}

/** Values each option refuses. */
const VALUE_CASES: readonly MalformedInput[] = [
  ...['-1', 'x', '1e3', '0x10', '1.5', '99999999999999999999', ' 1', '１'].flatMap((v): MalformedInput[] => [
    { kind: 'flags', argv: ['fuzz', `--seed=${v}`], names: v.trim() === '' ? '--seed' : v },
    { kind: 'flags', argv: ['fuzz', `--count=${v}`], names: v },
    { kind: 'flags', argv: ['viz', `--port=${v}`], names: v },
    { kind: 'flags', argv: ['host', 'ps', `--pid=${v}`], names: v },
  ]),
  { kind: 'flags', argv: ['fuzz', '--count', '0'], names: '0' },
  { kind: 'flags', argv: ['viz', '--port', '65536'], names: '65536' },
  ...['qemu', 'model,', ',kernel', 'model,kernel,model', 'model', 'model,qemu', ''].flatMap((v): MalformedInput[] => [
    { kind: 'flags', argv: ['diff', `--backends=${v}`, '$T/ok.pidns'], names: v === '' ? '--backends' : (v.split(',').find((n) => n === 'qemu') ?? v), files: OK_FILES },
    { kind: 'flags', argv: ['fuzz', `--backends=${v}`], names: v === '' ? '--backends' : (v.split(',').find((n) => n === 'qemu') ?? v) },
  ]),
  { kind: 'flags', argv: ['run', '--backend', 'qemu', '$T/ok.pidns'], names: 'qemu', files: OK_FILES },
  { kind: 'flags', argv: ['check', '--backend=', '$T/ok.pidns'], names: '--backend', files: OK_FILES },
  { kind: 'flags', argv: ['run', '--backend', 'kernel', '--from-snapshot', '$T/s.json', '$T/ok.pidns'], names: '--from-snapshot', files: OK_FILES },
  { kind: 'flags', argv: ['check', '-', '-'], names: '(-)' },
  { kind: 'flags', argv: ['host', 'ps', '--ns', 'foo'], names: 'foo' },
  { kind: 'flags', argv: ['host', 'ps', '--ns', '1', '--pid', '1'], names: '--pid' },
  { kind: 'flags', argv: ['host', 'ps', '--pid', '999999999'], names: '999999999' },
  { kind: 'flags', argv: ['host', 'ps', '-o', 'pid,bogus'], names: 'BOGUS' },
  { kind: 'flags', argv: ['host', 'ps', '-o', 'pid,,ppid'], names: '(empty)' },
  { kind: 'flags', argv: ['host', 'tree', '-o', '+nope'], names: 'NOPE' },
  { kind: 'flags', argv: ['host', 'translate', 'abc', '--from', 'pid:1', '--to', 'pid:1'], names: 'abc' },
  { kind: 'flags', argv: ['host', 'translate', '0', '--from', 'pid:1', '--to', 'pid:1'], names: '0' },
  { kind: 'flags', argv: ['host', 'translate', '1', '--to', 'pid:1'], names: '--from' },
  { kind: 'flags', argv: ['host', 'translate', '1', '--from', 'pid:1'], names: '--to' },
  { kind: 'flags', argv: ['host', 'translate', '1', '--from', 'nons', '--to', 'pid:1'], names: 'nons' },
  { kind: 'flags', argv: ['host'], names: 'host needs a command' },
  { kind: 'flags', argv: ['host', 'frob'], names: 'frob' },
  { kind: 'flags', argv: ['frob'], names: 'frob' },
  { kind: 'flags', argv: [], names: 'no command' },
  { kind: 'flags', argv: ['--no-such-option'], names: '--no-such-option' },
  { kind: 'flags', argv: ['--version=2'], names: '--version=2' },
  // Where output goes: issue 15's -o and --out paths.
  { kind: 'flags', argv: ['host', 'snapshot', '-o', '/proc/foo/s.json'], names: '/proc/foo' },
  { kind: 'flags', argv: ['host', 'snapshot', '-o', '$T'], names: '$T' },
  { kind: 'flags', argv: ['host', 'snapshot', '-o', '$T/dangling/x'], names: '$T/dangling', files: { dangling: '->/nonexistent/pidns' } },
  { kind: 'flags', argv: ['host', 'snapshot', '-o', '$T/file/x'], names: '$T/file', files: { file: 'not a directory' } },
  { kind: 'flags', argv: ['host', 'snapshot', '-o'], names: '-o' },
  { kind: 'flags', argv: ['host', 'snapshot', '-o', '--json'], names: '--json' },
  { kind: 'flags', argv: ['viz', '--out', '/proc/foo'], names: '/proc/foo' },
  { kind: 'flags', argv: ['viz', '--out', '$T/full'], names: '$T/full', files: { 'full/x': 'mine' } },
  { kind: 'flags', argv: ['viz', '--out', '$T/file'], names: '$T/file', files: { file: 'not a directory' } },
  { kind: 'flags', argv: ['viz', '--out', '$T/d', 'x.pidns'], names: '--out' },
  // Files named on the command line that are not there, or not files.
  { kind: 'flags', argv: ['run', '$T/missing.pidns'], names: '$T/missing.pidns' },
  { kind: 'flags', argv: ['run', '$T'], names: '$T' },
  { kind: 'flags', argv: ['check', '$T/missing'], names: '$T/missing' },
  { kind: 'flags', argv: ['diff', '--backends', 'model,model', '$T/missing'], names: '$T/missing' },
  { kind: 'flags', argv: ['run', '--from-snapshot', '$T/missing.json', '$T/ok.pidns'], names: '$T/missing.json', files: OK_FILES },
  { kind: 'flags', argv: ['run', '--from-snapshot', '$T/ok.pidns', '$T/ok.pidns'], names: '$T/ok.pidns', files: OK_FILES },
];

export const MALFORMED: MalformedInput[] = [...[...COMMANDS.map((c) => c.spec), ...GROUPS].flatMap(flagCases), ...VALUE_CASES];

/** Every file and directory under `dir`, for "nothing written". */
function listing(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: false }).map(String).sort();
}

const TIME_LIMIT_MS = 10_000;

function expand(s: string): string {
  return s.replaceAll('$T', T);
}

describe('malformed input', () => {
  it('there are at least 100 malformed inputs of each kind so far', () => {
    expect(MALFORMED.filter((m) => m.kind === 'flags').length).toBeGreaterThanOrEqual(100);
  });

  it.each(MALFORMED.map((m, i) => [i, m.kind, JSON.stringify(m.argv).slice(0, 120), m] as const))(
    '#%i %s %s: exit 2, one line naming it, nothing written',
    async (_i, _kind, _shown, m) => {
      rmSync(T, { recursive: true, force: true });
      mkdirSync(T, { recursive: true });
      for (const [name, text] of Object.entries(m.files ?? {})) {
        const path = join(T, name);
        mkdirSync(join(path, '..'), { recursive: true });
        if (text.startsWith('->')) symlinkSync(text.slice(2), path);
        else writeFileSync(path, text);
      }
      const before = listing(T);
      let out = '';
      let err = '';
      // The real file system and environment; no signal handlers (a kernel backend is never reached).
      const io: Io = {
        ...nodeIo,
        out: (t) => {
          out += t;
        },
        err: (t) => {
          err += t;
        },
        stdoutIsTTY: false,
        stderrIsTTY: false,
        env: {},
      };
      delete (io as { onInterrupt?: unknown }).onInterrupt;
      const heap = process.memoryUsage().heapUsed;
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((ok) => {
        timer = setTimeout(() => {
          ok('timeout');
        }, TIME_LIMIT_MS);
      });
      const code = await Promise.race([main(m.argv.map(expand), io), timeout]);
      clearTimeout(timer);
      const elapsed = performance.now() - started;
      expect(code, `no answer within ${TIME_LIMIT_MS} ms`).not.toBe('timeout');
      // check and diff end with their count line even when every path was bad; nothing else may reach stdout.
      expect({ code, out: out.replace(/^\d+ passed, \d+ failed\n$/, '') }).toEqual({ code: 2, out: '' });
      expect(err.endsWith('\n') && err.indexOf('\n') === err.length - 1, `one line: ${JSON.stringify(err)}`).toBe(true);
      expect(err).toMatch(/^error: /);
      expect(err).not.toMatch(/\n\s+at |Error: |TypeError|RangeError/);
      expect(err).toContain(expand(m.names));
      expect(err.length).toBeLessThan(400);
      expect(listing(T)).toEqual(before);
      expect(elapsed).toBeLessThan(TIME_LIMIT_MS);
      expect(process.memoryUsage().heapUsed - heap).toBeLessThan(256 * 1024 * 1024);
    },
  );
});
