// Where the CLI reads and writes: Node's streams and files by default, a
// capturing object in tests (so that main() runs without spawning a process).

import { readFile } from 'node:fs/promises';

export interface Io {
  /** Writes to standard output, as is (callers end their lines). */
  out(text: string): void;
  err(text: string): void;
  readFile(path: string): Promise<string>;
}

export const nodeIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  readFile: (path) => readFile(path, 'utf8'),
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
