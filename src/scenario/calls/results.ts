// From the syscalls layer's results to the transcript's (backend.ts
// CallResult): shared by every descriptor's model function.

import { errnoName } from '../../abi/errno.js';
import { Signal } from '../../abi/signal.js';
import type { WaitOutcome } from '../../kernel/wait_types.js';
import type { Forked } from '../../syscalls/process.js';
import type { SysResult } from '../../syscalls/result.js';
import type { WaitCall } from '../../syscalls/wait.js';
import type { SigWaitOutcome } from '../../kernel/events.js';
import type { SigWaitCall } from '../../syscalls/signal.js';
import type { SigInfo } from '../../kernel/signal_types.js';
import type { CallResult, SiginfoOut } from '../backend.js';
import type { TtyCallResult } from '../../syscalls/tty.js';
import type { ModelContext } from './spec.js';

export function value(r: SysResult<number>): CallResult {
  return r.ok ? { kind: 'value', value: r.value } : { kind: 'errno', errno: r.code };
}

export function fdResult(r: SysResult<number>): CallResult {
  return r.ok ? { kind: 'fd', fd: r.value } : { kind: 'errno', errno: r.code };
}

export function noreturn(): CallResult {
  return { kind: 'noreturn' };
}

/** A fork-family call: the child's id as the caller sees it; the backend names the child. */
export function forked(ctx: ModelContext, r: SysResult<Forked>): CallResult {
  if (!r.ok) return { kind: 'errno', errno: r.code };
  ctx.bindChild(r.value.child);
  const f = r.value;
  const tids = f.parentTid === undefined && f.childTid === undefined ? undefined : { ...(f.parentTid === undefined ? {} : { parent: f.parentTid }), ...(f.childTid === undefined ? {} : { child: f.childTid }) };
  const done: CallResult = { kind: 'value', value: f.pid, ...(tids === undefined ? {} : { tids }), ...(f.pidfd === undefined ? {} : { pidfd: f.pidfd }) };
  // CLONE_VFORK: the caller waits for the child's exec or exit; the value comes with the `resumed` event.
  return f.vfork === true ? { kind: 'unfinished', later: done } : done;
}

export function waitResult(name: 'wait4' | 'waitid', r: SysResult<WaitCall>): CallResult {
  if (!r.ok) return { kind: 'errno', errno: r.code };
  if (r.value.kind === 'blocked') return { kind: 'unfinished' };
  return outcomeResult(name, r.value);
}

const CLD_NAMES = ['', 'CLD_EXITED', 'CLD_KILLED', 'CLD_DUMPED', 'CLD_TRAPPED', 'CLD_STOPPED', 'CLD_CONTINUED'] as const;

/** What a finished wait returns, as the transcript shows it (a blocked wait's `resumed` event too). */
export function outcomeResult(name: 'wait4' | 'waitid', o: WaitOutcome): CallResult {
  if (o.kind === 'error') return { kind: 'errno', errno: errnoName(o.errno) };
  if (name === 'wait4') {
    if (o.kind === 'none') return { kind: 'value', value: 0 };
    return { kind: 'wait4', pid: o.pid, status: o.status };
  }
  if (o.kind === 'none') return { kind: 'waitid', info: null };
  const s = o.status;
  // wait_task_zombie() / wait_task_stopped() / wait_task_continued(): si_code and si_status.
  const code = s.kind === 'exited' ? 1 : s.kind === 'killed' ? (s.core ? 3 : 2) : s.kind === 'stopped' ? 5 : 6;
  const status = s.kind === 'exited' ? s.code : s.kind === 'continued' ? Signal.SIGCONT : s.signal;
  return { kind: 'waitid', info: { pid: o.pid, code: CLD_NAMES[code], status } };
}

/**
 * What a signal wait returns as the transcript shows it: rt_sigtimedwait the
 * signal's number, a signalfd read its byte count (one signalfd_siginfo,
 * 128), or an errno; with `withInfo` (the step wrote `info`) also the siginfo
 * written back.
 */
