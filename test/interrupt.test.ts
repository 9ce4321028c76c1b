// Killing `pidns diff` mid-run with SIGINT must leave no runner process behind
// (the kernel backend mounts nothing, so no mount can remain either). Runs the
// built CLI (npm test builds first).

import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runnerBinary } from '../src/native/build.js';
import { kernelBackendAvailable } from '../src/native/availability.js';

function exeOf(pid: string): string | null {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return null;
  }
}

function ppidOf(pid: string): string | null {
  try {
    return /^PPid:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? null;
  } catch {
    return null;
  }
}

/** Runner processes (controllers and actors) whose chain of parents no longer reaches a live driver. */
function orphanedRunners(): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    if (exeOf(pid) !== runnerBinary) continue;
    let p: string | null = pid;
    while (p !== null && exeOf(p) === runnerBinary) p = ppidOf(p);
    if (p === null || p === '1' || p === '0') out.push(pid);
  }
  return out;
}

describe.runIf(kernelBackendAvailable().ok)('pidns diff under SIGINT', () => {
  it('exits 130 and leaves no runner process', async () => {
    const child = spawn(process.execPath, ['bin/pidns.js', 'diff', 'conformance'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    // Let it get well into the corpus, with a scenario running.
    await new Promise((r) => setTimeout(r, 2500));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { resolve(code); }));
    child.kill('SIGINT');
    const code = await exited;
    expect(code).toBe(130);
    // The controller's and init's PR_SET_PDEATHSIG act at once; give the kernel a moment to reap.
    let left = orphanedRunners();
    for (let i = 0; i < 20 && left.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      left = orphanedRunners();
    }
    expect(left).toEqual([]);
    expect(out).not.toContain(' passed, ');
  });
});
