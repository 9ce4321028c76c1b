// The special entries of the import table (table.ts): strace's calls that it
// prints otherwise than the scenario language writes them. A call that does not concern process
// identity is absent (skipped); an identity call the language cannot say yet
// is `unexpressed` with its reason, and the importer lists it by trace line
// at the top of the scenario. A new call (signal masks, issue 12; terminals,
// issue 13) becomes expressible by changing its entry here.

import { cloneFlagNames, CSIGNAL } from '../abi/clone.js';
import { waitOptionNames } from '../abi/wait.js';
import { Signal } from '../abi/signal.js';
import { splitArgs, stringArg, structFields, type TraceResult } from './lexer.js';
import { scenarioSignal, straceSignal } from './signals.js';

/** What the importer knows of the calling task, for entries that need more than the call. */
export interface CallContext {
  readonly args: readonly string[];
  readonly result: TraceResult;
  /** The actor name of the task whose number (in the trace's numbering) is `pid`, if it is one. */
  actorOf(pid: number): string | null;
  /** The fd name the caller's process holds for fd number `fd`, if a pidfd. */
  fdName(fd: number): string | null;
  /** The namespace file an fd of the caller's process refers to, if it opened one. */
  nsFile(fd: number): { readonly kind: 'ns' | 'ns_for_children'; readonly actor: string } | null;
  /** Whether the task whose death a wait reports has already ended in the scenario (so the wait does not block). */
  ended(pid: number): boolean;
  /** The pty end an fd of the caller's process refers to, if it is one the scenario names. */
  tty(fd: number): { readonly name: string; readonly master: boolean; readonly ptn?: number } | null;
  /** The trace lines the call began and ended on (the same for a whole line). */
  readonly line: number;
  readonly endLine: number;
}

/** What a trace call becomes. */
export type Mapped =
  | { readonly kind: 'skip' }
  /** Listed at the top of the scenario by trace line: the language cannot say it (yet). */
  | { readonly kind: 'unexpressed'; readonly why: string }
  | {
      readonly kind: 'step';
      /** The call in the scenario language, without actor or result. */
      readonly call: string;
      /** The trace's result in the language's syntax: the expectation. */
      readonly expect: string;
      /** Whether the model prints `<unfinished ...>` and ends it later with `expect`. */
      readonly blocks?: boolean;
      /** fork/clone: the child is created; pidfd_open: an fd is named. */
      readonly creates?: 'task' | 'fd';
      /** The name the created fd gets (default fdN). */
      readonly fdName?: string;
      /** The created fd is a pty end (followed through dups in Proc.ttys, not in fds). */
      readonly tty?: { readonly master: boolean; readonly cloexec: boolean; readonly ptn?: number };
      /** `expect` holds only the leading fields of the value written back, ending `, ...}`: the step is written without it. */
      readonly partial?: boolean;
      /** Set when the step says less than the trace (listed at the top as approximated). */
      readonly approx?: string;
      /** Set when part of the call is not expressible yet: the step is written, the part is listed as unexpressed. */
      readonly missing?: string;
      /** Flags the trace's call had that the step drops, identity-neutral (said in a header note). */
      readonly dropped?: string;
    };

const SKIP: Mapped = { kind: 'skip' };
export const unexpressed = (why: string): Mapped => ({ kind: 'unexpressed', why });

/** `= N`, `= -1 EINTR`, `= ?` in the language's syntax. */
export function plainResult(r: TraceResult): string {
  switch (r.kind) {
    case 'value':
      return String(r.value);
    case 'errno':
      return `-1 ${r.errno}`;
    case 'unknown':
      return '?';
  }
}

export function int(text: string | undefined): number | null {
  if (text === undefined) return null;
  const t = text.trim();
  if (/^-?\d+$/.test(t)) return Number(t);
  if (/^0x[0-9a-f]+$/.test(t)) return Number(t);
  return null;
}

/** Splits `A|B|0x10` into names and a numeric rest. */
export function flagTerms(text: string): { names: string[]; rest: number } {
  const names: string[] = [];
  let rest = 0;
  for (const t of text.split('|')) {
    const s = t.trim();
    const n = int(s);
    if (n !== null) rest |= n;
    else if (s !== '' && s !== '0') names.push(s);
  }
  return { names, rest };
}

// -------------------------------------------------------------- clone flags

/** Pointer flags glibc passes that change nothing identity shows (set_child_tid, clear_child_tid, TLS). */
const POINTER_FLAGS = new Set(['CLONE_CHILD_SETTID', 'CLONE_CHILD_CLEARTID', 'CLONE_PARENT_SETTID', 'CLONE_SETTLS']);
/** Namespace types the model does not have: only PID and user namespaces are modeled. */
const OTHER_NS = new Set(['CLONE_NEWNS', 'CLONE_NEWUTS', 'CLONE_NEWIPC', 'CLONE_NEWNET', 'CLONE_NEWCGROUP', 'CLONE_NEWTIME']);

