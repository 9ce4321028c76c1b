// The code's shape that issue 11 asked for, kept true: a system call is one
// descriptor, not a dozen edits (few files mention a call's name), and no
// source file grows past 450 lines.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'build' ? [] : files(p, ext);
    return ext.test(f) ? [p] : [];
  });
}

const isTest = (p: string): boolean => /\.test\.ts$|\/test_[^/]*\.ts$/.test(p);
const sources = [...files('src', /\.ts$/), ...files('native', /\.(c|h)$/)].filter((p) => !isTest(p));

describe('the shape of the code', () => {
  it.each(['getppid', 'setpgid', 'pidfd_open', 'tgkill'])('at most 5 non-test files under src/ and native/ mention %s', (name) => {
    const mentioning = sources.filter((p) => readFileSync(p, 'utf8').includes(name));
    expect(mentioning.length, mentioning.join(' ')).toBeLessThanOrEqual(5);
  });

  it('no non-test TypeScript file is over 450 lines', () => {
    const long = sources.filter((p) => p.endsWith('.ts')).map((p) => [p, readFileSync(p, 'utf8').split('\n').length - 1] as const).filter(([, n]) => n > 450);
    expect(long).toEqual([]);
  });
});
