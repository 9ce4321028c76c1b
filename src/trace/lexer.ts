// strace's line syntax (strace(1), "DESCRIPTION" and -f/-t/-T): one record a
// line, read without looking at any other line, so a trace of any length is
// streamed. A line is `[PID ]BODY` (or `[pid PID] BODY` on stderr), an
// optional -t/-tt/-ttt/-r timestamp before BODY and an optional -T duration
// `<0.000012>` after it. BODY is a whole call `name(args) = result`, a call's
// entry `name(args <unfinished ...>`, its exit `<... name resumed>args) =
// result`, a signal `--- SIGCHLD {...} ---`, or a task's end `+++ exited with
// N +++` / `+++ killed by SIG +++`. Anything else is not strace's: a
// TraceError naming the line. Engine-clean: no Node imports.

/** Bad input: the trace's line number and a one-line reason. */
export class TraceError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}: ${detail}`);
    this.name = 'TraceError';
  }
}

/** A call's result as strace prints it after ` = `. */
export type TraceResult =
  /** A number (decimal or 0x hex); `comment` is strace's parenthesized decoding, if any. */
  | { readonly kind: 'value'; readonly value: number; readonly comment: string | null }
  /** `-1 ENOENT (No such file or directory)`. */
  | { readonly kind: 'errno'; readonly errno: string }
  /** `?` (exit, exit_group, a task gone during the call); `errno` for `? ERESTARTSYS (...)`. */
  | { readonly kind: 'unknown'; readonly errno: string | null };

export type TraceRecord =
  | { readonly kind: 'call'; readonly pid: number | null; readonly time: number | null; readonly name: string; readonly args: string; readonly result: TraceResult }
  | { readonly kind: 'unfinished'; readonly pid: number | null; readonly time: number | null; readonly name: string; readonly args: string }
  | { readonly kind: 'resumed'; readonly pid: number | null; readonly time: number | null; readonly name: string; readonly args: string; readonly result: TraceResult }
  /** `--- SIGCHLD {si_signo=...} ---`; `info` is the text between the braces (empty for `--- stopped by SIGSTOP ---`). */
  | { readonly kind: 'signal'; readonly pid: number | null; readonly time: number | null; readonly signal: string; readonly info: string; readonly stopped: boolean }
  | { readonly kind: 'exited'; readonly pid: number | null; readonly time: number | null; readonly code: number }
  | { readonly kind: 'killed'; readonly pid: number | null; readonly time: number | null; readonly signal: string; readonly core: boolean }
  /** strace's own messages ("Process 5 attached", "superseded by execve"): nothing for the model. */
  | { readonly kind: 'note'; readonly pid: number | null; readonly time: number | null; readonly text: string };

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isNameChar = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || isDigit(c) || c === 95;

/** Reads `HH:MM:SS[.frac]`, `SECONDS.frac` (-ttt, -r) at i; returns seconds and the index after it, or null. */
function timestampAt(s: string, i: number): { time: number; end: number } | null {
  const m = /^(?:(\d\d):(\d\d):(\d\d)(\.\d+)?|(\d+\.\d+))(?= )/.exec(s.slice(i, i + 32));
  if (m === null) return null;
  const time = m[5] !== undefined ? Number(m[5]) : Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(m[4] ?? 0);
  return { time, end: i + m[0].length };
}

/**
 * Index just past the `)` that closes a call's arguments, scanning from i at
 * bracket depth `depth`, skipping strings (`"..."` with backslash escapes)
 * and comments. -1 when the line ends first.
 */
function closeParen(s: string, i: number, depth: number): number {
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 34 /* " */) {
      i++;
      while (i < n) {
        const d = s.charCodeAt(i);
        if (d === 92 /* \ */) i += 2;
        else if (d === 34) break;
        else i++;
      }
      if (i >= n) return -1;
    } else if (c === 47 /* / */ && s.charCodeAt(i + 1) === 42 /* * */) {
      const end = s.indexOf('*/', i + 2);
      if (end < 0) return -1;
      i = end + 1;
    } else if (c === 40 || c === 91 || c === 123) {
      depth++;
    } else if (c === 41 || c === 93 || c === 125) {
      depth--;
      if (depth === 0) {
        if (c !== 41) return -1;
        return i + 1;
      }
      if (depth < 0) return -1;
    }
    i++;
  }
  return -1;
}

const ERRNO = /^-1 (E[A-Z0-9]+)(?: \(.*\))?$/;
const UNKNOWN = /^\? (E[A-Z0-9]+|ERESTART[A-Z_]*)(?: \(.*\))?$/;
const VALUE = /^(-?\d+|0x[0-9a-f]+)(?:<[^>]*>)?(?: \((.*)\))?$/;

/** The text after ` = ` (a -T duration already removed). */
function parseResult(text: string): TraceResult | null {
  if (text === '?' || text === '? <unavailable>') return { kind: 'unknown', errno: null };
  let m = ERRNO.exec(text);
  if (m !== null) return { kind: 'errno', errno: m[1]! };
  m = UNKNOWN.exec(text);
  if (m !== null) return { kind: 'unknown', errno: m[1]! };
  m = VALUE.exec(text);
  if (m !== null) return { kind: 'value', value: Number(m[1]), comment: m[2] ?? null };
  return null;
}

/** ` = RESULT[ <duration>]` from index i (just after the `)`); null when garbled. */
function resultAt(s: string, i: number): TraceResult | null {
  let j = i;
  while (s.charCodeAt(j) === 32) j++;
  if (s.charCodeAt(j) !== 61 /* = */ || s.charCodeAt(j + 1) !== 32) return null;
  j += 2;
  // The common case without allocating: a decimal number, then the end of the line.
  let k = j;
  if (s.charCodeAt(k) === 45) k++;
  const digits = k;
  while (isDigit(s.charCodeAt(k))) k++;
  if (k > digits && k === s.length) return { kind: 'value', value: Number(s.slice(j, k)), comment: null };
  let text = s.slice(j).trimEnd();
  if (text.endsWith('>')) {
    const dur = /^(.*) <\d+\.\d+>$/.exec(text);
    if (dur !== null) text = dur[1]!;
  }
  return parseResult(text);
}

const UNFINISHED = ' <unfinished ...>';
const SIGNAL = /^--- (SIG[A-Z0-9_+]+)(?: \{(.*)\})? ---$/;
const STOPPED = /^--- stopped by (SIG[A-Z0-9]+) ---$/;
const EXITED = /^\+\+\+ exited with (\d+) \+\+\+$/;
const KILLED = /^\+\+\+ killed by (SIG[A-Z0-9_+]+)( \(core dumped\))? \+\+\+$/;

/**
 * One line of a trace. `line` is its number (for the error). Returns null for
 * a blank line. `file` names the trace in errors.
 */
export function lexLine(s: string, file: string, line: number): TraceRecord | null {
  const fail = (why: string): never => {
    throw new TraceError(file, line, why);
  };
  let i = 0;
  const n = s.length;
  if (n === 0) return null;
  // -r (relative timestamps) pads with spaces; so do blank lines.
  while (s.charCodeAt(i) === 32) i++;
  if (i === n) return null;
  let pid: number | null = null;
  if (s.startsWith('[pid ')) {
    i = 5;
    while (s.charCodeAt(i) === 32) i++;
    const start = i;
    while (isDigit(s.charCodeAt(i))) i++;
    if (i === start || s.charCodeAt(i) !== 93) fail('not an strace line: a [pid N] prefix without its number');
    pid = Number(s.slice(start, i));
    i++;
    while (s.charCodeAt(i) === 32) i++;
  } else if (isDigit(s.charCodeAt(i))) {
    // A number is a pid when followed by spaces and a body; -ttt/-r timestamps start with digits too.
    const start = i;
    while (isDigit(s.charCodeAt(i))) i++;
    if (s.charCodeAt(i) === 32) {
      pid = Number(s.slice(start, i));
      while (s.charCodeAt(i) === 32) i++;
    } else {
      i = start;
    }
  }
  let time: number | null = null;
  if (isDigit(s.charCodeAt(i))) {
    const t = timestampAt(s, i);
    if (t === null) fail('not an strace line: expected a system call, a signal (---) or an exit (+++) after the pid');
    time = t!.time;
    i = t!.end;
    while (s.charCodeAt(i) === 32) i++;
  }
  const body = i === 0 ? s : s.slice(i);
  const c0 = body.charCodeAt(0);
  if (c0 === 45 /* - */) {
    const st = STOPPED.exec(body.trimEnd());
    if (st !== null) return { kind: 'signal', pid, time, signal: st[1]!, info: '', stopped: true };
    const m = SIGNAL.exec(body.trimEnd());
    if (m === null) return fail('garbled signal line: expected --- SIGNAME {...} ---');
    return { kind: 'signal', pid, time, signal: m[1]!, info: m[2] ?? '', stopped: false };
  }
  if (c0 === 43 /* + */) {
    const t = body.trimEnd();
    let m = EXITED.exec(t);
    if (m !== null) return { kind: 'exited', pid, time, code: Number(m[1]) };
    m = KILLED.exec(t);
    if (m !== null) return { kind: 'killed', pid, time, signal: m[1]!, core: m[2] !== undefined };
    if (/^\+\+\+ superseded by execve in pid \d+ \+\+\+$/.test(t)) return { kind: 'note', pid, time, text: t };
    return fail('garbled exit line: expected +++ exited with N +++ or +++ killed by SIG +++');
  }
  if (body.startsWith('<... ')) {
    const close = body.indexOf(' resumed>', 5);
    if (close < 0) return fail('garbled line: <... NAME resumed> without its end');
    const name = body.slice(5, close);
    if (!/^[a-z_][a-z0-9_]*$|^\?\?\?$/.test(name)) fail(`garbled line: ${JSON.stringify(name)} is not a system call name`);
    const restStart = close + ' resumed>'.length;
    if (body.endsWith(UNFINISHED)) {
      // Resumed, then interrupted again before its end (strace -f with many tasks): still unfinished.
      return { kind: 'unfinished', pid, time, name, args: body.slice(restStart, body.length - UNFINISHED.length) };
    }
    const end = closeParen(body, restStart, 1);
    if (end < 0) return fail(`truncated or garbled ${name} line: no closing parenthesis`);
    const result = resultAt(body, end);
    if (result === null) return fail(`garbled ${name} line: expected " = RESULT" after the arguments`);
    return { kind: 'resumed', pid, time, name, args: body.slice(restStart, end - 1), result: result };
  }
  if (body.startsWith('strace: ')) return { kind: 'note', pid, time, text: body };
  let j = 0;
  while (j < body.length && isNameChar(body.charCodeAt(j))) j++;
  if (j === 0 && body.startsWith('???')) j = 3;
  if (j === 0 || body.charCodeAt(j) !== 40 /* ( */) {
    return fail('not an strace line: expected a system call, a signal (---) or an exit (+++)');
  }
  const name = body.slice(0, j);
  if (name.startsWith('syscall_') && /^syscall_0x[0-9a-f]+$/.test(name)) fail(`unknown system call ${name}: this strace does not know it, nor does pidns`);
  if (body.endsWith(UNFINISHED)) {
    let a = body.length - UNFINISHED.length;
    while (body.charCodeAt(a - 1) === 32) a--;
    return { kind: 'unfinished', pid, time, name, args: body.slice(j + 1, a) };
  }
  const end = closeParen(body, j + 1, 1);
  if (end < 0) return fail(`truncated or garbled ${name} line: no closing parenthesis`);
  const result = resultAt(body, end);
  if (result === null) return fail(`garbled ${name} line: expected " = RESULT" after the arguments`);
  return { kind: 'call', pid, time, name, args: body.slice(j + 1, end - 1), result: result };
}

/**
 * Splits an argument list at its top-level `, ` (outside strings, brackets
 * and comments): `-1, [{WIFEXITED(s) && ...}], 0, NULL` has four.
 */
export function splitArgs(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      i++;
      while (i < n && text.charCodeAt(i) !== 34) i += text.charCodeAt(i) === 92 ? 2 : 1;
    } else if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 1;
    } else if (c === 40 || c === 91 || c === 123) depth++;
    else if (c === 41 || c === 93 || c === 125) depth--;
    else if (c === 44 && depth === 0) {
      out.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = text.slice(start).trim();
  if (last !== '' || out.length > 0) out.push(last);
  return out;
}

/** `{k=v, k2=v2}` (or `k=v, k2=v2`) as a map; values keep their text. */
export function structFields(text: string): Map<string, string> {
  let t = text.trim();
  if (t.startsWith('{') && t.endsWith('}')) t = t.slice(1, -1);
  const out = new Map<string, string>();
  for (const part of splitArgs(t)) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return out;
}

/** The first argument of a string literal `"..."`, unescaped enough for paths. */
export function stringArg(text: string): string | null {
  const m = /^"((?:[^"\\]|\\.)*)"/.exec(text);
  return m === null ? null : m[1]!.replace(/\\(.)/g, '$1');
}