/** The names of the flag bits of a number (bits above 2^31 too). */
function namesOf(bits: number): string[] {
  const out: string[] = [];
  const b = BigInt(bits);
  for (const [name, v] of Object.entries(cloneFlagNames)) {
    if (name === 'CLONE_NEWTIME') continue; // shares its bit with CSIGNAL
    if ((b & BigInt(v)) !== 0n) out.push(name);
  }
  return out;
}

/**
 * A clone's flags (names and an exit signal) to a scenario call: fork() when
 * only the exit signal SIGCHLD is left, clone(FLAGS) when SIGCHLD is the exit
 * signal or a thread has none, clone3 with exit_signal otherwise.
 */
export function cloneStep(flagNames: readonly string[], exitSignal: number, how: 'clone' | 'clone3', r: TraceResult): Mapped {
  for (const n of flagNames) if (cloneFlagNames[n] === undefined) return unexpressed(`${how} flag ${n} is not one pidns knows`);
  if (flagNames.includes('CLONE_PIDFD')) return unexpressed(`${how} with CLONE_PIDFD (the pidfd is returned through a pointer)`);
  const dropped = flagNames.filter((n) => POINTER_FLAGS.has(n));
  const approxes: string[] = [];
  if (flagNames.includes('CLONE_VFORK')) approxes.push(`${how} with CLONE_VFORK as fork: the parent does not wait for the child's execve or exit`);
  const otherNs = flagNames.filter((n) => OTHER_NS.has(n));
  if (otherNs.length > 0) approxes.push(`${how} with ${otherNs.join('|')}: only PID and user namespaces are modeled`);
  const names = flagNames.filter((n) => !POINTER_FLAGS.has(n) && !OTHER_NS.has(n) && n !== 'CLONE_VFORK');
  const thread = names.includes('CLONE_THREAD');
  const sigchld = exitSignal === (Signal.SIGCHLD as number);
  let call: string;
  if (names.length === 0 && sigchld) call = 'fork()';
  else if ((sigchld && !thread) || (thread && exitSignal === 0)) call = `clone(${names.length === 0 ? '0' : names.join('|')})`;
  else {
    const parts = names.length > 0 ? [`flags=${names.join('|')}`] : [];
    if (exitSignal !== 0) parts.push(`exit_signal=${scenarioSignal(exitSignal)}`);
    call = `clone3(${parts.join(', ')})`;
  }
  const base = { kind: 'step', call, expect: plainResult(r), creates: 'task' } as const;
  return {
    ...base,
    ...(approxes.length > 0 ? { approx: approxes.join('; ') } : {}),
    ...(dropped.length > 0 ? { dropped: dropped.join('|') } : {}),
  };
}

/** `flags=CLONE_VM|CLONE_VFORK|SIGCHLD`: clone's flags word holds the exit signal in its low byte. */
function cloneFlags(text: string): { names: string[]; exitSignal: number } | null {
  const { names, rest } = flagTerms(text);
  const flags: string[] = [];
  let exitSignal = rest & CSIGNAL;
  for (const n of names) {
    const sig = straceSignal(n);
    if (sig !== null && n.startsWith('SIG')) exitSignal = sig;
    else flags.push(n);
  }
  const high = rest - (rest & CSIGNAL);
  if (high !== 0) flags.push(...namesOf(high));
  return { names: flags, exitSignal };
}

// ------------------------------------------------------------------- waits

/** `[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]` to `{exited 0}`. */
function waitStatus(text: string): string | null {
  let m = /WIFEXITED\(s\) && WEXITSTATUS\(s\) == (\d+)/.exec(text);
  if (m !== null) return `{exited ${m[1]}}`;
  m = /WIFSIGNALED\(s\) && WTERMSIG\(s\) == (\w+)/.exec(text);
  if (m !== null) return `{killed ${scenarioSignal(straceSignal(m[1]!) ?? 0)}}`;
  m = /WIFSTOPPED\(s\) && WSTOPSIG\(s\) == (\w+)/.exec(text);
  if (m !== null) return `{stopped ${scenarioSignal(straceSignal(m[1]!) ?? 0)}}`;
  if (text.includes('WIFCONTINUED(s)')) return '{continued}';
  return null;
}

