// The import table's entries for the signal calls (issue 12's part of the
// language): masks, actions with their flags and sa_mask, the signal waits
// and signalfd. strace prints a set as `[INT CHLD]` or its complement
// `~[RTMIN RT_1]`; the language writes the members combined with `|`.

import { FULL_SIGSET, SA_SIGINFO, saFlagNames, SiCode, sigmask, sigsetMembers, signalName, Signal, type SigSet } from '../abi/signal.js';
import { constantIn } from '../abi/constants.js';
import { formatOut } from '../scenario/index.js';
import { maskCall } from './frames.js';
import type { Task } from './import_state.js';
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
  const out = set === null ? null : setTerms(set);
  if (setCache.size < 1024) setCache.set(text, out);
  return out;
}

/** A set as the language writes it. */
export function setTerms(set: SigSet): string {
  return set === 0n ? '0' : sigsetMembers(set).map((s) => (s === Signal.SIGKILL || s === Signal.SIGSTOP ? String(1 << (s - 1)) : signalName(s))).join('|');
}

/**
 * The mapping of a mask or action call depends on its text alone: traces
 * repeat the same ones hundreds of times (a program resetting all 64
 * actions), so each text is mapped once.
 */
function memo(f: (c: CallContext) => Mapped): (c: CallContext) => Mapped {
  const cache = new Map<string, Mapped>();
  return (c) => {
    const key = `${c.args.join('\u0000')}\u0001${plainResult(c.result)}`;
    let m = cache.get(key);
    if (m === undefined) {
      if (cache.size >= 4096) cache.clear();
      cache.set(key, (m = f(c)));
    }
    return m;
  };
}

export const rtSigprocmask = memo(mapSigprocmask);

