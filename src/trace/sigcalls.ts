// The import table's entries for the signal calls (issue 12's part of the
// language): masks, actions with their flags and sa_mask, the signal waits
// and signalfd. strace prints a set as `[INT CHLD]` or its complement
// `~[RTMIN RT_1]`; the language writes the members combined with `|`.

import { FULL_SIGSET, sigmask, sigsetMembers, signalName, Signal, type SigSet } from '../abi/signal.js';
import { constantIn } from '../abi/constants.js';
import { structFields } from './lexer.js';
import { straceSignal } from './signals.js';
import { flagTerms, int, plainResult, signalArg, unexpressed, type CallContext, type Mapped } from './calls.js';

const SKIP: Mapped = { kind: 'skip' };

/** strace's set text to its members' bits, or null when a member names no signal. */
export function straceSigset(text: string | undefined): SigSet | null {
  if (text === undefined) return null;
  let t = text.trim();
  const complement = t.startsWith('~');
  if (complement) t = t.slice(1);
  if (!t.startsWith('[') || !t.endsWith(']')) return null;
  let set = 0n;
  for (const name of t.slice(1, -1).split(' ')) {
    if (name === '') continue;
    const sig = /^\d+$/.test(name) ? Number(name) : straceSignal(`SIG${name}`);
    if (sig === null || sig < 1 || sig > 64) return null;
    set |= sigmask(sig);
  }
  // strace prints a set with more members than not as the complement within the kernel's 64 signals.
  return complement ? FULL_SIGSET ^ set : set;
}

const setCache = new Map<string, string | null>();

/**
 * A set in the language: its members by their canonical names, SIGKILL and
 * SIGSTOP as their bits (the language refuses the names, as no mask can hold
 * them: a complement `~[...]` holds them), 0 for the empty set.
 */
export function sigsetArg(text: string | undefined): string | null {
  if (text === undefined) return null;
  const hit = setCache.get(text);
  if (hit !== undefined) return hit;
  const set = straceSigset(text);
  const out = set === null ? null : set === 0n ? '0' : sigsetMembers(set).map((s) => (s === Signal.SIGKILL || s === Signal.SIGSTOP ? String(1 << (s - 1)) : signalName(s))).join('|');
  if (setCache.size < 1024) setCache.set(text, out);
  return out;
}

export function rtSigprocmask(c: CallContext): Mapped {
  const [how, setText] = c.args;
  if ((setText ?? 'NULL') === 'NULL') return SKIP; // reads the mask, changes nothing
  const set = sigsetArg(setText);
  if (set === null || how === undefined || constantIn('sighow', how) === undefined) return unexpressed(`rt_sigprocmask(${c.args.join(', ')})`);
  return { kind: 'step', call: `rt_sigprocmask(${how}, ${set})`, expect: plainResult(c.result) };
}

/**
 * SA_INTERRUPT is the historical opposite of SA_RESTART: Linux defines it but
 * keeps no such bit (do_sigaction clears what UAPI_SA_FLAGS lacks), so it is
 * written as its number and both backends drop it as the kernel does.
 */
const SA_INTERRUPT = 0x20000000;

/** sa_flags as the language writes them. */
function saFlags(text: string): string | null {
  const { names, rest } = flagTerms(text);
  const terms: string[] = [];
  let bits = rest;
  for (const n of names) {
    if (n === 'SA_INTERRUPT') bits |= SA_INTERRUPT;
    else if (constantIn('sa', n) !== undefined) terms.push(n);
    else return null;
  }
  if (bits !== 0) terms.push(String(bits >>> 0));
  return terms.length === 0 ? '0' : terms.join('|');
}

export function rtSigaction(c: CallContext): Mapped {
  const [sigText, act] = c.args;
  if (act === undefined || act === 'NULL') return SKIP; // a query changes nothing
  const sig = signalArg(sigText);
  const f = structFields(act);
  const handler = f.get('sa_handler') ?? '';
  const disposition = handler === 'SIG_DFL' || handler === 'SIG_IGN' ? handler : 'catch';
  const flags = saFlags(f.get('sa_flags') ?? '0');
  const mask = sigsetArg(f.get('sa_mask') ?? '[]');
  if (sig === null || flags === null || mask === null) return unexpressed(`rt_sigaction(${c.args.join(', ')})`);
  return { kind: 'step', call: `rt_sigaction(${sig}, ${disposition}, ${flags}, ${mask})`, expect: plainResult(c.result) };
}

