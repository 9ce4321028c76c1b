// The import table: one entry per strace system call name, saying what the
// call is for the scenario language. A call strace prints as the language
// writes it takes its entry from the call table (src/scenario/calls/); the
// others have a special entry (calls.ts). A call that does not concern
// process identity is absent (skipped); an identity call the language cannot
// say yet is `unexpressed` with its reason, listed by trace line at the top.

import { Signal } from '../abi/signal.js';
import { constantIn, type ConstantFamily } from '../abi/constants.js';
import { allCalls, callSpec } from '../scenario/calls/index.js';
import type { ArgKind, CallSpec } from '../scenario/calls/spec.js';
import {
  clone,
  clone3,
  cloneStep,
  close,
  execve,
  flagTerms,
  int,
  pending,
  pidfdSendSignal,
  plainResult,
  prctl,
  setns,
  setresuid,
  signalArg,
  simple,
  unexpressed,
  unshare,
  wait4,
  waitid,
  type CallContext,
  type Mapped,
} from './calls.js';
import { ioctl, openat } from './ttycalls.js';
import { pause, read, rtSigaction, rtSigprocmask, rtSigsuspend, rtSigtimedwait, signalfd } from './sigcalls.js';

type Entry = (c: CallContext) => Mapped;

/**
 * The entry a call of the scenario language gets when strace prints it as
 * the language writes it (numbers, signal names, flag names, in the system
 * call's order): derived from its descriptor (src/scenario/calls/), so such a
 * call needs no entry of its own here.
 */
function fromTable(spec: CallSpec): Entry | null {
  if (spec.keywords === true || spec.creates === 'task') return null;
  type Simple = Extract<ArgKind, { kind: 'int' | 'pid' | 'const' | 'flags' }>;
  const kinds: Simple[] = [];
  for (const p of spec.params) {
    if (typeof p.kind === 'function' || p.optional === true) return null;
    const k = p.kind;
    if (k.kind !== 'int' && k.kind !== 'pid' && k.kind !== 'const' && k.kind !== 'flags') return null;
    kinds.push(k);
  }
  return (c) => {
    const args: string[] = [];
    for (const [i, kind] of kinds.entries()) {
      const text = c.args[i];
      const v = kind.kind === 'int' || kind.kind === 'pid' ? int(text) : kind.family === 'signal' ? signalArg(text) : constantsArg(kind.family, text);
      if (v === null) return unexpressed(`${spec.name}(${c.args.join(', ')})`);
      args.push(String(v));
    }
    const ok = c.result.kind === 'value';
    const call = `${spec.name}(${args.join(', ')})`;
    if (spec.result === 'noreturn') return { kind: 'step', call, expect: '?' };
    if (spec.creates === 'fd') return { kind: 'step', call, expect: ok ? 'fd' : plainResult(c.result), ...(ok ? { creates: 'fd' as const } : {}) };
    return { kind: 'step', call, expect: plainResult(c.result) };
  };
}

/** `A|B|0` of one constant family as the language writes it, or null when a name is not the family's. */
function constantsArg(family: ConstantFamily, text: string | undefined): string | null {
  if (text === undefined) return null;
  const { names, rest } = flagTerms(text);
  if (names.some((n) => constantIn(family, n) === undefined)) return null;
  const terms = [...names, ...(rest !== 0 || names.length === 0 ? [String(rest)] : [])];
  return terms.join('|');
}


/** strace's call name to its mapping, where strace prints it otherwise than the language writes it. */
const SPECIAL: Readonly<Record<string, Entry>> = {
  fork: (c) => cloneStep([], Signal.SIGCHLD, 'clone', c.result),
  vfork: (c) => cloneStep(['CLONE_VM', 'CLONE_VFORK'], Signal.SIGCHLD, 'clone', c.result),
  clone,
  clone3,
  unshare,
  setns,
  execve,
  execveat: execve,
  wait4,
  waitid,
  tkill: pending('tkill: the language has only the form that checks the thread group'),
  pidfd_send_signal: pidfdSendSignal,
  rt_sigaction: rtSigaction,
  // set_tid_address returns the caller's tid (kernel/fork.c); the pointer it sets only serves futex wakeups.
  set_tid_address: simple('gettid()'),
  prctl,
  close,
  setresuid,
  setreuid: pending('setreuid: only setuid is in the language'),
  rt_sigprocmask: rtSigprocmask,
  rt_sigsuspend: rtSigsuspend,
  rt_sigtimedwait: rtSigtimedwait,
  rt_sigqueueinfo: pending('rt_sigqueueinfo: queued signals are issue 12'),
  rt_tgsigqueueinfo: pending('rt_tgsigqueueinfo: queued signals are issue 12'),
  signalfd4: (c) => signalfd(c, c.args[3] ?? '0'),
  signalfd: (c) => signalfd(c, '0'),
  read,
  pause,
  ptrace: pending('ptrace is not modeled'),
  pidfd_getfd: pending('pidfd_getfd is not in the language'),
  ioctl,
  openat: (c) => openat(c, c.args[1], c.args[2]),
  open: (c) => openat(c, c.args[0], c.args[1]),
};

/** strace's call name to its mapping: the special entries, then every call of the language strace prints as written. Absent names are not identity calls: skipped. */
export const CALLS: ReadonlyMap<string, Entry> = new Map([
  ...allCalls().flatMap((spec): [string, Entry][] => {
    const entry = fromTable(spec);
    return entry === null ? [] : [[spec.name, entry]];
  }),
  ...Object.entries(SPECIAL),
]);

/** The calls that send a signal, and which argument is the signal and which the victim (the last id before it). */
export function signalArgs(name: string): { readonly sig: number; readonly victim: number } | null {
  // Asked for every call the importer writes: the answer per name is fixed by the call table.
  let hit = SENDERS.get(name);
  if (hit === undefined) SENDERS.set(name, (hit = senderArgs(name)));
  return hit;
}

const SENDERS = new Map<string, { readonly sig: number; readonly victim: number } | null>();

function senderArgs(name: string): { readonly sig: number; readonly victim: number } | null {
  const spec = callSpec(name);
  if (spec === undefined) return null;
  const sig = spec.params.findIndex((p) => typeof p.kind !== 'function' && p.kind.kind === 'const' && p.kind.family === 'signal');
  if (sig < 0 || spec.name === 'signal' || spec.name === 'rt_sigaction') return null;
  let victim = -1;
  for (let i = 0; i < sig; i++) {
    const k = spec.params[i]!.kind;
    if (typeof k !== 'function' && k.kind === 'pid') victim = i;
  }
  return { sig, victim };
}

