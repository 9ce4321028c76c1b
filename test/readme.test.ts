// The README is documentation that must stay true: its API example runs (as
// TypeScript and as plain JavaScript) and prints what its comments say, and
// the figures it and docs/ give match the repository.

import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { COMMANDS, GROUPS } from '../src/cli/main.js';

const readme = readFileSync('README.md', 'utf8');

/** Runs the README's example from a file with extension `ext`, its import pointed at the source; what it printed. */
async function runExample(ext: 'ts' | 'js'): Promise<unknown[][]> {
  const block = /```js\n(\/\/ README example[\s\S]*?)```/.exec(readme)?.[1];
  expect(block).toBeDefined();
  const src = pathToFileURL(join(process.cwd(), 'src/index.ts')).href;
  const code = block!.replace(/from 'pidns'/, `from '${src}'`);
  const dir = mkdtempSync(join(tmpdir(), 'pidns-readme-'));
  const file = join(dir, `example.${ext}`);
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
  return printed;
}

function scenarioCount(dir: string): number {
  return readdirSync(dir).reduce((n, f) => {
    const p = join(dir, f);
    return n + (statSync(p).isDirectory() ? scenarioCount(p) : f.endsWith('.pidns') ? 1 : 0);
  }, 0);
}

describe('README', () => {
  it('opens with the two commands', () => {
    const lines = readme.split('\n').filter((l) => l.trim() !== '');
    expect(lines[1]?.trim()).toMatch(/^npm ci && npm start\b/);
    expect(lines[2]?.trim()).toMatch(/^npm ci && npm test\b/);
  });

  it.each(['ts', 'js'] as const)('API example runs as .%s and prints what its comments say', async (ext) => {
    const printed = await runExample(ext);
    expect(printed[0]).toEqual([2, 1, 0]);
    expect(printed[1]).toEqual([{ ok: true, value: 0 }]);
    expect(printed[2]).toEqual([{ ok: false, errno: 22, code: 'EINVAL', syscall: 'unshare' }]);
    expect(printed[3]).toEqual([['1 0 init', '2 1 child']]);
    expect(printed[4]).toEqual([[2, 1]]);
    expect(printed[5]).toEqual([{ ok: true, value: { kind: 'found', pid: 2, status: { kind: 'exited', code: 0 } } }]);
    // The comment on the last line lists the events exactly.
    const comment = /console\.log\(events\); \/\/ (\[.*\])/.exec(readme)?.[1];
    expect(printed[6]).toEqual([JSON.parse(comment!.replaceAll("'", '"')) as unknown]);
  });
});

describe('the figures and lists in the docs', () => {
  it('the scenario count of the conformance corpus (README, docs/CONFORMANCE.md)', () => {
    const n = scenarioCount('conformance');
    expect(readme).toContain(`docs/CONFORMANCE.md), ${n}\nscenarios)`);
    expect(readFileSync('docs/CONFORMANCE.md', 'utf8')).toContain(`${n} scenarios.`);
  });

  it('every command is in docs/cli.md, with its usage in the synopsis', () => {
    const cli = readFileSync('docs/cli.md', 'utf8');
    const synopsis = /^# The pidns command\n\n([\s\S]*?)\n\n/.exec(cli)?.[1] ?? '';
    for (const { name, usage } of [...COMMANDS.map((c) => c.spec), ...GROUPS]) {
      if (GROUPS.some((g) => g.name === name)) continue;
      expect(synopsis, `docs/cli.md synopsis: ${usage}`).toContain(`    ${usage}`);
    }
  });

  it('the layout names every folder of src/', () => {
    for (const d of readdirSync('src')) if (statSync(join('src', d)).isDirectory()) expect(readme).toContain(`src/${d}/`);
  });
});
