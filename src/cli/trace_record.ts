// `pidns trace`: records a command with strace inside a fresh PID namespace,
// exactly as a user would by hand (docs/trace.md):
//   unshare --pid --fork --mount-proc strace -f -qq -o FILE -- CMD [ARG...]
// so that a hand-made recording and this one import alike.

import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { delimiter, join } from 'node:path';

/** The recipe's argv for `unshare`. */
export function recordArgv(file: string, command: readonly string[]): string[] {
  return ['--pid', '--fork', '--mount-proc', 'strace', '-f', '-qq', '-o', file, '--', ...command];
}

/** The full path of an executable on PATH, or null. */
export function findOnPath(name: string, path: string | undefined): string | null {
  for (const dir of (path ?? '/usr/bin:/bin').split(delimiter)) {
    if (dir === '') continue;
    const full = join(dir, name);
    try {
      accessSync(full, constants.X_OK);
      return full;
    } catch {
      // not here
    }
  }
  return null;
}

/** Runs the recipe with the terminal's stdio; resolves with the command's exit status (128 + signal when killed). */
export function record(unshare: string, file: string, command: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(unshare, recordArgv(file, command), { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      resolve(code ?? 128 + (signal === null ? 0 : osConstants.signals[signal]));
    });
  });
}
