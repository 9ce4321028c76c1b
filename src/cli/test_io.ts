// A capturing Io for the CLI's tests: files from a map, output kept in
// strings, so main() runs without touching the disk or spawning a process.

import type { Io, PathKind } from './io.js';

export interface MemoryIo {
  readonly io: Io;
  /** What was written to standard output and standard error so far. */
  readonly output: () => { out: string; err: string };
}

/**
 * `files` maps paths to contents (writes go there too). With `dirs`, paths
 * under a prefix make a directory for stat and readDir; without, every path
 * is a file (Io's default). `extra` overrides any member.
 */
export function memoryIo(files: Map<string, string>, options: { dirs?: boolean; extra?: Partial<Io> } = {}): MemoryIo {
  let out = '';
  let err = '';
  const under = (path: string): string[] => [...files.keys()].filter((p) => p.startsWith(`${path}/`));
  const io: Io = {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    readFile: (path) => {
      const text = files.get(path);
      return text === undefined ? Promise.reject(new Error(`ENOENT: no such file or directory, open '${path}'`)) : Promise.resolve(text);
    },
    writeFile: (path, text) => {
      files.set(path, text);
      return Promise.resolve();
    },
    ...(options.dirs === true
      ? {
          stat: (path: string): Promise<PathKind> => {
            if (files.has(path)) return Promise.resolve('file');
            if (under(path).length > 0) return Promise.resolve('dir');
            return Promise.reject(new Error(`ENOENT: no such file or directory, stat '${path}'`));
          },
          readDir: (path: string) => Promise.resolve([...new Set(under(path).map((p) => p.slice(path.length + 1).split('/')[0]!))]),
        }
      : {}),
    ...options.extra,
  };
  return { io, output: () => ({ out, err }) };
}