function waitOptions(text: string, family: 'wait4' | 'waitid'): string | null {
  const { names, rest } = flagTerms(text);
  if (rest !== 0) return null;
  const out: string[] = [];
  for (const n of names) {
    if (waitOptionNames[n] === undefined) return null;
    // wait4's WSTOPPED is WUNTRACED (the same bit); the language spells it as wait4's man page does.
    out.push(family === 'wait4' && n === 'WSTOPPED' ? 'WUNTRACED' : n);
  }
  return out.length === 0 ? '0' : out.join('|');
}

function nohang(options: string): boolean {
  return options.split('|').includes('WNOHANG');
}

export function wait4(c: CallContext): Mapped {
  const [pidText, statusText, optText] = c.args;
  const pid = int(pidText);
  const options = waitOptions(optText ?? '', 'wait4');
  if (pid === null || options === null) return unexpressed(`wait4 arguments pidns cannot read: ${c.args.join(', ')}`);
  const r = c.result;
  let expect = plainResult(r);
  if (r.kind === 'value' && r.value > 0) {
    const status = waitStatus(statusText ?? '');
    if (status === null) return unexpressed(`wait4 status ${statusText ?? ''}`);
    expect = `${r.value} ${status}`;
  }
  if (r.kind === 'unknown') return unexpressed('wait4 interrupted (restarted by the kernel; the restarted call follows)');
  const blocks = !nohang(options) && r.kind === 'value' && r.value > 0 && !c.ended(r.value);
  return { kind: 'step', call: `wait4(${pid}, ${options})`, expect, blocks };
}

export function waitid(c: CallContext): Mapped {
  const [idtype, idText, infoText, optText] = c.args;
  const options = waitOptions(optText ?? '', 'waitid');
  if (idtype === undefined || !/^P_(ALL|PID|PGID|PIDFD)$/.test(idtype) || options === null) return unexpressed(`waitid arguments pidns cannot read: ${c.args.join(', ')}`);
  let id = idText ?? '0';
  if (idtype === 'P_PIDFD') {
    const fd = int(idText);
    const name = fd === null ? null : c.fdName(fd);
    if (name === null) return unexpressed(`waitid(P_PIDFD, ${idText ?? ''}): an fd the trace did not open with pidfd_open`);
    id = name;
  }
  const r = c.result;
  if (r.kind === 'unknown') return unexpressed('waitid interrupted (restarted by the kernel; the restarted call follows)');
  let expect = plainResult(r);
  let found = 0;
  if (r.kind === 'value') {
    const f = structFields(infoText ?? '{}');
    const siPid = f.get('si_pid');
    if (siPid === undefined || siPid === '0') expect = '0 {si_pid=0}';
    else {
      const code = f.get('si_code') ?? '';
      const status = f.get('si_status') ?? '0';
      const st = code === 'CLD_EXITED' ? status : scenarioSignal(straceSignal(status) ?? Number(status));
      expect = `0 {si_pid=${siPid}, si_code=${code}, si_status=${st}}`;
      found = Number(siPid);
    }
  }
  const blocks = !nohang(options) && found > 0 && !c.ended(found);
  return { kind: 'step', call: `waitid(${idtype}, ${id}, ${options})`, expect, blocks };
}

// ------------------------------------------------------------------ signals

export function signalArg(text: string | undefined): string | null {
  if (text === undefined) return null;
  const t = text.trim();
  if (t === '0') return '0';
  const n = straceSignal(t);
  return n === null ? null : scenarioSignal(n);
}

export function pidfdSendSignal(c: CallContext): Mapped {
  const fd = int(c.args[0]);
  const sig = signalArg(c.args[1]);
  const name = fd === null ? null : c.fdName(fd);
  if (name === null || sig === null) return unexpressed(`pidfd_send_signal(${c.args.join(', ')}): an fd the trace did not open with pidfd_open`);
  if (c.args[2] !== 'NULL' || (c.args[3] ?? '0') !== '0') return unexpressed('pidfd_send_signal with a siginfo or flags');
  return { kind: 'step', call: `pidfd_send_signal(${name}, ${sig})`, expect: plainResult(c.result) };
}

// ------------------------------------------------------------------- others

export const simple =
  (call: string): ((c: CallContext) => Mapped) =>
  (c) => ({ kind: 'step', call, expect: plainResult(c.result) });



export function execve(c: CallContext): Mapped {
  // A failed execve (a PATH search's misses) changes nothing: no step.
  if (c.result.kind !== 'value') return SKIP;
  return { kind: 'step', call: 'execve()', expect: '0' };
}

