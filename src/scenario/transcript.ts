// The transcript's text (SCENARIO.md, "Transcript"): results, events and views
// in the strace-like form both backends print alike. Pure functions of what a
// backend reported; the runner decides what is printed when.

import { formatSigset, FULL_SIGSET, NSIG, SA_RESTORER, saFlagNames, siCodeName, Signal, signalName, sigsetMembers } from '../abi/signal.js';
import type { Pos } from './ast.js';
import type { CallResult, JobRow, NamespacesView, NsView, OutValue, PsRow, SiginfoOut, StatusView, TaskEvent, WaitidInfo, WaitReport } from './backend.js';
import { formatBarLine } from './format.js';

export function formatWaitReport(status: WaitReport): string {
  switch (status.kind) {
    case 'exited':
      return `{exited ${status.code}}`;
    case 'killed':
      return `{killed ${signalName(status.signal)}}`;
    case 'stopped':
      return `{stopped ${signalName(status.signal)}}`;
    case 'continued':
      return '{continued}';
  }
}

/** si_status is the exit code for CLD_EXITED and a signal for every other CLD_* code. */
function formatSiStatus(code: string, status: number): string {
  return code === 'CLD_EXITED' ? String(status) : signalName(status);
}

export function formatWaitidInfo(info: WaitidInfo | null): string {
  if (info === null) return '{si_pid=0}';
  return `{si_pid=${info.pid}, si_code=${info.code}, si_status=${formatSiStatus(info.code, info.status)}}`;
}

/** The text after `= `. fd numbers differ between backends, so an fd prints as `fd`. */
export function formatResult(result: CallResult): string {
  switch (result.kind) {
    case 'value': {
      if (result.out !== undefined) return `${result.value} ${formatOut(result.out)}`;
      const t = result.tids;
      if (t === undefined) return String(result.value);
      const words = [...(t.parent === undefined ? [] : [`parent_tid=${t.parent}`]), ...(t.child === undefined ? [] : [`child_tid=${t.child}`])];
      return `${result.value} {${words.join(', ')}}`;
    }
    case 'wait4':
      return `${result.pid} ${formatWaitReport(result.status)}`;
    case 'waitid':
      return `0 ${formatWaitidInfo(result.info)}`;
    case 'fd':
      return 'fd';
    case 'errno':
      return `-1 ${result.errno}`;
    case 'noreturn':
      return '?';
    case 'unfinished':
      return '<unfinished ...>';
  }
}

/**
 * A signal set as strace prints a sigset_t: `[SIGUSR1 SIGCHLD]` ascending,
 * or `~[...]` (the members it lacks) when it holds more than half of the 64.
 */
export function formatSigsetOut(set: bigint): string {
  let text = SIGSET_TEXT.get(set);
  if (text === undefined) {
    if (SIGSET_TEXT.size >= 256) SIGSET_TEXT.clear();
    text = sigsetMembers(set).length > NSIG / 2 ? `~${formatSigset(~set & FULL_SIGSET)}` : formatSigset(set);
    SIGSET_TEXT.set(set, text);
  }
  return text;
}

/** Printed sets by value (a Map compares BigInt keys by value): a trace's masks and actions repeat a few sets. */
const SIGSET_TEXT = new Map<bigint, string>();

/** sa_flags by name in ascending bit order, or 0; SA_RESTORER (the runner's trampoline) is left out. */
function formatSaFlags(flags: number): string {
  let text = SA_FLAGS_TEXT.get(flags);
  if (text === undefined) {
    if (SA_FLAGS_TEXT.size >= 256) SA_FLAGS_TEXT.clear();
    SA_FLAGS_TEXT.set(flags, (text = saFlagsText(flags)));
  }
  return text;
}

/** Printed flag words by value: an imported trace prints the same few hundreds of times. */
const SA_FLAGS_TEXT = new Map<number, string>();

