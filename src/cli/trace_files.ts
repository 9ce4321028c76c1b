// Reading traces from disk for the trace commands: a file is streamed in
// chunks (a trace of a million lines is never held whole), and the files
// strace -ff writes (PREFIX.PID, no pid prefix on their lines) are merged by
// their timestamps into one -f style stream.

import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { TraceError, type TraceSource } from '../trace/index.js';

const CHUNK = 1 << 16;

/** The lines of a file, read CHUNK bytes at a time. `onLine` sees every line number (progress). */
export function* fileLines(path: string, onLine?: (n: number) => void): Generator<string> {
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(CHUNK);
  const decoder = new TextDecoder('utf-8');
  let carry = '';
  let n = 0;
  try {
    for (;;) {
      const got = readSync(fd, buf, 0, CHUNK, null);
      if (got === 0) break;
      const text = carry + decoder.decode(buf.subarray(0, got), { stream: true });
      let start = 0;
      for (;;) {
        const end = text.indexOf('\n', start);
        if (end < 0) break;
        n++;
        onLine?.(n);
        yield text.slice(start, end);
        start = end + 1;
      }
      carry = text.slice(start);
    }
    carry += decoder.decode();
    // strace ends every line it writes: a last line without its newline is a log cut short (a full disk, a kill).
    if (carry !== '') throw new TraceError(path, n + 1, 'truncated: the last line ends without a newline');
  } finally {
    closeSync(fd);
  }
}

/** The -ff files of a prefix: PREFIX.PID, by pid. Empty when there are none. */
function ffFiles(prefix: string): { pid: number; path: string }[] {
  const dir = dirname(prefix);
  const base = basename(prefix);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: { pid: number; path: string }[] = [];
  for (const name of names) {
    const m = /^(.*)\.(\d+)$/.exec(name);
    if (m !== null && m[1] === base) out.push({ pid: Number(m[2]), path: join(dir, name) });
  }
  return out.sort((a, b) => a.pid - b.pid);
}

const STAMP = /^\s*(?:(\d\d):(\d\d):(\d\d)(\.\d+)?|(\d+\.\d+)) /;

function stampOf(line: string): number | null {
  const m = STAMP.exec(line);
  if (m === null) return null;
  return m[5] !== undefined ? Number(m[5]) : Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(m[4] ?? 0);
}

/** -ff files merged by timestamp (stable by pid on ties), each line given its file's pid. */
function* mergedLines(name: string, files: readonly { pid: number; path: string }[]): Generator<string> {
  interface Head {
    readonly pid: number;
    readonly path: string;
    readonly it: Generator<string>;
    line: string | null;
    stamp: number;
    n: number;
  }
  const heads: Head[] = files.map((f) => ({ pid: f.pid, path: f.path, it: fileLines(f.path), line: '', stamp: 0, n: 0 }));
  const advance = (h: Head): void => {
    for (;;) {
      const r = h.it.next();
      if (r.done === true) {
        h.line = null;
        return;
      }
      h.n++;
      if (r.value.trim() === '') continue;
      const stamp = stampOf(r.value);
      if (stamp === null) throw new TraceError(h.path, h.n, `strace -ff files can only be merged by their timestamps: record with -tt or -ttt too (${name})`);
      h.line = r.value;
      h.stamp = stamp;
      return;
    }
  };
  for (const h of heads) advance(h);
  for (;;) {
    let best: Head | null = null;
    for (const h of heads) if (h.line !== null && (best === null || h.stamp < best.stamp)) best = h;
    if (best === null) return;
    yield `${best.pid} ${best.line}`;
    advance(best);
  }
}

/**
 * A trace on disk: the file itself, or, when PATH does not exist but
 * PATH.PID files do (strace -ff -o PATH), those merged. Null when neither.
 */
export function traceSource(path: string, onLine?: (n: number) => void): TraceSource | null {
  if (existsSync(path) && statSync(path).isFile()) return { name: path, lines: () => fileLines(path, onLine) };
  const files = ffFiles(path);
  if (files.length === 0) return null;
  return { name: `${path}.*`, lines: () => mergedLines(path, files) };
}

/**
 * The traces a command-line argument names: a file or -ff prefix as it is; a
 * directory, every *.strace file and every -ff prefix (PREFIX.PID files) under
 * it, sorted, so that `pidns replay traces/` replays the corpus.
 */
export function tracesUnder(arg: string): string[] {
  let isDir = false;
  try {
    isDir = statSync(arg).isDirectory();
  } catch {
    return [arg];
  }
  if (!isDir) return [arg];
  const out: string[] = [];
  const walk = (dir: string): void => {
    const names = readdirSync(dir).sort();
    const prefixes = new Set<string>();
    for (const name of names) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.strace')) out.push(path);
      else {
        const m = /^(.*)\.\d+$/.exec(name);
        if (m !== null && !names.includes(m[1]!)) prefixes.add(join(dir, m[1]!));
      }
    }
    out.push(...[...prefixes].sort());
  };
  walk(arg);
  return out;
}
