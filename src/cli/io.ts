// Where the CLI reads and writes: Node's streams and files by default, a
// capturing object in tests (so that main() runs without spawning a process).
// The optional members have plain defaults when absent (see each), so a test
// gives only what its command uses.

import { lstat, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { text as streamText } from 'node:stream/consumers';

export type PathKind = 'file' | 'dir';

export interface Io {
  /** Writes to standard output, as is (callers end their lines). */
  out(text: string): void;
  err(text: string): void;
  /** Reads a file; `-` is standard input (readInput). */
  readFile(path: string): Promise<string>;
  /** Whether standard output is a terminal: colour is used only there (color.ts). Absent: no. */
  readonly stdoutIsTTY?: boolean;
  /** Whether standard error is a terminal: progress lines are drawn only there. Absent: no. */
  readonly stderrIsTTY?: boolean;
  /** The terminal's width in columns, when standard error is one: progress lines are clipped to it. */
  readonly columns?: number;
  /** Milliseconds on a monotonic clock (progress rates). Absent: no rate is shown. */
  now?(): number;
  /** The environment (PIDNS_REQUIRE_KERNEL, NO_COLOR, FORCE_COLOR). Absent: empty. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Whether a path is a directory; rejects as readFile does. Absent: every path is a file. */
  stat?(path: string): Promise<PathKind>;
  /** The entry names of a directory (not paths). */
  readDir?(path: string): Promise<string[]>;
  /** Writes a file, making its directory first (makeDirs). */
  writeFile?(path: string, text: string): Promise<void>;
  /**
   * Runs `cleanup` on SIGINT or SIGTERM, then ends the process with 130 or
   * 143. Returns what removes the handlers. Absent: nothing is installed.
   */
  onInterrupt?(cleanup: () => Promise<void>): () => void;
}

const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

/** The path that names standard input where a file is read. */
export const STDIN = '-';

/**
 * mkdir -p, one level at a time. Node's `mkdir(path, { recursive: true })`
 * never returns for a path under /proc (it retries the ENOENT that procfs
 * gives for every create, at 100% CPU): here the nearest existing ancestor
 * is found first, then each missing level is made alone, and the first
 * failure is thrown as is (ENOENT, ENOTDIR, EACCES).
 */
export async function makeDirs(path: string): Promise<void> {
  const missing: string[] = [];
  for (let dir = path; ; dir = dirname(dir)) {
    try {
      if (!(await stat(dir)).isDirectory()) throw Object.assign(new Error(`ENOTDIR: ${dir} is not a directory, mkdir '${dir}'`), { code: 'ENOTDIR' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(dir) === dir) throw e;
      // stat follows links: a link to nothing reads as missing, and mkdir would then say EEXIST.
      if (await lstat(dir).then(() => true, () => false)) throw Object.assign(new Error(`ENOENT: ${dir} is a symbolic link to nothing, mkdir '${dir}'`), { code: 'ENOENT' });
      missing.unshift(dir);
    }
  }
  for (const dir of missing) await mkdir(dir);
}

export const nodeIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  readFile: (path) => (path === STDIN ? streamText(process.stdin) : readFile(path, 'utf8')),
  stdoutIsTTY: process.stdout.isTTY,
  stderrIsTTY: process.stderr.isTTY,
  ...(process.stderr.isTTY ? { columns: process.stderr.columns } : {}),
  now: () => performance.now(),
  env: process.env,
  stat: async (path) => ((await stat(path)).isDirectory() ? 'dir' : 'file'),
  readDir: (path) => readdir(path),
  writeFile: async (path, text) => {
    await makeDirs(dirname(path));
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
    const m = /^[A-Z]+: (.*?), \w+ '.*'$/s.exec(error.message);
    return m?.[1] ?? error.message.split('\n')[0]!;
  }
  return String(error);
}

/**
 * Why a write failed, naming what failed where Node's message does: "mkdir
 * /proc/foo: no such file or directory" (the path in a message about a
 * write is often not the one the user gave: a parent, a temporary file).
 */
export function writeFailure(error: unknown): string {
  if (error instanceof Error) {
    const m = /^[A-Z]+: (.*?), (\w+) '(.*)'(?: -> '.*')?$/s.exec(error.message);
    if (m !== null) return `${m[2]!} ${m[3]!}: ${m[1]!}`;
  }
  return readFailure(error);
}
