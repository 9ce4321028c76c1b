// The visualizer in real Chromium (Debian's /usr/bin/chromium driven by
// playwright-core) against `pidns viz` as a user starts it. Screenshots go to
// test-results/. Needs `npm run build` (dist/ and web/dist/).

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const CLI = join(ROOT, 'bin/pidns.js');
const SHOTS = join(ROOT, 'test-results');
// PIDNS_CHROMIUM: another browser binary. Missing: skipped with one line, except under CI, where it fails.
const CHROMIUM = process.env['PIDNS_CHROMIUM'] ?? '/usr/bin/chromium';
const REQUIRED = process.env['CI'] === 'true' || process.env['PIDNS_REQUIRE_KERNEL'] === '1';
const HAVE_BROWSER = existsSync(CHROMIUM);
const MISSING = `${CHROMIUM} is missing: apt-get install -y chromium, or set PIDNS_CHROMIUM to a Chromium binary`;
if (!HAVE_BROWSER && !REQUIRED) console.warn(`${MISSING}; the visualizer's browser tests are skipped`);
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let server: ChildProcess;
let url: string;
let browser: Browser;

/** Starts `pidns viz ARGS` and resolves with the URL it prints. */
function startViz(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [CLI, 'viz', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /serving on (http:\/\/\S+)/.exec(out);
      if (m !== null) ok({ child, url: m[1]! });
    });
    child.stderr.on('data', (b: Buffer) => {
      out += b.toString();
    });
    child.on('exit', (code) => {
      fail(new Error(`pidns viz exited ${code}: ${out}`));
    });
  });
}

/** A raw GET (no URL normalization, unlike fetch): status code. */
function rawGet(host: string, port: number, path: string): Promise<number> {
  return new Promise((ok, fail) => {
    const req = request({ host, port, path, method: 'GET' }, (res) => {
      res.resume();
      ok(res.statusCode ?? 0);
    });
    req.on('error', fail);
    req.end();
  });
}

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function openPage(viewport = { width: 1280, height: 800 }, at = url): Promise<Page> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(at);
  await page.getByTestId('position').filter({ hasText: / \/ [1-9]/ }).waitFor();
  expect(errors).toEqual([]);
  return page;
}

const position = (page: Page): Promise<string | null> => page.getByTestId('position').textContent();

beforeAll(async () => {
  if (!HAVE_BROWSER) {
    if (REQUIRED) throw new Error(`${MISSING} (required under CI)`);
    return;
  }
  ({ child: server, url } = await startViz([]));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
});

afterAll(async () => {
  await browser?.close();
  if (server !== undefined && server.exitCode === null) {
    const exited = new Promise((ok) => server.on('exit', ok));
    server.kill('SIGINT');
    await exited;
  }
});

