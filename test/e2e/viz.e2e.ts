// The visualizer in real Chromium (Debian's /usr/bin/chromium driven by
// playwright-core) against `pidns viz` as a user starts it. The tests assert
// on what is drawn (struct pid cells, namespace boxes, what a step changed);
// each leaves a screenshot in test-results/. Needs `npm run build` (dist/ and
// web/dist/).

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { request } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const CLI = join(ROOT, 'bin/pidns.js');
const SHOTS = join(ROOT, 'test-results');

/** The Chromium to drive: PIDNS_CHROMIUM, else Debian's. */
function chromiumPath(): string {
  return process.env['PIDNS_CHROMIUM'] ?? '/usr/bin/chromium';
}
// Missing: skipped with one line, except under CI, where it fails.
const REQUIRED = process.env['CI'] === 'true' || process.env['PIDNS_REQUIRE_KERNEL'] === '1';
const HAVE_BROWSER = existsSync(chromiumPath());
const MISSING = `${chromiumPath()} is missing: apt-get install -y chromium, or set PIDNS_CHROMIUM to a Chromium binary`;
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
      // Up to the newline: a long URL (a whole snapshot in the hash) arrives in several chunks.
      const m = /serving on (http:\/\/\S+)\n/.exec(out);
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

/** Only an element's box, for docs/ (small pictures of one view each). */
async function shotOf(page: Page, selector: string, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.locator(selector).screenshot({ path: join(SHOTS, `${name}.png`) });
}

async function openPage(viewport = { width: 1280, height: 800 }, at = url, ready: RegExp = / \/ [1-9]/): Promise<Page> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(at);
  await page.getByTestId('position').filter({ hasText: ready }).waitFor();
  expect(errors).toEqual([]);
  return page;
}

/** A URL opening `text` as `pidns viz FILE` would put it (the share format). */
const shared = (text: string, name: string, n?: number): string => `${url}#s=${Buffer.from(text).toString('base64url')}&name=${encodeURIComponent(name)}${n === undefined ? '' : `&n=${n}`}`;

const texts = (page: Page, selector: string): Promise<string[]> => page.locator(selector).allTextContents();

/** How far the page is wider than the window (0: no horizontal scrolling). */
const overflow = (page: Page): Promise<unknown> => page.evaluate('document.documentElement.scrollWidth - window.innerWidth');

/** An attribute of every element `selector` matches, in document order. */
const attrs = (page: Page, selector: string, attr: string): Promise<unknown> => page.evaluate(`[...document.querySelectorAll(${JSON.stringify(selector)})].map((e) => e.getAttribute(${JSON.stringify(attr)}))`);

const position = (page: Page): Promise<string | null> => page.getByTestId('position').textContent();

const GROUPS = readFileSync(join(ROOT, 'test/e2e/fixtures/groups.pidns'), 'utf8');
const ORPHAN = 'init: fork() -> a\na: fork() -> b\na: exit(0)\n';

/** Goes to step `n` of multi_pidns from the example menu. */
async function multiAt(page: Page, n: number, viewNs = 'ns0'): Promise<void> {
  await page.getByTestId('example').selectOption('multi_pidns.pidns');
  await page.getByTestId('jump').fill(String(n));
  await page.getByTestId('jump').press('Enter');
  await expect.poll(() => position(page)).toBe(`${n} / 21`);
  await page.getByTestId('viewns').selectOption(viewNs);
}

