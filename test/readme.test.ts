// The README's API example is documentation that must stay true: extract the
// block, point its import at the source, run it, and check what it printed.

import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';

describe('README', () => {
  it('opens with the two commands', () => {
    const readme = readFileSync('README.md', 'utf8');
    const lines = readme.split('\n').filter((l) => l.trim() !== '');
    expect(lines[1]?.trim()).toMatch(/^npm ci && npm start\b/);
    expect(lines[2]?.trim()).toMatch(/^npm ci && npm test\b/);
  });

  it('API example runs and prints what its comments say', async () => {
    const readme = readFileSync('README.md', 'utf8');
    const block = /```ts\n(\/\/ README example[\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const src = pathToFileURL(join(process.cwd(), 'src/index.ts')).href;
    const code = block!.replace(/from 'pidns'/, `from '${src}'`);
    const dir = mkdtempSync(join(tmpdir(), 'pidns-readme-'));
    const file = join(dir, 'example.ts');
    writeFileSync(file, code);
    const printed: unknown[][] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      printed.push(args);
    });
    try {
      await import(pathToFileURL(file).href);
    } finally {
      spy.mockRestore();
    }
    expect(printed[0]).toEqual([2, 1, 0]);
    expect(printed[1]).toEqual([{ ok: true, value: 0 }]);
    expect(printed[2]).toEqual([{ ok: false, errno: 22, code: 'EINVAL', syscall: 'unshare' }]);
    expect(printed[3]).toEqual([['1 0 init', '2 1 child']]);
    expect(printed[4]).toEqual([[2, 1]]);
    expect(printed[5]).toEqual([{ ok: true, value: { kind: 'found', pid: 2, status: { kind: 'exited', code: 0 } } }]);
    expect((printed[6]![0] as string[]).slice(0, 3)).toEqual(['ns_created', 'forked', 'ns_created']);
    expect(printed[6]![0]).toContain('reaped');
  });
});
