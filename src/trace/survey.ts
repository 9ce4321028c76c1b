// The first pass of the import (importer.ts): streams the trace's lines once,
// keeps the records of identity calls, pairs each `<unfinished ...>` with its
// `resumed` line, links each clone to the task it made and finds each task's
// program. Also the import's result types.

import { CALLS, signalArgs } from './table.js';
import { FD_MOVES } from './ttycalls.js';
import { lexLine, splitArgs, stringArg, structFields, TraceError, type TraceRecord, type TraceResult } from './lexer.js';

/** Where the lines come from; `lines()` is iterated once. */
export interface TraceSource {
  readonly name: string;
  lines(): Iterable<string>;
}

/** A compared call: the scenario line its step is on, and the trace's view of it. */
export interface Expectation {
  /** The line that holds the trace's result (a `resumed` line for a call that was interrupted). */
  readonly traceLine: number;
  readonly actor: string;
  /** The trace's call as the step writes it (`wait4(-1, 0)`). */
  readonly call: string;
  /** The trace's final result, in the language's syntax. */
  readonly result: string;
  /** The result ends in `...}`: the trace shows only the leading fields of the value written back (a signalfd read's first bytes). */
  readonly partial?: boolean;
}

/** A signal or an end the trace shows for an actor, compared with the model's event. */
export interface ExpectedEvent {
  readonly traceLine: number;
  /** As the transcript prints it: `--- SIGCHLD {si_pid=5, si_code=CLD_EXITED, si_status=0} ---`, `+++ exited with 0 +++`. */
  readonly text: string;
  /** The signal's number, for `---` events. */
  readonly signal: number | null;
  /** Only the signal is compared: the kernel sent it (a timer, a fault), the outside actor's kill stands in. */
  readonly nameOnly: boolean;
}

export interface ListedCall {
  readonly why: string;
  readonly lines: readonly number[];
}

export interface ImportResult {
  readonly scenario: string;
  /** Scenario line number -> what the trace says of that step. */
  readonly expectations: ReadonlyMap<number, Expectation>;
  /** Per actor, the handled signals the trace shows, in order. */
  readonly caught: ReadonlyMap<string, readonly ExpectedEvent[]>;
  /** Actors whose handled signals are not compared (they changed their signal mask: issue 12). */
  readonly uncomparedSignals: ReadonlySet<string>;
  /** Per actor, the group stops the trace shows (`--- stopped by SIGSTOP ---`), as the transcript prints them. */
  readonly stops: ReadonlyMap<string, readonly ExpectedEvent[]>;
  /** Per actor, the trace's `+++` line; empty when the trace has none (-qq). */
  readonly ends: ReadonlyMap<string, ExpectedEvent>;
  readonly tracedEnds: boolean;
  readonly unexpressed: readonly ListedCall[];
  readonly approximated: readonly ListedCall[];
  readonly stats: {
    readonly lines: number;
    readonly calls: number;
    readonly steps: number;
    readonly skipped: number;
    /** Signals strace showed a task with no handler for them (ptrace sees them; nothing for the model). */
    readonly footprintSignals: number;
  };
}

/** What the first pass learns. */
export interface Survey {
  /** Begin line of an unfinished call -> the rest of its arguments and its result. */
  readonly ends: Map<number, { args: string; result: TraceResult; endLine: number }>;
  /** Clone begin line -> the trace pid of the task it created. */
  readonly childOf: Map<number, number>;
  /** Clone begin line -> the line after which it is written (a concurrent clone got a smaller number). */
  readonly releaseAfter: Map<number, number>;
  /** Per pid, successful execve lines and program names, in order. */
  readonly execs: Map<number, { line: number; name: string }[]>;
  readonly rootPid: number;
  readonly lines: number;
  /** Calls the trace holds (whole lines and beginnings). */
  readonly calls: number;
  readonly hasEnds: boolean;
  /** Whether the trace shows rt_sigreturn (a filtered trace may not): handler frames can be followed. */
  readonly sigreturns: boolean;
  /** The records the second pass needs (identity calls, signals, ends, /proc opens), in trace order, with their line numbers. */
  readonly kept: readonly (readonly [number, TraceRecord])[];
}

const CREATING = new Set(['fork', 'vfork', 'clone', 'clone3']);
/** The calls that send a signal (tkill is not in the language but sends one too). */
export const sends = (name: string): boolean => name === 'tkill' || name === 'pidfd_send_signal' || signalArgs(name) !== null;
export const TABLE = CALLS;
/** The oldest strace forks a few probes before the program: more than this means the tracer was not pid 1 of a fresh namespace. */
const MAX_ROOT_PID = 16;

