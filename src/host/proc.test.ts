import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../cli/main.js';
import type { Io } from '../cli/io.js';
import { fromJSON } from '../snapshot/index.js';
import { TaskApi } from '../syscalls/task_api.js';
import { hostSnapshot } from './snapshot.js';
import { namespaceTree, psIn, readProcs, readProcsReport, translate } from './proc.js';
import type { HostNs, HostProc } from './proc.js';


const canRun = process.platform === 'linux' && process.getuid?.() === 0;

function capture(): Io & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t), readFile: (path: string) => Promise.resolve(readFileSync(path, 'utf8')) };
  return io;
}

const nsOf = (pid: number): number => Number(/\d+/.exec(readlinkSync(`/proc/${pid}/ns/pid`))![0]);
const nspidOf = (pid: number): number[] => /^NSpid:\s*(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]!.trim().split(/\s+/).map(Number);

/** The host pids of the sleeping leaf below `unshare` (two nested PID namespaces). */
async function leaf(child: ChildProcess, depth: number): Promise<HostProc> {
  for (let i = 0; i < 100; i++) {
    const procs = readProcs();
    const found = [...procs.values()].find((p) => p.comm === 'sleep' && p.nspid.length === depth + 1 && ancestorIs(procs, p, child.pid!));
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no sleep appeared');
}

function ancestorIs(procs: ReadonlyMap<number, HostProc>, p: HostProc, pid: number): boolean {
  for (let a: HostProc | undefined = p; a !== undefined; a = procs.get(a.ppid)) if (a.pid === pid) return true;
  return false;
}

describe.skipIf(!canRun)('host inspection on real namespaces', () => {
  let child: ChildProcess;
  let sleeper: HostProc;
  beforeAll(async () => {
    child = spawn('unshare', ['--pid', '--fork', 'unshare', '--pid', '--fork', 'sh', '-c', 'sleep 300 & sleep 300; wait'], { stdio: 'ignore' });
    sleeper = await leaf(child, readProcs().get(process.pid)!.nspid.length + 1);
  });
  afterAll(() => {
    // Every process below the outer unshare, listed before any dies (orphans would be reparented away).
    const procs = readProcs();
    const mine = [...procs.values()].filter((p) => ancestorIs(procs, p, child.pid!));
    for (const p of mine) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  });

  it('tree: two nested namespaces, each with an init whose parent is in the namespace above', () => {
    const procs = readProcs();
    const tree = new Map(namespaceTree(procs).map((n) => [n.inode, n]));
    const inner = tree.get(nsOf(sleeper.pid))!;
    const me = tree.get(nsOf(process.pid))!;
    expect(inner.level).toBe(me.level + 2);
    const middle: HostNs = tree.get(inner.parent!)!;
    expect(middle.level).toBe(me.level + 1);
    expect(middle.parent).toBe(me.inode);
    expect(nspidOf(inner.init!).at(-1)).toBe(1);
    expect(nspidOf(middle.init!).at(-1)).toBe(1);
    expect(inner.processes).toBe(3);
  });

  it('ps shows the NSpid chains as /proc/PID/status does, seen from the chosen namespace', () => {
    const procs = readProcs();
    const inner = nsOf(sleeper.pid);
    const rows = psIn(procs, inner);
    expect(rows.map((r) => r.pid)).toEqual([1, 2, 3]);
    const sleepers = rows.filter((r) => r.comm === 'sleep');
    expect(sleepers.length).toBe(2);
    expect(rows.find((r) => r.pid === 1)!.ppid).toBe(0);
    for (const r of sleepers) expect(r.ppid).toBe(1);
    const full = nspidOf(sleeper.pid);
    const mine = psIn(procs, nsOf(process.pid)).find((r) => r.pid === full[nspidOf(process.pid).length - 1]);
    expect(mine?.nspid).toEqual(full.slice(nspidOf(process.pid).length - 1));
  });

  it('translate agrees with /proc/PID/status, and the CLI prints the number alone', async () => {
    const procs = readProcs();
    const full = nspidOf(sleeper.pid);
    const myLevel = nspidOf(process.pid).length - 1;
    const inner = nsOf(sleeper.pid);
    const mine = nsOf(process.pid);
    expect(translate(procs, full.at(-1)!, inner, mine)).toBe(full[myLevel]);
    expect(translate(procs, full[myLevel]!, mine, inner)).toBe(full.at(-1));
    const io = capture();
    expect(await main(['host', 'translate', String(full.at(-1)), '--from', `pid:${sleeper.pid}`, '--to', String(mine)], io)).toBe(0);
    expect(io.stdout).toBe(`${full[myLevel]}\n`);
    // The reader itself is not visible inside.
    const io2 = capture();
    expect(await main(['host', 'translate', String(nspidOf(process.pid)[myLevel]), '--from', String(mine), '--to', String(inner)], io2)).toBe(1);
    expect(io2.stdout).toBe('');
    expect(io2.stderr).toMatch(/not visible/);
    const io3 = capture();
    expect(await main(['host', 'ps', '--pid', String(sleeper.pid), '--json'], io3)).toBe(0);
    expect((JSON.parse(io3.stdout) as { pid: number }[]).map((r) => r.pid)).toEqual([1, 2, 3]);
    const io4 = capture();
    expect(await main(['host', 'tree', '--json'], io4)).toBe(0);
    expect((JSON.parse(io4.stdout) as HostNs[]).some((n) => n.inode === inner)).toBe(true);
  });

  it('a snapshot of the live host loads, passes the invariant checker, and killing the inner init kills exactly its namespace', async () => {
    const procs = readProcs();
    const io = capture();
    expect(await main(['host', 'snapshot'], io)).toBe(0);
    const loaded = fromJSON(JSON.parse(io.stdout));
    if (!loaded.ok) throw new Error(`${loaded.error.path}: ${loaded.error.reason}`);
    const k = loaded.kernel;
    const direct = fromJSON(hostSnapshot(procs, nsOf(process.pid)));
    expect(direct.ok).toBe(true);
    const myLevel = nspidOf(process.pid).length - 1;
    const rootNr = (hostPid: number): number => nspidOf(hostPid)[myLevel]!;
    const byNr = (nr: number) => k.liveTasks().find((t) => t.tidIn(k.ns0) === nr)!;
    const innerNs = byNr(rootNr(sleeper.pid)).activeNs;
    const innerInit = innerNs.childReaper!;
    expect(innerInit.activeNs).toBe(innerNs);
    const before = new Set(k.liveTasks().filter((t) => t.exitState === 'alive'));
    const expected = [...before].filter((t) => innerNs.isAncestorOf(t.activeNs)).map((t) => t.seq).sort((a, b) => a - b);
    expect(expected.length).toBe(3);
    // The middle namespace's init kills the inner one, as `kill -9` there would.
    const killer = innerNs.parent!.childReaper!;
    const r = new TaskApi(k, killer).kill(innerInit.tidIn(killer.activeNs), 9);
    expect(r).toEqual({ ok: true, value: 0 });
    const died = [...before].filter((t) => t.exitState !== 'alive').map((t) => t.seq).sort((a, b) => a - b);
    expect(died).toEqual(expected);
  });

  it('pidns run --from-snapshot: a scenario kills the inner init of the live copy, and its namespace dies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pidns-host-'));
    const snap = join(dir, 'host.json');
    expect(await main(['host', 'snapshot', '-o', snap], capture())).toBe(0);
    const myLevel = nspidOf(process.pid).length - 1;
    const full = nspidOf(sleeper.pid);
    const innerInit = [...readProcs().values()].find((p) => p.ns === nsOf(sleeper.pid) && p.nspid.at(-1) === 1)!;
    const middleInit = readProcs().get(innerInit.ppid)!;
    const h = (p: HostProc): string => `h${p.nspid[myLevel]}`;
    const scenario = join(dir, 'kill.pidns');
    writeFileSync(scenario, `${h(middleInit)}: kill(${innerInit.nspid[myLevel + 1]}, SIGKILL) = 0\n`);
    const io = capture();
    expect(await main(['run', '--json', '--from-snapshot', snap, scenario], io)).toBe(0);
    const killed = io.stdout
      .split('\n')
      .filter((l) => l.includes('killed by SIGKILL'))
      .map((l) => (JSON.parse(l) as { task: string }).task)
      .sort();
    const inner = [...readProcs().values()].filter((p) => p.ns === nsOf(sleeper.pid)).map(h).sort();
    expect(inner.length).toBe(3);
    expect(inner).toContain(`h${full[myLevel]}`);
    expect(killed).toEqual(inner);
    const ioBad = capture();
    writeFileSync(snap, '{"format":"pidns-snapshot"');
    expect(await main(['check', '--from-snapshot', snap, scenario], ioBad)).toBe(2);
    expect(ioBad.stderr).toMatch(/host\.json: not JSON/);
  });
});