/** Injects axe-core and returns the serious and critical violations. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });
  const found = await page.evaluate<{ id: string; impact: string | null; nodes: string[] }[]>(
    'axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 3) })))',
  );
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.nodes.join(', ')}`);
}

beforeAll(async () => {
  if (!HAVE_BROWSER) {
    if (REQUIRED) throw new Error(`${MISSING} (required under CI)`);
    return;
  }
  const executablePath = chromiumPath();
  ({ child: server, url } = await startViz([]));
  browser = await chromium.launch({ executablePath, args: ARGS });
});

async function stopServer(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null) return;
  const exited = new Promise((ok) => child.on('exit', ok));
  child.kill('SIGINT');
  await exited;
}

afterAll(async () => {
  await browser?.close();
  await stopServer(server);
});

describe.runIf(HAVE_BROWSER || REQUIRED)('pidns viz in Chromium', () => {
  it('draws struct pid: p0 at level 6, numbers[] 6 5 4 3 2 1 from ns0 down, each cell pointing at its namespace', async () => {
    const page = await openPage();
    await multiAt(page, 13, 'ns2');
    await page.locator('#namespaces .chip[data-comm="p0"]').click();
    const fig = page.getByTestId('struct-pid');
    await expect.poll(() => fig.locator('figcaption').textContent()).toContain("p0#5's PID");
    expect(await page.getByTestId('pid-level').textContent()).toBe('6');
    const cells = page.locator('[data-testid="pid-cells"] > li.cell:not(.host)');
    expect(await cells.locator('.nr').allTextContents()).toEqual(['6', '5', '4', '3', '2', '1']);
    expect(await attrs(page, '[data-testid="pid-cells"] > li.cell:not(.host)', 'data-ns')).toEqual(['ns0', 'ns1', 'ns2', 'ns3', 'ns4', 'ns5']);
    expect(await cells.locator('.ns-ref').allTextContents()).toEqual(['ns0', 'ns1', 'ns2', 'ns3', 'ns4', 'ns5']);
    // numbers[0] is the host's (level 0): the scenario's ns0 is level 1.
    expect(await page.locator('[data-testid="pid-cells"] > li.cell.host').getAttribute('data-index')).toBe('0');
    // "Seen from" ns2: that level's cell is the marked one, and it reads 4.
    expect(await page.locator('[data-testid="pid-cells"] > li.cell.chosen').getAttribute('data-ns')).toBe('ns2');
    expect(await page.locator('[data-testid="pid-cells"] > li.cell.chosen .nr').textContent()).toBe('4');
    // The links: PID and TGID are its own Pid; PGID and SID are init's, which has no number in ns2.
    const links = page.getByTestId('pid-links');
    expect(await links.locator('tr[data-link="PID"] td.target').textContent()).toContain('this Pid');
    expect(await links.locator('tr[data-link="TGID"] td.seen').textContent()).toBe('4');
    expect(await links.locator('tr[data-link="PGID"] td.seen').textContent()).toBe('— (none in ns2)');
    expect(await links.locator('tr[data-link="PGID"] td.target').textContent()).toContain('PID of init#0');
    await shot(page, 'viz-struct-pid');
    await shotOf(page, '#pid-panel', 'doc-struct-pid');

    // A picked task stays picked from step to step.
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => position(page)).toBe('14 / 21');
    expect(await fig.locator('figcaption').textContent()).toContain("p0#5's PID");
    // Pointing at a cell's namespace outlines its box.
    await page.locator('[data-testid="pid-cells"] li[data-ns="ns3"] button.ns-ref').focus();
    expect(await page.locator('#namespaces [data-ns="ns3"]').getAttribute('class')).toContain('pointed');
    await page.locator('[data-testid="pid-cells"] li[data-ns="ns3"] button.ns-ref').blur();
    expect(await page.locator('#namespaces [data-ns="ns3"]').getAttribute('class')).not.toContain('pointed');
    // A cell's namespace button changes "Seen from".
    await page.locator('[data-testid="pid-cells"] li[data-ns="ns4"] button.ns-ref').click();
    await expect.poll(() => page.getByTestId('viewns').inputValue()).toBe('ns4');
    expect(await page.locator('[data-testid="pid-cells"] > li.cell.chosen .nr').textContent()).toBe('2');
    await page.close();
  });

  it('shows a process group whose leader was reaped holding its Pid, and the group emptying', async () => {
    const page = await openPage(undefined, shared(GROUPS, 'groups.pidns', 5));
    await expect.poll(() => position(page)).toBe('5 / 9');
    await page.locator('#tasks tr[data-comm="b"] th button').click();
    const pgid = page.locator('[data-testid="pid-links"] tr[data-link="PGID"]');
    await expect.poll(() => pgid.getAttribute('class')).toBe('held');
    expect(await pgid.locator('td.seen').textContent()).toBe('2');
    expect(await pgid.locator('td.target').textContent()).toContain('its own task is gone: the group holds the Pid and its numbers');
    expect(await pgid.locator('.badge.held').textContent()).toBe('held by the group');
    // The reaped leader's number is still in use in ns0's idr.
    expect(await page.locator('[data-testid="idr-ns0"] .bit[data-nr="2"]').getAttribute('class')).toContain('used');
    expect(await texts(page, '#step li[data-kind]')).toEqual(['a#1 was reaped: released, its PID link detached']);
    await shot(page, 'viz-pgrp-held');
    await shotOf(page, '#pid-panel', 'doc-pgrp-held');

    // setsid: a's group empties (its Pid is freed), b's group and session are created.
    await page.getByTestId('jump').fill('8');
    await page.getByTestId('jump').press('Enter');
    await expect.poll(() => position(page)).toBe('8 / 9');
    expect((await texts(page, '#step li[data-kind]')).sort()).toEqual(['process group 2 emptied', "process group 3 (b#2's Pid) created", "session 3 (b#2's Pid) created"]);
    expect(await page.locator('[data-testid="idr-ns0"] .bit[data-nr="2"]').getAttribute('class')).not.toContain('used');
    // b's row marks its new group and session.
    expect(await page.locator('#tasks tr[data-comm="b"] td.pgid').getAttribute('class')).toBe('pgid made');
    expect(await page.locator('#tasks tr[data-comm="b"] td.sid').getAttribute('class')).toBe('sid made');
    expect(await page.locator('#tasks tr[data-comm="b"] td.step').textContent()).toBe('new process group, new session');
    expect(await page.locator('#tasks tr[data-comm="init"] td.pgid').getAttribute('class')).toBe('pgid');
    expect(await page.locator('[data-testid="pid-links"] tr[data-link="PGID"] td.target').textContent()).toContain('this Pid');
    await shot(page, 'viz-pgrp-emptied');
    await page.close();
  });

  it('draws namespaces as nested boxes with their tasks inside, init, pid_max, cursor and the idr around it', async () => {
    const page = await openPage();
    await multiAt(page, 13);
    const nested = page.locator('[data-ns="ns0"] [data-ns="ns1"] [data-ns="ns2"] [data-ns="ns3"] [data-ns="ns4"] [data-ns="ns5"]');
    await expect.poll(() => nested.count()).toBe(1);
    expect(await page.locator('#namespaces [data-ns="ns1"] [data-ns]').count()).toBe(4);
    // Each task in the box of the namespace it lives in, with its number seen from ns0.
    const lives = async (ns: string): Promise<string[]> => texts(page, `#namespaces [data-ns="${ns}"] > .chips .chip .comm`);
    expect(await lives('ns0')).toEqual(['init']);
    expect(await lives('ns1')).toEqual(['p4']);
    expect(await lives('ns5')).toEqual(['p0']);
    expect(await page.locator('#namespaces .chip[data-comm="p0"] .nr').textContent()).toBe('6');
    const fact = (ns: string, k: string): Promise<string | null> => page.locator(`#namespaces [data-ns="${ns}"] > .ns-card dd[data-fact="${k}"]`).textContent();
    expect(await fact('ns5', 'init')).toBe('p0 (1)');
    expect(await fact('ns1', 'init')).toBe('p4 (1)');
    expect(await fact('ns0', 'pid_max')).toBe('32768');
    expect(await fact('ns1', 'pid_max')).toBe('4194304');
    // ns1 numbered p4..p0 as 1..5: the cursor (ns_last_pid + 1) is 6.
    expect(await fact('ns1', 'cursor')).toBe('6');
    expect(await fact('ns1', 'in use')).toBe('5');
    expect(await attrs(page, '[data-testid="idr-ns1"] .bit.used', 'data-nr')).toEqual(['1', '2', '3', '4', '5']);
    expect(await attrs(page, '[data-testid="idr-ns1"] .bit.cursor', 'data-nr')).toEqual(['6']);
    expect(await page.locator('[data-testid="idr-ns1"] .bit').count()).toBe(16);
    expect(await page.getByTestId('idr-ns1').getAttribute('aria-label')).toBe('idr of ns1, numbers 1 to 16: 1, 2, 3, 4, 5 in use; cursor at 6');
    // One parent arrow per task with a parent.
    expect(await page.locator('#namespaces svg.arrows path.link').count()).toBe(5);
    await shot(page, 'viz-namespaces');
    await shotOf(page, 'section[aria-labelledby="h-ns"]', 'doc-namespaces');
    await page.close();
  });

  it('moves a reparented task\'s arrow and says where from', async () => {
    const page = await openPage(undefined, shared(ORPHAN, 'orphan.pidns'));
    await expect.poll(() => position(page)).toBe('3 / 3');
    expect(await page.locator('#tasks tr[data-comm="b"]').textContent()).toContain('reparented from a#1');
    expect(await page.locator('#tasks tr[data-comm="a"] td.state').textContent()).toBe('zombie');
    expect(await page.locator('#tree li.reparented').count()).toBe(1);
    // The new arrow (init -> b) drawn as moved, the old one (a -> b) dashed.
    const b = await page.locator('#namespaces .chip[data-comm="b"]').getAttribute('data-task');
    expect(await page.locator(`#namespaces path.link.moved[data-child="${b}"]`).count()).toBe(1);
    expect(await page.locator(`#namespaces path.link.was[data-child="${b}"]`).count()).toBe(1);
    expect(await page.locator('#namespaces .chip[data-comm="b"]').getAttribute('class')).toContain('chg-reparented');
    expect(await texts(page, '#step li[data-kind]')).toEqual(['a#1 exited', 'b#2 was reparented from a#1 to init#0']);
    await shot(page, 'viz-reparent');
    await page.close();
  });

  it('marks each step\'s change: new tasks, the killed, the reaped still drawn as going, then gone', async () => {
    const page = await openPage();
    await multiAt(page, 1);
    expect(await page.locator('#namespaces .chip[data-comm="p4"]').getAttribute('class')).toContain('chg-new');
    expect(await texts(page, '#step li[data-kind]')).toEqual(['ns1 created (level 2)', 'p4#1 is new: pid 2']);
    expect(await page.locator('#namespaces [data-ns="ns1"]').getAttribute('class')).toContain('new');

    await multiAt(page, 18);
    // Until the reader picks a task, struct pid follows the step: the first task it touched.
    expect(await page.getByTestId('struct-pid').locator('figcaption').textContent()).toContain("p2#3's PID");
    const changes = await texts(page, '#step li[data-kind]');
    for (const line of ['p2#3 was killed by SIGKILL', 'p1#4 was killed by SIGKILL', 'p0#5 was killed by SIGKILL', 'p1#4 was reaped: released, its PID link detached', 'p0#5 was reaped: released, its PID link detached'])
      expect(changes).toContain(line);
    expect(changes.filter((c) => c.endsWith('no new task (fork there fails with ENOMEM)'))).toHaveLength(3);
    // p1 and p0 were released by this step: still drawn, marked as going; p2 is a zombie.
    expect(await page.locator('#namespaces .chip.going .comm').allTextContents()).toEqual(['p1', 'p0']);
    expect(await attrs(page, '#tasks tr.going', 'data-comm')).toEqual(['p1', 'p0']);
    expect(await page.locator('#tasks tr[data-comm="p0"] td.state').textContent()).toBe('released');
    expect(await page.locator('#tasks tr[data-comm="p2"] td.state').textContent()).toBe('zombie');
    expect(await page.locator('#namespaces [data-ns="ns3"]').getAttribute('class')).toContain('gone');
    await shot(page, 'viz-kill-step');
    await shotOf(page, '#step-panel', 'doc-step-changes');
    await shotOf(page, 'section[aria-labelledby="h-ns"]', 'doc-namespaces-kill');

    await page.getByRole('button', { name: 'Step forward' }).click();
    await expect.poll(() => position(page)).toBe('19 / 21');
    expect(await page.locator('#namespaces .chip[data-comm="p0"]').count()).toBe(0);
    expect(await page.locator('#tasks tr[data-comm="p0"]').count()).toBe(0);
    expect(await page.getByTestId('no-change').textContent()).toBe('This step changed no task, group or namespace.');
    await page.close();
  });

  it('shows steps not yet taken as pending, without their results, and the comments as narration', async () => {
    const page = await openPage();
    await multiAt(page, 7);
    const step = (n: number) => page.locator(`#transcript li[data-step="${n}"]`);
    expect(await step(7).getAttribute('class')).toBe('current');
    expect(await step(6).locator('code').textContent()).toBe('p0: getpid() = 1');
    expect(await step(8).getAttribute('class')).toBe('pending');
    expect(await step(8).locator('code').textContent()).toBe('@ps p4');
    expect(await step(18).locator('code').textContent()).toBe('init: kill($p2, SIGKILL)');
    // Comments before a step are its narration, shown with it (pending or not).
    expect(await step(8).locator('.narration').textContent()).toBe("From p4's namespace every deeper task is visible; pgrp and session live in ns0, which p4's namespace cannot see: 0.");
    expect(await step(13).locator('.narration').textContent()).toBe('The innermost namespace sees only itself.');
    expect(await step(1).locator('.narration').count()).toBe(0);
    await page.getByRole('button', { name: 'Step forward' }).click();
    await expect.poll(() => step(8).getAttribute('class')).toBe('current');
    expect(await step(8).locator('code').textContent()).toContain('| 5 4 0 0 S p0');
    expect(await page.locator('#step .narration').textContent()).toContain("From p4's namespace every deeper task is visible");
    await shotOf(page, '#transcript-panel', 'doc-steps');
    // Before step 1, the scenario's opening comment introduces it.
    await page.keyboard.press('Home');
    await expect.poll(() => position(page)).toBe('0 / 21');
    expect(await page.locator('#step .narration').first().textContent()).toMatch(/^multi_pidns 5 \(Michael Kerrisk/);
    expect(await page.locator('#transcript li.pending').count()).toBe(21);
    await shot(page, 'viz-pending-narration');
    await page.close();
  });

  it('plays the scenario step by step and stops at the end', async () => {
    const page = await openPage(undefined, shared(ORPHAN, 'orphan.pidns', 0), / \/ 3/);
    const play = page.getByTestId('play');
    await play.click();
    expect(await play.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => position(page), { timeout: 5000 }).toBe('1 / 3');
    await expect.poll(() => position(page), { timeout: 5000 }).toBe('2 / 3');
    await expect.poll(() => position(page), { timeout: 5000 }).toBe('3 / 3');
    await expect.poll(() => play.getAttribute('aria-pressed'), { timeout: 5000 }).toBe('false');
    await shot(page, 'viz-played');
    // p toggles it from the keyboard; a step key stops it.
    await page.keyboard.press('Home');
    await page.keyboard.press('p');
    await expect.poll(() => position(page), { timeout: 5000 }).toBe('1 / 3');
    await page.keyboard.press('ArrowLeft');
    expect(await play.getAttribute('aria-pressed')).toBe('false');
    await page.close();
  });

  it('applies "Seen from" to every view and marks the chosen namespace', async () => {
    const page = await openPage();
    await multiAt(page, 13, 'ns2');
    await expect.poll(() => page.locator('#namespaces [aria-current="true"]').getAttribute('data-ns')).toBe('ns2');
    expect(await page.locator('#namespaces [data-ns="ns2"] > .ns-card .badge').first().textContent()).toBe('seen from');
    // Boxes outside ns2 (ns0, ns1) are drawn as not visible from it.
    expect(await attrs(page, '#namespaces .ns-box.outside', 'data-ns')).toEqual(['ns0', 'ns1']);
    expect(await page.locator('#tasks tr[data-comm="p0"] td.pid').textContent()).toBe('4');
    expect(await page.locator('#tasks tr[data-comm="p3"] td.pid').textContent()).toBe('1');
    expect(await page.locator('#tasks tr[data-comm="p4"] td.pid').textContent()).toBe('—');
    expect(await page.locator('#tasks tr[data-comm="p3"] td.ppid').textContent()).toBe('0');
    expect(await page.locator('#namespaces .chip[data-comm="p0"] .nr').textContent()).toBe('4');
    expect(await texts(page, '#tree li > span')).toEqual(['p3(1)', 'p2(2)', 'p1(3)', 'p0(4)']);
    expect(await texts(page, '#ps tbody tr')).toEqual(['1000Sp3', '2100Sp2', '3200Sp1', '4300Sp0']);
    expect(await page.getByTestId('status').textContent()).toContain('Name: p3');
    await page.locator('#namespaces .chip[data-comm="p0"]').click();
    await expect.poll(() => page.locator('[data-testid="pid-cells"] > li.cell.chosen').getAttribute('data-ns')).toBe('ns2');
    await shot(page, 'viz-seen-from-ns2');
    await page.close();
  });

  it('opens a snapshot file (the src/snapshot format) and draws its state, no steps', async () => {
    const { parseScenario, runScenario, ModelBackend } = await import('../../src/scenario/index.js');
    const { toJSON } = await import('../../src/snapshot/index.js');
    const backend = new ModelBackend();
    await runScenario({ file: 'g', steps: parseScenario(GROUPS, 'g').steps.slice(0, 5) }, backend, {});
    const json = JSON.stringify(toJSON(backend.kernel));
    const page = await openPage();
    await page.getByTestId('file').setInputFiles({ name: 'groups-5.json', mimeType: 'application/json', buffer: Buffer.from(json) });
    await expect.poll(() => page.locator('#message').textContent()).toBe('groups-5.json: a snapshot, 2 tasks in 1 PID namespaces');
    expect(await position(page)).toBe('0 / 0');
    expect(await texts(page, '#tasks tbody tr th button')).toEqual(['init#0', 'b#2']);
    expect(await texts(page, '#namespaces .chip .comm')).toEqual(['init', 'b']);
    expect(await page.locator('#transcript li.note').textContent()).toContain('is a snapshot');
    expect(await page.getByTestId('console-input').isDisabled()).toBe(true);
    await page.locator('#tasks tr[data-comm="b"] th button').click();
    await expect.poll(() => page.locator('[data-testid="pid-links"] tr[data-link="PGID"]').getAttribute('class')).toBe('held');
    // A file that is not a snapshot is refused with the loader's reason; nothing changes.
    await page.getByTestId('file').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"format": "x"}') });
    await expect.poll(() => page.locator('#message').textContent()).toMatch(/^could not load bad\.json: bad\.json: /);
    expect(await texts(page, '#tasks tbody tr th button')).toEqual(['init#0', 'b#2']);
    await shot(page, 'viz-snapshot-file');
    await page.close();
  });

  it('draws the live machine from `pidns host snapshot` opened with `pidns viz FILE`', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pidns-viz-'));
    const file = join(dir, 'host.json');
    writeFileSync(file, execFileSync(process.execPath, [CLI, 'host', 'snapshot'], { maxBuffer: 64 << 20 }));
    const snap = JSON.parse(readFileSync(file, 'utf8')) as { mode: string; pidNamespaces: unknown[]; tasks: { exitState: string }[] };
    const viz = await startViz([file]);
    try {
      expect(viz.url).toContain('&name=host.json');
      const page = await openPage(undefined, viz.url, /^0 \/ 0$/);
      await expect.poll(() => page.locator('#message').textContent()).toMatch(/^host\.json: a snapshot, \d+ tasks in \d+ PID namespaces$/);
      expect(snap.mode).toBe('plain');
      const live = snap.tasks.filter((t) => t.exitState !== 'dead').length;
      expect(await page.locator('#tasks tbody tr').count()).toBe(live);
      expect(await page.locator('#namespaces .chip').count()).toBe(live);
      expect(await page.locator('#namespaces .ns-box').count()).toBe(snap.pidNamespaces.length);
      expect(await page.locator('#namespaces > .ns-box').getAttribute('data-ns')).toBe('ns0');
      expect(await page.locator('#namespaces [data-ns="ns0"] > .ns-card .lvl').textContent()).toBe(' level 0');
      expect(await overflow(page)).toBe(0);
      await shot(page, 'viz-host-snapshot');
      await page.close();
    } finally {
      await stopServer(viz.child);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fits 1280 px and a phone without horizontal scrolling', async () => {
    for (const [w, h, name] of [
      [1280, 800, 'viz-1280'],
      [390, 844, 'viz-phone'],
    ] as const) {
      const page = await openPage({ width: w, height: h });
      await multiAt(page, 18);
      expect(await overflow(page)).toBe(0);
      // The task table's last column is inside the window.
      const right = await page.evaluate('document.querySelector(\'#tasks tr[data-comm="p0"] td.step\').getBoundingClientRect().right');
      expect(right).toBeLessThanOrEqual(w);
      await shot(page, name);
      await page.close();
    }
  });

  it('reaches every control with the keyboard and works them with it', async () => {
    const page = await openPage();
    await multiAt(page, 5);
    await page.locator('body').focus();
    const seen = new Set<string>();
    for (let i = 0; i < 160; i++) {
      await page.keyboard.press('Tab');
      seen.add(
        await page.evaluate<string>(`(() => { const e = document.activeElement; if (!e) return ''; return e.id || e.dataset.testid || (e.classList.contains('chip') ? 'chip' : e.classList.contains('ns-ref') ? 'ns-ref' : e.closest('#transcript') ? 'step' : e.closest('#tasks') ? 'task-row' : e.tagName + '.' + e.className); })()`),
      );
    }
    for (const want of ['example', 'file', 'share', 'first', 'back', 'play', 'forward', 'last', 'jump', 'viewns', 'step', 'console-input', 'chip', 'pid-of', 'ns-ref', 'task-row', 'status-of'])
      expect([...seen]).toContain(want);
    // Enter on a chip draws its struct pid; Enter on "Step forward" steps.
    for (let i = 0; i < 160; i++) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate('document.activeElement?.dataset?.comm ?? ""')) === 'p1') break;
    }
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('struct-pid').locator('figcaption').textContent()).toContain("p1#4's PID");
    await page.getByRole('button', { name: 'Step forward' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => position(page)).toBe('6 / 21');
    await shot(page, 'viz-keyboard');
    await page.close();
  });

  it('passes an axe-core accessibility check with no serious or critical violation', async () => {
    for (const at of [`${url}#example=multi_pidns.pidns&n=18`, shared(GROUPS, 'groups.pidns', 5)]) {
      const page = await openPage(undefined, at);
      expect(await seriousViolations(page)).toEqual([]);
      await page.close();
    }
    const phone = await openPage({ width: 390, height: 844 }, `${url}#example=multi_pidns.pidns&n=13`);
    expect(await seriousViolations(phone)).toEqual([]);
    await shot(phone, 'viz-axe-phone');
    await phone.close();
  });

  it('steps multi_pidns to the end: the kill empties ns3, ns4 and ns5', async () => {
    const page = await openPage();
    await page.getByTestId('example').selectOption('multi_pidns.pidns');
    await page.keyboard.press('Home');
    await expect.poll(() => position(page)).toBe('0 / 21');
    for (let i = 1; i <= 13; i++) await page.keyboard.press('ArrowRight');
    await expect.poll(() => position(page)).toBe('13 / 21');
    await page.getByTestId('viewns').selectOption('ns1');
    await expect.poll(() => page.locator('#tasks tr[data-comm="p0"] td.pid').textContent()).toBe('5');
    const ps = page.locator('#ps tbody tr');
    expect(await ps.allTextContents()).toEqual(['1000Sp4', '2100Sp3', '3200Sp2', '4300Sp1', '5400Sp0']);
    await page.getByTestId('status-of').selectOption({ label: '5 p0' });
    await expect.poll(() => page.getByTestId('status').textContent()).toContain('NSpid: 5 4 3 2 1');
    await page.getByRole('button', { name: 'Last step' }).click();
    await expect.poll(() => position(page)).toBe('21 / 21');
    await expect.poll(() => ps.allTextContents()).toEqual(['1000Sp4', '2100Sp3']);
    expect(await page.locator('#tasks tr[data-comm="p0"]').count()).toBe(0);
    expect(await page.locator('li.current code').textContent()).toContain('@ps p4');
    // The list scrolled itself so that the current step is in view.
    const inView = await page.evaluate(`(() => { const l = document.getElementById('transcript').getBoundingClientRect(); const c = document.querySelector('#transcript li.current').getBoundingClientRect(); return c.top >= l.top && c.bottom <= l.bottom; })()`);
    expect(inView).toBe(true);
    await shot(page, 'viz-multi_pidns-end');
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
    expect(await page.locator('li.current code').textContent()).toBe('p0: getpid() = 1');
    await page.close();
  });

  it('opens an strace log given to `pidns viz TRACE`: imported as `pidns import` does, then stepped like a scenario', async () => {
    const trace = join(ROOT, 'traces/dash_trap.strace');
    const imported = execFileSync(process.execPath, [CLI, 'import', trace], { encoding: 'utf8' });
    const steps = imported.split('\n').filter((l) => /^[a-z_0-9]+: /.test(l)).length;
    const viz = await startViz([trace]);
    try {
      expect(viz.url).toContain('&name=dash_trap.strace');
      const page = await openPage(undefined, viz.url, new RegExp(`^${steps} / ${steps}$`));
      expect(await page.locator('#message').textContent()).toBe(`dash_trap.strace: an strace log imported as ${steps} steps`);
      // One actor per traced task: the unshare outside, strace as pid 1 of the new namespace, its probes, the program.
      expect(await texts(page, '#tasks tbody tr th button')).toEqual(expect.arrayContaining(['init#0', 'strace#1']));
      expect(await page.locator('#tasks tr[data-comm="dash_4"] td.state').textContent()).toBe('zombie');
      await shot(page, 'viz-trace');
      // A log cut inside its last line is refused with its line, and what was shown stays.
      await page.getByTestId('file').setInputFiles({ name: 'cut.strace', mimeType: 'text/plain', buffer: Buffer.from('4     getpid()                          = 4\n4     getppid(') });
      await expect.poll(() => page.locator('#message').textContent()).toMatch(/^could not load cut\.strace: cut\.strace:2: /);
      expect(await page.locator('#tasks tr[data-comm="dash_4"] td.state').textContent()).toBe('zombie');
      await page.close();
    } finally {
      await stopServer(viz.child);
    }
  });

  it('loads a .pidns file from the file picker', async () => {
    const page = await openPage();
    await page.getByTestId('file').setInputFiles({ name: 'mine.pidns', mimeType: 'text/plain', buffer: Buffer.from('init: fork() -> x\nx: getppid() = 1\n') });
    await expect.poll(() => position(page)).toBe('2 / 2');
    expect(page.url()).toContain('name=mine.pidns');
    await shot(page, 'viz-file-picker');
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
    await shot(page, 'viz-dropped');
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