/** A signal wait the kernel restarts unless a handler ran: strace shows `? ERESTARTNOHAND`, the caller gets EINTR. */
function interrupted(c: CallContext): string | null {
  const r = c.result;
  if (r.kind === 'errno' && r.errno === 'EINTR') return '-1 EINTR';
  if (r.kind === 'unknown' && r.errno === 'ERESTARTNOHAND') return '-1 EINTR';
  return null;
}

/** Whether the call slept in the trace: other lines came between its beginning and its end. */
const slept = (c: CallContext): boolean => c.endLine > c.line;

export function rtSigsuspend(c: CallContext): Mapped {
  const mask = sigsetArg(c.args[0]);
  const expect = interrupted(c);
  if (mask === null || expect === null) return unexpressed(`rt_sigsuspend(${c.args.join(', ')}) = ${plainResult(c.result)}`);
  return { kind: 'step', call: `rt_sigsuspend(${mask})`, expect, blocks: slept(c) };
}

export function pause(c: CallContext): Mapped {
  const expect = interrupted(c);
  if (expect === null) return unexpressed(`pause() = ${plainResult(c.result)}`);
  return { kind: 'step', call: 'pause()', expect, blocks: slept(c) };
}

export function rtSigtimedwait(c: CallContext): Mapped {
  const [setText, , timeout] = c.args;
  const set = sigsetArg(setText);
  if (set === null) return unexpressed(`rt_sigtimedwait(${c.args.join(', ')})`);
  const poll = timeout !== undefined && /^\{tv_sec=0, tv_nsec=0\}$/.test(timeout.trim());
  const r = c.result;
  if (r.kind === 'unknown' || (r.kind === 'errno' && r.errno === 'EAGAIN' && !poll)) {
    return unexpressed(`rt_sigtimedwait with timeout ${timeout ?? '?'} that ${r.kind === 'unknown' ? 'never returned' : 'expired'}: the model has no clock`);
  }
  const call = `rt_sigtimedwait(${set}${poll ? ', 0' : ''})`;
  const step = { kind: 'step', call, expect: plainResult(r), blocks: !poll && slept(c) } as const;
  // A timeout that did not expire changes nothing: a signal came first, as it does without one.
  if (!poll && timeout !== undefined && timeout.trim() !== 'NULL') return { ...step, approx: `rt_sigtimedwait's timeout ${timeout.trim()} (a signal came first; the model has no clock and waits without one)` };
  return step;
}

/** signalfd4(FD, MASK, SIZE, FLAGS) and signalfd(FD, MASK, SIZE): the new fd is named sfdN, or sigfdN when exec keeps it (no SFD_CLOEXEC). */
export function signalfd(c: CallContext, flagsText: string): Mapped {
  const fd = int(c.args[0]);
  const mask = sigsetArg(c.args[1]);
  const { names, rest } = flagTerms(flagsText);
  if (fd === null || mask === null || rest !== 0 || names.some((n) => constantIn('sfd', n) === undefined)) return unexpressed(`signalfd(${c.args.join(', ')})`);
  const target = fd === -1 ? '-1' : c.fdName(fd);
  if (target === null) return unexpressed(`signalfd(${c.args.join(', ')}): an fd the trace did not open with signalfd`);
  const flags = names.length === 0 ? '0' : names.join('|');
  const r = c.result;
  if (fd !== -1 || r.kind !== 'value') return { kind: 'step', call: `signalfd(${target}, ${mask}, ${flags})`, expect: plainResult(r) };
  return { kind: 'step', call: `signalfd(-1, ${mask}, ${flags})`, expect: 'fd', creates: 'fd', fdName: `${names.includes('SFD_CLOEXEC') ? 'sfd' : 'sigfd'}${r.value}` };
}

/** Whether an fd name is a signalfd's (signalfd names its fds sfdN and sigfdN). */
export const isSignalfd = (name: string | null): boolean => name !== null && /^s(ig)?fd\d/.test(name);

/** read(FD, BUF, 128) of a signalfd: one struct signalfd_siginfo; other reads are not identity. */
export function read(c: CallContext): Mapped {
  const fd = int(c.args[0]);
  const name = fd === null ? null : c.fdName(fd);
  if (!isSignalfd(name)) return SKIP;
  const r = c.result;
  if (r.kind === 'value' && r.value !== 128) return unexpressed(`read of ${r.value} bytes from a signalfd (one signalfd_siginfo is 128)`);
  if (r.kind === 'unknown') return unexpressed('read of a signalfd interrupted (restarted by the kernel)');
  return { kind: 'step', call: `read(${name!})`, expect: plainResult(r), blocks: r.kind === 'value' && slept(c) };
}