describe.runIf(HAVE_BROWSER || REQUIRED)('pidns viz in Chromium', () => {
  it('steps multi_pidns to the end: five nested namespaces, p0 as 5 4 3 2 1 from ns1, five processes in ns1, then the kill', async () => {
    const page = await openPage();
    await page.getByTestId('example').selectOption('multi_pidns.pidns');
    await page.keyboard.press('Home');
    await expect.poll(() => position(page)).toBe('0 / 21');
    await page.getByTestId('viewns').selectOption('ns0');

    // Forward one step at a time; after step 13 (@ps p0) the chain is whole.
    for (let i = 1; i <= 13; i++) await page.keyboard.press('ArrowRight');
    await expect.poll(() => position(page)).toBe('13 / 21');
    // ns0 > ns1 > ns2 > ns3 > ns4 > ns5
    const nested = page.locator('[data-ns="ns0"] [data-ns="ns1"] [data-ns="ns2"] [data-ns="ns3"] [data-ns="ns4"] [data-ns="ns5"]');
    await expect.poll(() => nested.count()).toBe(1);
    expect(await page.locator('[data-ns="ns1"] [data-ns]').count()).toBe(4);
    expect(await page.locator('[data-ns="ns5"] > .ns-card').textContent()).toContain('init p0 (1)');

    await page.getByTestId('viewns').selectOption('ns1');
    await expect.poll(() => page.locator('#tasks tr[data-comm="p0"] td.numbers').textContent()).toBe('5 4 3 2 1');
    const ps = page.locator('#ps tbody tr');
    await expect.poll(() => ps.count()).toBe(5);
    expect(await ps.allTextContents()).toEqual(['1000Sp4', '2100Sp3', '3200Sp2', '4300Sp1', '5400Sp0']);
    await page.getByTestId('status-of').selectOption({ label: '5 p0' });
    await expect.poll(() => page.getByTestId('status').textContent()).toContain('NSpid: 5 4 3 2 1');
    await shot(page, 'viz-multi_pidns-step13-ns1');

    // To the end: p2 (ns3's init) is killed, which empties ns3, ns4 and ns5.
    await page.getByRole('button', { name: 'Last step' }).click();
    await expect.poll(() => position(page)).toBe('21 / 21');
    await expect.poll(() => ps.allTextContents()).toEqual(['1000Sp4', '2100Sp3']);
    expect(await page.locator('#tasks tr[data-comm="p0"]').count()).toBe(0);
    expect(await page.locator('li.current').textContent()).toContain('@ps p4');
    await shot(page, 'viz-multi_pidns-end');

    // Back one step and forward again through the transcript.
    await page.getByRole('button', { name: 'Step back' }).click();
    await expect.poll(() => position(page)).toBe('20 / 21');
    await page.locator('#transcript li[data-step="9"] button').click();
    await expect.poll(() => position(page)).toBe('9 / 21');
    await page.close();
  });

  it('shows a bad typed step inline and leaves the state as it was', async () => {
    const page = await openPage();
    await page.keyboard.press('End');
    await page.keyboard.press('Home');
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
    await expect.poll(() => position(page)).toBe('5 / 21');
    const psBefore = await page.locator('#ps tbody tr').allTextContents();
    const stepsBefore = await page.locator('#transcript li').count();

    await page.keyboard.press('/');
    await page.keyboard.type('p9: getpid()');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('console-error').textContent()).toBe('console:1:1: unknown actor p9');
    await page.getByTestId('console-input').fill('init: frobnicate()');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('console-error').textContent()).toMatch(/^console:1:7: /);
    expect(await position(page)).toBe('5 / 21');
    expect(await page.locator('#transcript li').count()).toBe(stepsBefore);
    expect(await page.locator('#ps tbody tr').allTextContents()).toEqual(psBefore);
    await shot(page, 'viz-console-error');

    // A good step replaces the steps after the current one.
    await page.getByTestId('console-input').fill('p0: getpid()');
    await page.keyboard.press('Enter');
    await expect.poll(() => position(page)).toBe('6 / 6');
    expect(await page.getByTestId('console-error').textContent()).toBe('');
    expect(await page.locator('li.current').textContent()).toBe('p0: getpid() = 1');
    await page.close();
  });

  it('opens a scenario shared in the URL and shows reparenting', async () => {
    const text = 'init: fork() -> a\na: fork() -> b\na: exit(0)\n';
    const page = await openPage(undefined, `${url}#s=${Buffer.from(text).toString('base64url')}&name=orphan.pidns`);
    await expect.poll(() => position(page)).toBe('3 / 3');
    expect(await page.locator('#tasks tr[data-comm="b"]').textContent()).toContain('reparented from a#1');
    expect(await page.locator('#tasks tr[data-comm="a"] td.state').textContent()).toBe('zombie');
    expect(await page.locator('#tree li.reparented').count()).toBe(1);
    await shot(page, 'viz-reparent');
    await page.close();
  });

  it('loads a .pidns file from the file picker', async () => {
    const page = await openPage();
    await page.getByTestId('file').setInputFiles({ name: 'mine.pidns', mimeType: 'text/plain', buffer: Buffer.from('init: fork() -> x\nx: getppid() = 1\n') });
    await expect.poll(() => position(page)).toBe('2 / 2');
    expect(page.url()).toContain('name=mine.pidns');
    await page.close();
  });

  it('loads a file dropped on the page', async () => {
    const page = await openPage();
    await page.evaluate(`(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['init: fork() -> d\\nd: exit(3)\\n'], 'dropped.pidns', { type: 'text/plain' }));
      document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    })()`);
    await expect.poll(() => position(page)).toBe('2 / 2');
    expect(await page.locator('#tasks tr[data-comm="d"] td.state').textContent()).toBe('zombie');
    await page.close();
  });

  it('is readable on a phone-sized screen', async () => {
    const page = await openPage({ width: 390, height: 844 });
    const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBe(0);
    await shot(page, 'viz-phone');
    await page.close();
  });

  it('serves only the app, only on loopback', async () => {
    const { port, hostname } = new URL(url);
    expect(hostname).toBe('127.0.0.1');
    expect(await rawGet(hostname, Number(port), '/')).toBe(200);
    expect(await rawGet(hostname, Number(port), '/../package.json')).toBe(404);
    expect(await rawGet(hostname, Number(port), '/%2e%2e/package.json')).toBe(404);
    expect(await rawGet(hostname, Number(port), '/..%2f..%2fpackage.json')).toBe(404);
    expect(await rawGet(hostname, Number(port), '/package.json')).toBe(404);
    const outside = Object.values(networkInterfaces())
      .flat()
      .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal);
    if (outside !== undefined) await expect(rawGet(outside.address, Number(port), '/')).rejects.toThrow();
  });

  it('writes a static copy with --out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pidns-viz-'));
    try {
      const child = spawn(process.execPath, [CLI, 'viz', '--out', join(dir, 'site')], { stdio: 'ignore' });
      const code = await new Promise((ok) => child.on('exit', ok));
      expect(code).toBe(0);
      expect(readFileSync(join(dir, 'site/index.html'), 'utf8')).toContain('pidns visualizer');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
