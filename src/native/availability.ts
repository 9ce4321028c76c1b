// Whether the real-kernel backend can run here, and if not, exactly why.

import { execFileSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { release } from 'node:os';
import { ensureRunner } from './build.js';

export type Availability = { readonly ok: true } | { readonly ok: false; readonly reason: string };

let cached: Availability | null = null;

/** Linux 6.14 made pid_max per namespace, which SCENARIO.md's start state relies on. */
const MIN_KERNEL: readonly [number, number] = [6, 14];

/**
 * The inode numbers Linux gives the initial PID and user namespaces
 * (PROC_PID_INIT_INO, PROC_USER_INIT_INO in include/linux/proc_ns.h).
 */
const INIT_NS_INODE = { pid: 0xeffffffc, user: 0xeffffffd } as const;

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
  // cn_proc_mcast_ctl() silently ignores a listener outside the initial PID or user namespace: the
  // runner would subscribe without error and never hear of a fork (a start that times out).
  for (const kind of ['pid', 'user'] as const) {
    const link = readLink(`/proc/self/ns/${kind}`);
    if (link !== null && link !== `${kind}:[${INIT_NS_INODE[kind]}]`) {
      return { ok: false, reason: `not in the initial ${kind.toUpperCase()} namespace (this process is in ${link}): the proc connector (cn_proc) reports forks and exits only to listeners there` };
    }
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

function readLink(path: string): string | null {
  try {
    return readlinkSync(path);
  } catch {
    return null;
  }
}
