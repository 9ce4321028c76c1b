// Builds the native runner from native/runner.c with the system compiler, on
// first use or when the source is newer. No prebuilt binary is committed.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: this file is src/native/ (or dist/native/) two levels down. */
export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const runnerSource = join(packageRoot, 'native', 'runner.c');
export const runnerBinary = join(packageRoot, 'native', 'build', 'runner');

/** Compiles the runner if needed; throws with gcc's message when it cannot. */
export function ensureRunner(): string {
  if (existsSync(runnerBinary) && statSync(runnerBinary).mtimeMs >= statSync(runnerSource).mtimeMs) return runnerBinary;
  mkdirSync(dirname(runnerBinary), { recursive: true });
  // Parallel test workers may build at once: compile to a private name, then rename atomically.
  const tmp = `${runnerBinary}.${process.pid}.tmp`;
  execFileSync('gcc', ['-O2', '-Wall', '-fno-stack-protector', '-o', tmp, runnerSource], { stdio: ['ignore', 'ignore', 'pipe'] });
  renameSync(tmp, runnerBinary);
  return runnerBinary;
}