export function sigWaitOutcomeResult(name: string, o: SigWaitOutcome, withInfo = false): CallResult {
  if (o.kind === 'error') return { kind: 'errno', errno: errnoName(o.errno) };
  const value = name === 'read' ? SIGNALFD_SIGINFO_SIZE : o.info.signo;
  if (!withInfo) return { kind: 'value', value };
  return { kind: 'value', value, out: { kind: 'siginfo', info: name === 'read' ? signalfdOut(o.info) : siginfoOut(o.info) } };
}

/** sizeof(struct signalfd_siginfo) (include/uapi/linux/signalfd.h). */
export const SIGNALFD_SIGINFO_SIZE = 128;

export function sigWaitResult(name: string, r: SysResult<SigWaitCall>, withInfo = false): CallResult {
  if (!r.ok) return { kind: 'errno', errno: r.code };
  if (r.value.kind === 'blocked') return { kind: 'unfinished' };
  return sigWaitOutcomeResult(name, r.value, withInfo);
}

const isCld = (info: SigInfo): boolean => info.signo === (Signal.SIGCHLD as number) && info.code >= 1 && info.code <= 6;

/**
 * A siginfo as copy_siginfo_to_user() writes it: si_status (_sigchld) and
 * si_value (_rt) are one word of the union, so a sender's si_value is what
 * a CLD_* code's si_status reads, and the kernel's SIGCHLD has its status there.
 */
export function siginfoOut(info: SigInfo): SiginfoOut {
  const word = info.value ?? (isCld(info) ? info.status : 0);
  return { signo: info.signo, code: info.code, pid: info.pid, status: word, value: word };
}

type Layout = 'kill' | 'chld' | 'rt' | 'timer' | 'other';

/** siginfo_layout() (kernel/signal.c): which union member a (signo, si_code) pair means. */
function siginfoLayout(sig: number, code: number): Layout {
  if (code > 0 && code < 0x80) {
    // The filter table: SIGILL, SIGFPE, SIGSEGV, SIGBUS, SIGTRAP (faults), SIGCHLD, SIGPOLL, SIGSYS, each up to its NSIG* limit.
    const limits: Readonly<Record<number, [number, Layout]>> = { 4: [11, 'other'], 8: [15, 'other'], 11: [10, 'other'], 7: [5, 'other'], 5: [6, 'other'], 17: [6, 'chld'], 29: [6, 'other'], 31: [2, 'other'] };
    const f = limits[sig];
    if (f !== undefined && code <= f[0]) return f[1];
    return code <= 6 ? 'other' : 'kill';
  }
  if (code === -2) return 'timer';
  if (code === -5) return 'other';
  return code < 0 ? 'rt' : 'kill';
}

/**
 * A siginfo as signalfd_copyinfo() fills struct signalfd_siginfo: only the
 * fields of its layout are copied (ssi_pid for kill, chld and rt; ssi_status
 * for chld; ssi_int for rt and timer); the rest read 0.
 */
export function signalfdOut(info: SigInfo): SiginfoOut {
  const full = siginfoOut(info);
  const layout = siginfoLayout(info.signo, info.code);
  const pid = layout === 'kill' || layout === 'chld' || layout === 'rt' ? full.pid : 0;
  const status = layout === 'chld' ? full.status : 0;
  const value = layout === 'rt' || layout === 'timer' ? full.value : 0;
  return { signo: info.signo, code: info.code, pid, status, value };
}

/** A tty call's result: 'block' is unfinished (a `resumed` event finishes it). */
export function ttyResult(r: TtyCallResult, fd = false): CallResult {
  if (!r.ok) return { kind: 'errno', errno: r.code };
  if (r.value === 'block') return { kind: 'unfinished' };
  return fd ? { kind: 'fd', fd: r.value } : { kind: 'value', value: r.value };
}
