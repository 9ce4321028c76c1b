// Where the CLI reads and writes: Node's streams and files by default, a
// capturing object in tests (so that main() runs without spawning a process).
// The optional members have plain defaults when absent (see each), so a test
// gives only what its command uses.

import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export type PathKind = 'file' | 'dir';

export interface Io {
  /** Writes to standard output, as is (callers end their lines). */
  out(text: string): void;
  err(text: string): void;
  readFile(path: string): Promise<string>;
  /** Whether standard output is a terminal: progress lines are drawn only there. Absent: no. */
  readonly stdoutIsTTY?: boolean;
  /** The environment (PIDNS_REQUIRE_KERNEL). Absent: empty. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Whether a path is a directory; rejects as readFile does. Absent: every path is a file. */
  stat?(path: string): Promise<PathKind>;
  /** The entry names of a directory (not paths). */
  readDir?(path: string): Promise<string[]>;
  /** Writes a file, making its directory first. */
  writeFile?(path: string, text: string): Promise<void>;
  /**
   * Runs `cleanup` on SIGINT or SIGTERM, then ends the process with 130 or
   * 143. Returns what removes the handlers. Absent: nothing is installed.
   */
  onInterrupt?(cleanup: () => Promise<void>): () => void;
}

const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

export const nodeIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  readFile: (path) => readFile(path, 'utf8'),
  stdoutIsTTY: process.stdout.isTTY,
  env: process.env,
  stat: async (path) => ((await stat(path)).isDirectory() ? 'dir' : 'file'),
  readDir: (path) => readdir(path),
  writeFile: async (path, text) => {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text, 'utf8');
  },
  onInterrupt: (cleanup) => {
    let interrupted = false;
    const handler = (signal: keyof typeof SIGNAL_EXIT): void => {
      const code = SIGNAL_EXIT[signal];
      // A second signal while cleaning up: give up on the cleanup.
      if (interrupted) process.exit(code);
      interrupted = true;
      cleanup()
        .catch((e: unknown) => {
          process.stderr.write(`error: while closing backends: ${e instanceof Error ? e.message : String(e)}\n`);
        })
        .finally(() => process.exit(code));
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
    return () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    };
  },
};

/** Why a file could not be read, in one short phrase: "no such file or directory". */
export function readFailure(error: unknown): string {
  if (error instanceof Error) {
    // Node's messages read "ENOENT: no such file or directory, open 'x'": keep the middle.
    const m = /^[A-Z]+: (.*?), \w+ '.*'$/.exec(error.message);
    return m?.[1] ?? error.message;
  }
  return String(error);
}
