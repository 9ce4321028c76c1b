// Every command and subcommand of the table answers --help without doing its
// work, refuses an unknown option with exit 2 and its usage line, and
// `pidns --version` prints package.json's version. /proc is never read here:
// the host module is replaced by one that fails if asked.

import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { memoryIo } from './test_io.js';

vi.mock('../host/proc.js', async (actual) => {
  const real = await actual<typeof import('../host/proc.js')>();
  return {
    ...real,
    readProcs: () => {
      throw new Error('/proc was read');
    },
  };
});

const { COMMANDS, GROUPS, main } = await import('./main.js');

const specs = [...COMMANDS.map((c) => c.spec), ...GROUPS];

/** Runs main on a capturing Io whose every file access is recorded. */
async function cli(argv: readonly string[]): Promise<{ code: number; out: string; err: string; touched: string[] }> {
  const touched: string[] = [];
  const { io, output } = memoryIo(new Map(), {
    extra: {
      readFile: (p) => {
        touched.push(`read ${p}`);
        return Promise.reject(new Error('ENOENT: no such file or directory'));
      },
      writeFile: (p) => {
        touched.push(`write ${p}`);
        return Promise.resolve();
      },
      onInterrupt: () => {
        touched.push('signal handlers');
        return () => undefined;
      },
    },
  });
  const code = await main(argv, io);
  return { code, ...output(), touched };
}

describe('every command', () => {
  it('the table has every command the main help lists', () => {
    const names = specs.map((s) => s.name).sort();
    expect(names).toEqual(['check', 'diff', 'fuzz', 'host', 'host ps', 'host snapshot', 'host translate', 'host tree', 'import', 'plan', 'replay', 'restore', 'run', 'trace', 'viz']);
  });

  it.each(specs.map((s) => [s.name, s] as const))('%s --help and -h: its help, exit 0, nothing else done', async (name, spec) => {
    for (const flag of ['--help', '-h']) {
      const r = await cli([...name.split(' '), flag]);
      expect(r).toEqual({ code: 0, out: spec.help, err: '', touched: [] });
      expect(spec.help).toContain(spec.usage.split(' | ')[0]!.replace(/^pidns /, ''));
    }
    // --help wins over other arguments, even wrong ones.
    expect(await cli([...name.split(' '), 'x', '--bogus', '--help'])).toEqual({ code: 0, out: spec.help, err: '', touched: [] });
  });

  it.each(specs.map((s) => [s.name, s] as const))('%s --no-such-option: exit 2, one line with its usage', async (name, spec) => {
    const r = await cli([...name.split(' '), '--no-such-option']);
    expect(r).toEqual({ code: 2, out: '', err: `error: unknown option --no-such-option; usage: ${spec.usage} (pidns ${name} --help)\n`, touched: [] });
  });

  it('pidns --help, and the help of every command fits 80 columns', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^pidns: /);
    for (const s of specs) expect(r.out).toContain(`pidns ${s.name}`);
    for (const text of [r.out, ...specs.map((s) => s.help)]) for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('pidns --version prints package.json version', async () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(await cli(['--version'])).toEqual({ code: 0, out: `${pkg.version}\n`, err: '', touched: [] });
  });
});
