// The package as a user gets it: `npm pack` of the built tree (npm test builds
// first; --ignore-scripts keeps pack from building again), installed into a
// fresh project, imported from Node as ESM through each subpath export, and
// type-checked against in strict mode with the repo's own TypeScript. The
// install reaches only the npm registry (for picocolors), cache first.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve('.');
const work = mkdtempSync(join(tmpdir(), 'pidns-pack-'));
let tarball = '';
let unpacked = '';

function run(cmd: string, args: readonly string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' } });
}

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist/index.js'))) throw new Error('dist/ is missing: npm run build first (npm test does)');
  const name = run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], ROOT).trim().split('\n').at(-1)!;
  tarball = join(work, name);
  unpacked = join(work, 'unpacked');
  run('mkdir', ['-p', unpacked], work);
  run('tar', ['-xzf', tarball, '-C', unpacked], work);
}, 120_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('ships a LICENSE, the four entry points, and no ELF file', () => {
    const pkg = join(unpacked, 'package');
    const all = files(pkg);
    expect(readFileSync(join(pkg, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    for (const entry of ['dist/index.js', 'dist/index.d.ts', 'dist/scenario/index.js', 'dist/snapshot/index.js', 'dist/restore/index.js', 'native/runner.c', 'bin/pidns.js']) expect(existsSync(join(pkg, entry)), entry).toBe(true);
    const elf = all.filter((f) => readFileSync(f).subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46])));
    expect(elf).toEqual([]);
    expect(all.filter((f) => f.includes('.test.'))).toEqual([]);
  });

  it('every source map carries its sources', () => {
    const maps = files(join(unpacked, 'package')).filter((f) => f.endsWith('.map') && !f.includes('web/dist'));
    expect(maps.length).toBeGreaterThan(0);
    for (const m of maps) {
      const map = JSON.parse(readFileSync(m, 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
      expect(map.sourcesContent?.length, m).toBe(map.sources.length);
      expect(map.sourcesContent?.every((s) => typeof s === 'string' && s.length > 0), m).toBe(true);
    }
  });

  it('installs in a fresh project, imports in Node ESM, and type-checks in strict mode', () => {
    const proj = join(work, 'proj');
    run('mkdir', ['-p', proj], work);
    writeFileSync(join(proj, 'package.json'), JSON.stringify({ name: 'pidns-user', version: '1.0.0', type: 'module', private: true }));
    run('npm', ['install', '--prefer-offline', '--no-package-lock', '--silent', tarball], proj);
    const code = `import { CLONE_NEWPID, Signal, as, createKernel, orThrow, procfs, checkInvariants } from 'pidns';
import { toJSON, fromJSON, parseSnapshot, SNAPSHOT_VERSION } from 'pidns/snapshot';
import { parseScenario, runScenario, createModelBackend } from 'pidns/scenario';
import { traceToScenario } from 'pidns/trace';

const kernel = createKernel();
const init = as(kernel, kernel.init);
const child = orThrow(init.clone(CLONE_NEWPID | Signal.SIGCHLD, 'child'));
const nspid: readonly number[] | undefined = procfs(kernel, kernel.ns0).status(child.child)?.nspid;
checkInvariants(kernel);
const json = toJSON(kernel);
const back = fromJSON(JSON.parse(JSON.stringify(json)));
const text = parseSnapshot(JSON.stringify(json)).ok;
const lines: string[] = [];
await runScenario(parseScenario('init: fork() -> a\\na: getpid()\\n', 'x.pidns'), createModelBackend(), { onLine: (l) => { lines.push(l); } });
const imported = traceToScenario('1 getpid() = 1\\n1 exit_group(0) = ?\\n1 +++ exited with 0 +++\\n', 'x.strace');
console.log(JSON.stringify({ pid: child.pid, nspid, version: SNAPSHOT_VERSION, loaded: back.ok, text, lines, imported }));
`;
    // The engine's types need no DOM and no Node: the check runs with lib ES2022 alone, so console is declared.
    writeFileSync(join(proj, 'use.ts'), `declare const console: { log(...data: unknown[]): void };\n${code}`);
    writeFileSync(join(proj, 'use.mjs'), code.replace(/: readonly number\[\] \| undefined/, '').replace(/: string\[\]/, ''));
    writeFileSync(
      join(proj, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true, skipLibCheck: false, types: [], lib: ['ES2022'] },
        files: ['use.ts', 'readme.ts'],
      }),
    );
    // The README's library example, as written (import from 'pidns'): plain JavaScript in Node, and strict TypeScript.
    const example = /```js\n(\/\/ README example[\s\S]*?)```/.exec(readFileSync(join(ROOT, 'README.md'), 'utf8'))![1]!;
    writeFileSync(join(proj, 'readme.mjs'), example);
    writeFileSync(join(proj, 'readme.ts'), `declare const console: { log(...data: unknown[]): void };\n${example}`);
    expect(run(process.execPath, ['readme.mjs'], proj).split('\n')[0]).toBe('2 1 0');
    const printed = JSON.parse(run(process.execPath, ['use.mjs'], proj)) as { pid: number; nspid: number[]; loaded: boolean; text: boolean; lines: string[]; imported: string };
    expect(printed).toMatchObject({ pid: 2, nspid: [2, 1], loaded: true, text: true, lines: ['init: fork() -> a = 2', 'a: getpid() = 2'] });
    expect(printed.imported).toMatch(/^prog_1: getpid\(\) = 1  # line 1$/m);
    // Strict type-check against the installed declarations (skipLibCheck off: they are checked too).
    run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', proj], proj);
    // The internals stay out of the public types.
    writeFileSync(join(proj, 'use.ts'), `import { createKernel } from 'pidns';\nconst k = createKernel();\nk.exitQueue;\n`);
    writeFileSync(join(proj, 'readme.ts'), 'export {};\n');
    let report = '';
    try {
      run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', proj], proj);
    } catch (e) {
      report = String((e as { stdout?: unknown }).stdout);
    }
    expect(report).toMatch(/Property 'exitQueue' does not exist on type 'Kernel'/);
  }, 180_000);
});
