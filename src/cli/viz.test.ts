// pidns viz without a browser: the path check, the options, a missing build.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveInRoot, serveApp, VIZ_SPEC, vizCommand } from './viz.js';
import type { Io } from './io.js';

function capture(): Io & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out(t: string) {
      io.stdout += t;
    },
    err(t: string) {
      io.stderr += t;
    },
    readFile: () => Promise.reject(new Error("ENOENT: no such file or directory, open 'x'")),
  };
  return io;
}

describe('pidns viz', () => {
  it('resolves only paths inside the app folder', () => {
    const root = '/srv/app';
    expect(resolveInRoot(root, '/')).toBe('/srv/app/index.html');
    expect(resolveInRoot(root, '/assets/a.js?v=1')).toBe('/srv/app/assets/a.js');
    for (const bad of ['/../package.json', '/%2e%2e/package.json', '/a/..%2f..%2fx', '/a%00b', 'x', '/%E0%A4%A', '/..\\x']) {
      expect(resolveInRoot(root, bad)).toBeNull();
    }
  });

  it('refuses bad options and a missing build', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pidns-viz-'));
    try {
      const cases: [string[], string][] = [
        [['--port', 'x'], `error: --port needs an integer from 0 to 65535, got x; usage: ${VIZ_SPEC.usage} (pidns viz --help)\n`],
        [['--port', '65536'], `error: --port needs an integer from 0 to 65535, got 65536; usage: ${VIZ_SPEC.usage} (pidns viz --help)\n`],
        [['--frob'], `error: unknown option --frob; usage: ${VIZ_SPEC.usage} (pidns viz --help)\n`],
        [['a', 'b'], `error: too many arguments: b (at most 1 FILE); usage: ${VIZ_SPEC.usage} (pidns viz --help)\n`],
        [[], `error: the visualizer is not built: no ${join(dir, 'index.html')} (npm run build:web)\n`],
      ];
      for (const [args, message] of cases) {
        const io = capture();
        expect(await vizCommand(args, io, dir)).toBe(2);
        expect(io.stderr).toBe(message);
      }
      writeFileSync(join(dir, 'index.html'), 'app');
      const io = capture();
      expect(await vizCommand(['missing.pidns'], io, dir)).toBe(2);
      expect(io.stderr).toBe('error: missing.pidns: no such file or directory\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves the folder on 127.0.0.1 and 404s the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pidns-viz-'));
    writeFileSync(join(dir, 'index.html'), '<p>app</p>');
    const server = await serveApp(dir, 0);
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const home = await fetch(server.url);
      expect(home.status).toBe(200);
      expect(home.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await home.text()).toBe('<p>app</p>');
      expect((await fetch(`${server.url}nothing.js`)).status).toBe(404);
      expect((await fetch(server.url, { method: 'POST' })).status).toBe(405);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