function mapSigprocmask(c: CallContext): Mapped {
  const [how, setText, oldText] = c.args;
  const query = (setText ?? 'NULL') === 'NULL';
  const wantsOld = (oldText ?? 'NULL') !== 'NULL';
  if (query && !wantsOld) return SKIP; // no set, no old set: nothing happens
  const set = query ? 'NULL' : sigsetArg(setText);
  if (set === null || how === undefined || constantIn('sighow', how) === undefined) return unexpressed(`rt_sigprocmask(${c.args.join(', ')})`);
  const r = c.result;
  if (!wantsOld || r.kind !== 'value') return { kind: 'step', call: `rt_sigprocmask(${how}, ${set}${wantsOld ? ', oldset' : ''})`, expect: plainResult(r) };
  // The old mask the kernel wrote back, as the transcript prints a set.
  const old = straceSigset(oldText);
  if (old === null) return unexpressed(`rt_sigprocmask's old set ${oldText ?? ''}`);
  return { kind: 'step', call: `rt_sigprocmask(${how}, ${set}, oldset)`, expect: `${r.value} ${formatOut({ kind: 'sigset', set: old })}` };
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

/** An action strace printed (the new one, or the old one the kernel wrote back): its parts as the language has them. */
function action(text: string): { handler: 'SIG_DFL' | 'SIG_IGN' | 'catch'; flags: string; bits: number; mask: SigSet } | null {
  const f = structFields(text);
  const h = f.get('sa_handler') ?? '';
  const handler = h === 'SIG_DFL' || h === 'SIG_IGN' ? h : 'catch';
  const flags = saFlags(f.get('sa_flags') ?? '0');
  const mask = straceSigset(f.get('sa_mask') ?? '[]');
  if (flags === null || mask === null) return null;
  let bits = 0;
  for (const t of flags.split('|')) bits |= saFlagNames[t] ?? Number(t);
  return { handler, flags, bits: bits >>> 0, mask };
}

export const rtSigaction = memo(mapSigaction);

function mapSigaction(c: CallContext): Mapped {
  const [sigText, act, oact] = c.args;
  const query = act === undefined || act === 'NULL';
  const wantsOld = oact !== undefined && oact !== 'NULL';
  if (query && !wantsOld) return SKIP; // no action, no old action: nothing happens
  const sig = signalArg(sigText);
  const a = query ? null : action(act);
  if (sig === null || (!query && a === null)) return unexpressed(`rt_sigaction(${c.args.join(', ')})`);
  const call = `rt_sigaction(${sig}, ${a === null ? 'NULL' : `${a.handler}, ${a.flags}, ${setTerms(a.mask)}`}${wantsOld ? ', oldact' : ''})`;
  const r = c.result;
  if (!wantsOld || r.kind !== 'value') return { kind: 'step', call, expect: plainResult(r) };
  const old = action(oact);
  if (old === null) return unexpressed(`rt_sigaction's old action ${oact}`);
  // A catch handler always has SA_SIGINFO in the language (the recording handler needs it).
  const flags = old.handler === 'catch' ? (old.bits | SA_SIGINFO) >>> 0 : old.bits;
  return { kind: 'step', call, expect: `${r.value} ${formatOut({ kind: 'sigaction', handler: old.handler, flags, mask: old.mask })}` };
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

/** A siginfo strace printed, as the transcript prints one (signo, code, pid, then status or value), or null. */
function siginfo(text: string): string | null {
  const f = structFields(text);
  const signo = straceSignal(f.get('si_signo') ?? '');
  const codeText = f.get('si_code') ?? '';
  const code = /^-?\d+$/.test(codeText) ? Number(codeText) : (SiCode as unknown as Record<string, number | undefined>)[codeText];
  const pid = int(f.get('si_pid') ?? '0');
  if (signo === null || code === undefined || pid === null) return null;
  const st = f.get('si_status') ?? '0';
  const status = codeText === 'CLD_EXITED' ? int(st) : straceSignal(st);
  const value = int(f.get('si_int') ?? /int=(-?\d+)/.exec(f.get('si_value') ?? '')?.[1] ?? '0');
  if (status === null || value === null) return null;
  return formatOut({ kind: 'siginfo', info: { signo, code, pid, status, value } });
}

export function rtSigtimedwait(c: CallContext): Mapped {
  const [setText, infoText, timeout] = c.args;
  const set = sigsetArg(setText);
  if (set === null) return unexpressed(`rt_sigtimedwait(${c.args.join(', ')})`);
  const poll = timeout !== undefined && /^\{tv_sec=0, tv_nsec=0\}$/.test(timeout.trim());
  const r = c.result;
  if (r.kind === 'unknown' || (r.kind === 'errno' && r.errno === 'EAGAIN' && !poll)) {
    return unexpressed(`rt_sigtimedwait with timeout ${timeout ?? '?'} that ${r.kind === 'unknown' ? 'never returned' : 'expired'}: the model has no clock`);
  }
  // The siginfo the kernel wrote back, where the program passed a buffer (strace prints it as a struct).
  const info = r.kind === 'value' && infoText !== undefined && infoText.trim().startsWith('{') ? siginfo(infoText) : null;
  if (info === null && r.kind === 'value' && infoText !== undefined && infoText.trim().startsWith('{')) return unexpressed(`rt_sigtimedwait's siginfo ${infoText}`);
  const call = `rt_sigtimedwait(${set}${info !== null ? ', info' : ''}${poll ? (info !== null ? ', 0' : ', 0') : ''})`;
  const step = { kind: 'step', call, expect: info === null ? plainResult(r) : `${plainResult(r)} ${info}`, blocks: !poll && slept(c) } as const;
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

/**
 * The leading fields of a struct signalfd_siginfo strace printed as bytes
 * (`"\\21\\0\\0\\0..."`, its first 32 by default): ssi_signo, ssi_errno,
 * ssi_code, ssi_pid. ssi_status and ssi_int lie beyond what strace shows.
 */
function signalfdInfo(text: string | undefined): string | null {
  const m = /^"((?:[^"\\]|\\.)*)"/.exec((text ?? '').trim());
  if (m === null) return null;
  const bytes: number[] = [];
  const body = m[1]!;
  for (let i = 0; i < body.length && bytes.length < 16; i++) {
    const ch = body[i]!;
    if (ch !== '\\') {
      bytes.push(ch.charCodeAt(0));
      continue;
    }
    const oct = /^[0-7]{1,3}/.exec(body.slice(i + 1));
    if (oct !== null) {
      bytes.push(parseInt(oct[0], 8));
      i += oct[0].length;
      continue;
    }
    const esc = body[++i];
    const named: Record<string, number> = { n: 10, t: 9, r: 13, v: 11, f: 12, '"': 34, '\\': 92 };
    if (esc === 'x') {
      bytes.push(parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (esc !== undefined && named[esc] !== undefined) bytes.push(named[esc]);
    else return null;
  }
  if (bytes.length < 16) return null;
  const word = (o: number): number => (bytes[o]! | (bytes[o + 1]! << 8) | (bytes[o + 2]! << 16) | (bytes[o + 3]! << 24)) >>> 0;
  const signo = word(0);
  const code = word(8) | 0;
  const full = formatOut({ kind: 'siginfo', info: { signo, code, pid: word(12), status: 0, value: 0 } });
  // Only si_signo, si_code and si_pid are known: the rest of the transcript's form is not compared.
  return `${full.slice(0, full.indexOf(', si_pid=') + `, si_pid=${word(12)}`.length)}, ...}`;
}

/** read(FD, BUF, 128) of a signalfd: one struct signalfd_siginfo; other reads are not identity. */
export function read(c: CallContext): Mapped {
  const fd = int(c.args[0]);
  const name = fd === null ? null : c.fdName(fd);
  if (!isSignalfd(name)) return SKIP;
  const r = c.result;
  if (r.kind === 'value' && r.value !== 128) return unexpressed(`read of ${r.value} bytes from a signalfd (one signalfd_siginfo is 128)`);
  if (r.kind === 'unknown') return unexpressed('read of a signalfd interrupted (restarted by the kernel)');
  if (r.kind !== 'value') return { kind: 'step', call: `read(${name!})`, expect: plainResult(r) };
  const info = signalfdInfo(c.args[1]);
  if (info === null) return unexpressed(`read of a signalfd whose bytes strace did not show (${c.args[1] ?? ''})`);
  return { kind: 'step', call: `read(${name!}, info)`, expect: `128 ${info}`, partial: true, blocks: slept(c) };
}

const frameCache = new Map<string, { readonly mask: bigint; readonly nodefer: boolean }>();

/** An action's sa_mask and SA_NODEFER, for its handler frames (frames.ts); memoized by its text. */
export function frameAction(act: string): { readonly mask: bigint; readonly nodefer: boolean } {
  let a = frameCache.get(act);
  if (a === undefined) {
    const f = structFields(act);
    a = { mask: straceSigset(f.get('sa_mask')) ?? 0n, nodefer: (f.get('sa_flags') ?? '').includes('SA_NODEFER') };
    if (frameCache.size >= 1024) frameCache.clear();
    frameCache.set(act, a);
  }
  return a;
}

/** What a written action or mask step that succeeded, or an rt_sigsuspend step, changes in the importer's picture of its task. */
export function signalEffects(t: Task, name: string, args: readonly string[], call: string): void {
  if (name === 'rt_sigaction') {
    const sig = straceSignal(args[0] ?? '');
    const d = /^(?:signal|rt_sigaction)\([^,]+, (\w+)/.exec(call)?.[1];
    if (sig === null || (d !== 'SIG_DFL' && d !== 'SIG_IGN' && d !== 'catch')) return;
    t.proc.handlers.set(sig, d);
    t.proc.actions.set(sig, frameAction(args[1] ?? ''));
  } else if (name === 'rt_sigprocmask') {
    const how = constantIn('sighow', args[0] ?? '');
    if (how !== undefined) maskCall(t.mask, how, straceSigset(args[1]), straceSigset(args[2]));
  } else {
    // rt_sigsuspend: the mask at the delivery that ends it (the kernel restores the old one after the frame is set up).
    t.mask.suspended = straceSigset(args[0]);
  }
}