describe('readProcsReport', () => {
  it('lists the pids whose /proc files could not be read, instead of dropping them silently', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pidns-fakeproc-'));
    // pid 7 is a full entry; pid 1 and pid 9 have no ns link (as when a sandbox hides them): pid 1's
    // NSpid has one column (the reader's namespace), pid 9's two (some namespace below: unknown).
    const entry = (pid: number, nspid: string): void => {
      mkdirSync(join(dir, String(pid), 'ns'), { recursive: true });
      writeFileSync(join(dir, String(pid), 'status'), `Name:\tx\nState:\tS\nPPid:\t0\nNSpid:\t${nspid}\nUid:\t0 0 0 0\n`);
      writeFileSync(join(dir, String(pid), 'stat'), `${pid} (x) S 0 ${pid} ${pid} 0 0 0\n`);
    };
    entry(1, '1');
    entry(7, '7');
    entry(9, '9 1');
    symlinkSync('pid:[4026531836]', join(dir, '7', 'ns', 'pid'));
    mkdirSync(join(dir, 'self', 'ns'), { recursive: true });
    symlinkSync('pid:[4026531836]', join(dir, 'self', 'ns', 'pid'));
    const r = readProcsReport(dir);
    expect([...r.procs.keys()].sort()).toEqual([1, 7]);
    expect(r.procs.get(1)?.ns).toBe(4026531836);
    expect(r.unreadable).toEqual([9]);
  });
});