export function unshare(c: CallContext): Mapped {
  const { names, rest } = flagTerms(c.args[0] ?? '0');
  names.push(...namesOf(rest));
  for (const n of names) if (cloneFlagNames[n] === undefined) return unexpressed(`unshare flag ${n}`);
  const kept: string[] = names.filter((n) => n === 'CLONE_NEWPID' || n === 'CLONE_NEWUSER');
  const lost = names.filter((n) => !kept.includes(n));
  if (kept.length === 0) return unexpressed(`unshare(${c.args[0] ?? ''}): only PID and user namespaces are modeled`);
  const step = { kind: 'step', call: `unshare(${kept.join('|')})`, expect: plainResult(c.result) } as const;
  return lost.length > 0 ? { ...step, approx: `unshare's ${lost.join('|')}: only PID and user namespaces are modeled` } : step;
}

export function setns(c: CallContext): Mapped {
  const fd = int(c.args[0]);
  const type = (c.args[1] ?? '0').trim();
  if (fd === null) return unexpressed(`setns(${c.args.join(', ')})`);
  const pidfd = c.fdName(fd);
  const file = c.nsFile(fd);
  if (type !== 'CLONE_NEWPID' && !(type === '0' && file !== null)) return unexpressed(`setns(${c.args.join(', ')}): only PID namespaces are modeled`);
  const target = pidfd ?? (file === null ? null : `${file.kind}(${file.actor})`);
  if (target === null) return unexpressed(`setns(${c.args.join(', ')}): an fd the trace did not open from /proc/PID/ns/pid`);
  return { kind: 'step', call: `setns(${target}, CLONE_NEWPID)`, expect: plainResult(c.result) };
}

export function prctl(c: CallContext): Mapped {
  const option = (c.args[0] ?? '').trim();
  switch (option) {
    case 'PR_SET_CHILD_SUBREAPER': {
      const v = int(c.args[1]);
      return v === null ? unexpressed(`prctl(${c.args.join(', ')})`) : { kind: 'step', call: `prctl(PR_SET_CHILD_SUBREAPER, ${v})`, expect: plainResult(c.result) };
    }
    case 'PR_GET_CHILD_SUBREAPER': {
      // The kernel returns 0 and writes the flag through the pointer, [1]; the language prints the flag as the result.
      const m = /^\[(\d+)\]$/.exec((c.args[1] ?? '').trim());
      const expect = c.result.kind === 'value' && m !== null ? m[1]! : plainResult(c.result);
      return { kind: 'step', call: 'prctl(PR_GET_CHILD_SUBREAPER)', expect };
    }
    case 'PR_SET_PDEATHSIG':
    case 'PR_GET_PDEATHSIG':
      return unexpressed(`prctl(${option}): the parent-death signal is not in the language`);
    case 'PR_SET_NAME':
    case 'PR_GET_NAME':
      return unexpressed(`prctl(${option}): an actor's comm is its name in the language`);
    default:
      return SKIP;
  }
}


export function close(c: CallContext): Mapped {
  const fd = int(c.args[0]);
  const name = fd === null ? null : c.fdName(fd);
  if (name === null) return SKIP; // not a pidfd: files are not identity
  return { kind: 'step', call: `close(${name})`, expect: plainResult(c.result) };
}

export function setresuid(c: CallContext): Mapped {
  const ids = c.args.slice(0, 3).map(int);
  if (ids.length !== 3 || ids.some((id) => id === null)) return unexpressed(`setresuid(${c.args.join(', ')})`);
  return { kind: 'step', call: `setresuid(${ids.join(', ')})`, expect: plainResult(c.result) };
}

export function pending(issue: string): (c: CallContext) => Mapped {
  return () => unexpressed(issue);
}

export function clone(c: CallContext): Mapped {
  const f = new Map<string, string>();
  for (const a of c.args) {
    const eq = a.indexOf('=');
    if (eq > 0) f.set(a.slice(0, eq), a.slice(eq + 1));
  }
  const flags = cloneFlags(f.get('flags') ?? '0');
  if (flags === null) return unexpressed(`clone(${c.args.join(', ')})`);
  return cloneStep(flags.names, flags.exitSignal, 'clone', c.result);
}

export function clone3(c: CallContext): Mapped {
  const f = structFields(c.args[0] ?? '{}');
  const { names, rest } = flagTerms(f.get('flags') ?? '0');
  if (rest !== 0) names.push(...namesOf(rest));
  const sigText = f.get('exit_signal') ?? '0';
  const exitSignal = sigText === '0' ? 0 : straceSignal(sigText);
  if (exitSignal === null) return unexpressed(`clone3 exit_signal ${sigText}`);
  if (f.has('set_tid')) return unexpressed('clone3 with set_tid (strace prints it as a pointer)');
  return cloneStep(names, exitSignal, 'clone3', c.result);
}

export { stringArg, splitArgs };