function saFlagsText(flags: number): string {
  const names = Object.entries(saFlagNames)
    .filter(([n, v]) => v !== SA_RESTORER && n !== 'SA_RESTORER' && (flags & v) !== 0)
    .sort((a, b) => (a[1] >>> 0) - (b[1] >>> 0))
    .map(([n]) => n);
  const known = Object.values(saFlagNames).reduce((acc, v) => acc | v, 0);
  const rest = (flags & ~known) >>> 0;
  if (rest !== 0) names.push(`0x${rest.toString(16)}`);
  return names.length === 0 ? '0' : names.join('|');
}

/**
 * A siginfo written back: si_signo, si_code, si_pid, then si_status for
 * SIGCHLD's CLD_* codes or si_value for a negative si_code (the `_rt`
 * layout); the two share one word of the kernel's union.
 */
export function formatSiginfoOut(i: SiginfoOut): string {
  const code = siCodeName(i.code, i.signo);
  const extra = i.signo === (Signal.SIGCHLD as number) && i.code >= 1 && i.code <= 6 ? `, si_status=${formatSiStatus(code, i.status)}` : i.code < 0 ? `, si_value=${i.value}` : '';
  return `{si_signo=${signalName(i.signo)}, si_code=${code}, si_pid=${i.pid}${extra}}`;
}

export function formatOut(out: OutValue): string {
  switch (out.kind) {
    case 'sigset':
      return formatSigsetOut(out.set);
    case 'sigaction':
      return `{sa_handler=${out.handler}, sa_mask=${formatSigsetOut(out.mask)}, sa_flags=${formatSaFlags(out.flags)}}`;
    case 'siginfo':
      return formatSiginfoOut(out.info);
  }
}

/** The text after `LABEL: ` of an event line. */
export function formatEvent(event: TaskEvent): string {
  switch (event.kind) {
    case 'resumed':
      return `<... ${event.call} resumed> = ${formatResult(event.result)}`;
    case 'exited':
      return `+++ exited with ${event.code} +++`;
    case 'killed':
      return `+++ killed by ${signalName(event.signal)} +++`;
    case 'stopped':
      return `+++ stopped by ${signalName(event.signal)} +++`;
    case 'continued':
      return '+++ continued +++';
    case 'superseded':
      return '+++ superseded by execve +++';
    case 'tid_cleared':
      return '--- child_tid cleared, futex woken ---';
    case 'caught': {
      const status = event.siStatus === undefined ? '' : `, si_status=${formatSiStatus(event.siCode, event.siStatus)}`;
      return `--- ${signalName(event.signal)} {si_pid=${event.siPid}, si_code=${event.siCode}${status}} ---`;
    }
  }
}

// ------------------------------------------------------------------- views

/** `mnt:mnt0 uts:uts0 ipc:ipc0 cgroup:cgroup0 net:net0 time:time0 time_for_children:time0`. */
export function namespacesLines(v: NamespacesView): string[] {
  return [`mnt:mnt${v.mnt} uts:uts${v.uts} ipc:ipc${v.ipc} cgroup:cgroup${v.cgroup} net:net${v.net} time:time${v.time} time_for_children:time${v.timeForChildren}`];
}

const byPid = (a: PsRow, b: PsRow): number => a.pid - b.pid;

/** `PID PPID PGID SID STATE NAME`, ascending by pid, no header. */
export function psLines(rows: readonly PsRow[]): string[] {
  return [...rows].sort(byPid).map((r) => `${r.pid} ${r.ppid} ${r.pgid} ${r.sid} ${r.state} ${r.name}`);
}

/** @jobs: PID PPID PGID SID TPGID TTY STATE NAME, by pid. */
export function jobsLines(rows: readonly JobRow[]): string[] {
  return [...rows].sort((a, b) => a.pid - b.pid).map((r) => `${r.pid} ${r.ppid} ${r.pgid} ${r.sid} ${r.tpgid} ${r.tty} ${r.state} ${r.name}`);
}

export function threadsLines(tids: readonly number[]): string[] {
  return [...tids].sort((a, b) => a - b).map(String);
}

export function statusLines(s: StatusView): string[] {
  return [
    `Name: ${s.name}`,
    `State: ${s.state}`,
    `Tgid: ${s.tgid}`,
    `Pid: ${s.pid}`,
    `PPid: ${s.ppid}`,
    `NStgid: ${s.nstgid.join(' ')}`,
    `NSpid: ${s.nspid.join(' ')}`,
    `NSpgid: ${s.nspgid.join(' ')}`,
    `NSsid: ${s.nssid.join(' ')}`,
  ];
}