function basename(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

/**
 * Whether the second pass needs a record: everything but the calls no entry
 * maps (mmaps, ...), and reads before the trace's first signalfd (only a
 * signalfd's read concerns identity; most traces have thousands of others).
 */
function needed(r: TraceRecord, signalfds: boolean, ptys: boolean): boolean {
  switch (r.kind) {
    case 'call':
    case 'unfinished':
    case 'resumed':
      if (r.name === 'read') return signalfds;
      // Opens matter for /proc/PID/ns files and ptys; the fd-moving calls once a pty is open.
      if (r.name === 'openat' || r.name === 'open') return r.args.includes('/proc/') || r.args.includes('/dev/ptmx') || r.args.includes('/dev/tty') || r.args.includes('/dev/pts/');
      if (ptys && FD_MOVES.has(r.name)) return true;
      if (r.name === 'rt_sigreturn') return true; // ends a handler frame
      if (TABLE.has(r.name)) return true;
      return false;
    case 'note':
      return SUPERSEDED.test(r.text);
    default:
      return true;
  }
}

/** strace's note on a thread group's leader when another of its threads execs (de_thread: that thread takes the leader's pid). */
export const SUPERSEDED = /^\+\+\+ superseded by execve in pid (\d+) \+\+\+$/;

/**
 * The first pass: the only one that reads the source. It keeps the records
 * the second needs, so memory grows with the trace's identity calls (as the
 * scenario does), not with its length.
 */
export function survey(source: TraceSource): Survey {
  const kept: (readonly [number, TraceRecord])[] = [];
  const ends = new Map<number, { args: string; result: TraceResult; endLine: number }>();
  const open = new Map<number, { line: number; name: string; args: string }>();
  const firstSeen = new Map<number, number>();
  const execs = new Map<number, { line: number; name: string }[]>();
  const clones: { line: number; pid: number; result: number; endLine: number; newpid: boolean; thread: boolean }[] = [];
  const unshares = new Map<number, number[]>();
  let rootPid: number | null = null;
  let unprefixed = false;
  let lines = 0;
  let calls = 0;
  let hasEnds = false;
  let signalfds = false;
  let sigreturns = false;
  let ptys = false;
  let n = 0;
  const finish = (pid: number, line: number, name: string, args: string, result: TraceResult, beginLine: number): void => {
    if (name === 'execve' || name === 'execveat') {
      if (result.kind === 'value') {
        const path = stringArg(args) ?? '';
        const list = execs.get(pid) ?? [];
        list.push({ line: beginLine, name: basename(path) });
        execs.set(pid, list);
      }
    } else if (CREATING.has(name) && result.kind === 'value' && result.value > 0) {
      const flags = name === 'clone3' ? (structFields(splitArgs(args)[0] ?? '').get('flags') ?? '') : args;
      clones.push({ line: beginLine, pid, result: result.value, endLine: line, newpid: flags.includes('CLONE_NEWPID'), thread: flags.includes('CLONE_THREAD') });
    } else if (name === 'unshare' && result.kind === 'value' && result.value === 0 && args.includes('CLONE_NEWPID')) {
      const list = unshares.get(pid) ?? [];
      list.push(beginLine);
      unshares.set(pid, list);
    }
  };
  for (const text of source.lines()) {
    n++;
    const r = lexLine(text, source.name, n);
    if (r === null) continue;
    lines = n;
    if (r.kind === 'call' || r.kind === 'unfinished') calls++;
    if ((r.kind === 'call' || r.kind === 'unfinished') && (r.name === 'signalfd4' || r.name === 'signalfd')) signalfds = true;
    if ((r.kind === 'call' || r.kind === 'unfinished') && (r.name === 'openat' || r.name === 'open') && r.args.includes('/dev/ptmx')) ptys = true;
    if (needed(r, signalfds, ptys)) kept.push([n, r]);
    if ((r.kind === 'call' || r.kind === 'unfinished') && r.name === 'rt_sigreturn') sigreturns = true;
    let pid = r.pid;
    if (pid === null) {
      unprefixed = true;
      if (rootPid === null && r.kind === 'call' && (r.name === 'getpid' || r.name === 'gettid' || r.name === 'set_tid_address') && r.result.kind === 'value') rootPid = r.result.value;
      pid = rootPid ?? -1;
    } else if (rootPid === null && !unprefixed) {
      rootPid = pid;
    }
    if (!firstSeen.has(pid)) firstSeen.set(pid, n);
    switch (r.kind) {
      case 'call':
        finish(pid, n, r.name, r.args, r.result, n);
        break;
      case 'unfinished': {
        const prev = open.get(pid);
        // `<... x resumed> <unfinished ...>`: the same call, still open.
        if (prev !== undefined && prev.name === r.name) prev.args += r.args;
        else open.set(pid, { line: n, name: r.name, args: r.args });
        break;
      }
      case 'resumed': {
        const begun = open.get(pid);
        if (begun === undefined || begun.name !== r.name) {
          throw new TraceError(source.name, n, `<... ${r.name} resumed> without its beginning (${pid} had no unfinished ${r.name}): a truncated or merged log`);
        }
        open.delete(pid);
        ends.set(begun.line, { args: r.args, result: r.result, endLine: n });
        finish(pid, n, r.name, begun.args + r.args, r.result, begun.line);
        break;
      }
      case 'exited':
      case 'killed':
        hasEnds = true;
        open.delete(pid);
        break;
      case 'note': {
        // The exec'ing thread's execve ends under the leader's pid: its open call moves there.
        const m = SUPERSEDED.exec(r.text);
        const execing = m === null ? undefined : open.get(Number(m[1]));
        if (m !== null) {
          open.delete(Number(m[1]));
          if (execing !== undefined) open.set(pid, execing);
          else open.delete(pid);
        }
        break;
      }
      default:
        break;
    }
  }
  if (lines === 0) throw new TraceError(source.name, 1, 'empty: not an strace log');
  if (rootPid === null) throw new TraceError(source.name, 1, 'cannot tell the traced program pid: record with strace -f');
  if (rootPid > MAX_ROOT_PID) {
    throw new TraceError(source.name, firstSeen.get(rootPid) ?? 1, `the traced program is pid ${rootPid}: the tracer was not pid 1 of a fresh PID namespace (record with pidns trace, or unshare --pid --fork --mount-proc strace -f ...)`);
  }
  // Link clones to children. A clone returns the child's number in the caller's active
  // namespace: the trace's numbering while the caller lives in strace's namespace. A caller
  // in a nested one gets numbers of that namespace; its child is the next new pid of the trace.
  const childOf = new Map<number, number>();
  const nested = new Set<number>();
  const assigned = new Set<number>([rootPid]);
  const fresh = [...firstSeen.entries()].sort((a, b) => a[1] - b[1]);
  const callerNested = new Map<number, boolean>();
  const results = new Set(clones.map((c) => c.result));
  clones.sort((a, b) => a.line - b.line); // they were collected where they returned
  // A child's first line follows its clone's: pids first seen before a clone are no later clone's child.
  let from = 0;
  const firstFresh = (after: number, ok: (p: number) => boolean): number | undefined => {
    while (from < fresh.length && fresh[from]![1] <= after) from++;
    for (let k = from; k < fresh.length; k++) {
      const p = fresh[k]![0];
      if (!assigned.has(p) && ok(p)) return p;
    }
    return undefined;
  };
  for (const c of clones) {
    const inNested = nested.has(c.pid);
    callerNested.set(c.line, inNested);
    let child: number | undefined;
    const seenAt = firstSeen.get(c.result);
    if (!inNested) {
      // The trace's numbering: the result is the child (a number used before was freed and reused).
      // A result that never shows up (a child that made no traced call) may still be a pid
      // whose first line is missing its clone: then the new pid no clone returned is the child.
      child = seenAt !== undefined ? c.result : (firstFresh(c.line, (p) => !results.has(p)) ?? c.result);
    } else {
      child = firstFresh(c.line, (p) => inNested || !results.has(p));
    }
    if (child === undefined) continue;
    childOf.set(c.line, child);
    assigned.add(child);
    const kidsNested = inNested || c.newpid || (unshares.get(c.pid) ?? []).some((l) => l < c.line);
    if (kidsNested && !c.thread) nested.add(child);
    if (c.thread && inNested) nested.add(child);
  }
  // Concurrent clones: the one that got the smaller number went first. Only clones that began
  // while c was in the kernel can be its rivals.
  const releaseAfter = new Map<number, number>();
  for (let i = 0; i < clones.length; i++) {
    const c = clones[i]!;
    for (let j = i + 1; j < clones.length && clones[j]!.line < c.endLine; j++) {
      const d = clones[j]!;
      if (d.result < c.result && callerNested.get(d.line) === callerNested.get(c.line)) {
        releaseAfter.set(c.line, Math.max(releaseAfter.get(c.line) ?? 0, d.line));
      }
    }
  }
  return { ends, childOf, releaseAfter, execs, rootPid, lines, calls, hasEnds, sigreturns, kept };
}
