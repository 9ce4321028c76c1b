// Whether the real-kernel backend can run here, and if not, exactly why.

import { execFileSync } from 'node:child_process';
import { release } from 'node:os';
import { ensureRunner } from './build.js';

export type Availability = { readonly ok: true } | { readonly ok: false; readonly reason: string };

let cached: Availability | null = null;

/** Linux 6.14 made pid_max per namespace, which SCENARIO.md's start state relies on. */
const MIN_KERNEL: readonly [number, number] = [6, 14];

export function kernelBackendAvailable(): Availability {
  cached ??= probe();
  return cached;
}

function probe(): Availability {
  if (process.platform !== 'linux') return { ok: false, reason: `not Linux (${process.platform})` };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'not root: making PID namespaces and reading every task needs uid 0' };
  const m = /^(\d+)\.(\d+)/.exec(release());
  const major = Number(m?.[1] ?? 0);
  const minor = Number(m?.[2] ?? 0);
  if (major < MIN_KERNEL[0] || (major === MIN_KERNEL[0] && minor < MIN_KERNEL[1])) {
    return { ok: false, reason: `Linux ${release()} is older than ${MIN_KERNEL.join('.')} (no per-namespace pid_max)` };
  }
  let runner: string;
  try {
    runner = ensureRunner();
  } catch (e) {
    return { ok: false, reason: `cannot build native/runner.c with gcc: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` };
  }
  try {
    execFileSync(runner, ['probe'], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 5000 });
  } catch {
    return { ok: false, reason: 'clone(CLONE_NEWPID) is not permitted here' };
  }
  return { ok: true };
}