export function nsLines(v: NsView): string[] {
  return [`pid:ns${v.pid} pid_for_children:${v.pidForChildren === null ? '?' : `ns${v.pidForChildren}`}`];
}

/**
 * The visible process tree from PPid links: roots are the rows whose parent
 * is 0 or not visible, children ascending by pid, each node `NAME(PID)`.
 */
export function treeLines(rows: readonly PsRow[]): string[] {
  const sorted = [...rows].sort(byPid);
  const visible = new Set(sorted.map((r) => r.pid));
  const children = new Map<number, PsRow[]>();
  for (const r of sorted) {
    if (r.ppid === 0 || !visible.has(r.ppid) || r.ppid === r.pid) continue;
    const list = children.get(r.ppid) ?? [];
    list.push(r);
    children.set(r.ppid, list);
  }
  const out: string[] = [];
  const printed = new Set<number>();
  const walk = (row: PsRow, lead: string, childLead: string): void => {
    printed.add(row.pid);
    out.push(`${lead}${row.name}(${row.pid})`);
    const kids = (children.get(row.pid) ?? []).filter((k) => !printed.has(k.pid));
    kids.forEach((kid, i) => {
      const last = i === kids.length - 1;
      walk(kid, childLead + (last ? '└─ ' : '├─ '), childLead + (last ? '   ' : '│  '));
    });
  };
  for (const r of sorted) if (r.ppid === 0 || !visible.has(r.ppid) || r.ppid === r.pid) walk(r, '', '');
  // PPid links from procfs cannot form a cycle; should a backend report one, its rows still print.
  for (const r of sorted) if (!printed.has(r.pid)) walk(r, '', '');
  return out;
}

// ------------------------------------------------------------- comparison

/** Runs of white space folded to one space, ends trimmed: how expectations compare. */
export function foldSpace(text: string): string {
  return text.trim().replace(/\s+/g, ' ');
}

export function sameResult(expected: string, actual: string): boolean {
  // Equal texts fold to equal texts: most results are written as the transcript prints them.
  return expected === actual || foldSpace(expected) === foldSpace(actual);
}

/** View output against its `|` lines; lines empty after folding are ignored, so a lone `|` expects no output. */
export function sameLines(expected: readonly string[], actual: readonly string[]): boolean {
  const e = expected.map(foldSpace).filter((l) => l !== '');
  const a = actual.map(foldSpace).filter((l) => l !== '');
  return e.length === a.length && e.every((l, i) => l === a[i]);
}

// ---------------------------------------------------------------- entries

/** One transcript item, structured (for --json); `depth` is the repeat nesting. */
export type TranscriptEntry =
  | {
      readonly type: 'step';
      readonly pos: Pos;
      readonly depth: number;
      /** The step in canonical form. */
      readonly text: string;
      /** The text after `= `. */
      readonly result: string;
    }
  | { readonly type: 'event'; readonly pos: Pos; readonly depth: number; readonly task: string; readonly text: string }
  | { readonly type: 'view'; readonly pos: Pos; readonly depth: number; readonly text: string; readonly output: readonly string[] }
  | { readonly type: 'repeat'; readonly pos: Pos; readonly depth: number; readonly count: number }
  | { readonly type: 'end'; readonly pos: Pos; readonly depth: number };

/** The transcript lines of an entry, indented by two spaces per repeat level. */
export function entryLines(entry: TranscriptEntry): string[] {
  const indent = '  '.repeat(entry.depth);
  switch (entry.type) {
    case 'step':
      return [`${indent}${entry.text} = ${entry.result}`];
    case 'event':
      return [`${indent}${entry.task}: ${entry.text}`];
    case 'view':
      return [indent + entry.text, ...entry.output.map((l) => indent + formatBarLine(l))];
    case 'repeat':
      return [`${indent}repeat ${entry.count} {`];
    case 'end':
      return [`${indent}}`];
  }
}
