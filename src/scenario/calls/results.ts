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
import type { CallResult } from '../backend.js';
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

/** What a signal wait returns as the transcript shows it: rt_sigtimedwait the signal's number, a signalfd read its byte count (one signalfd_siginfo, 128), or an errno. */
export function sigWaitOutcomeResult(name: string, o: SigWaitOutcome): CallResult {
  if (o.kind === 'error') return { kind: 'errno', errno: errnoName(o.errno) };
  return { kind: 'value', value: name === 'read' ? SIGNALFD_SIGINFO_SIZE : o.info.signo };
}

/** sizeof(struct signalfd_siginfo) (include/uapi/linux/signalfd.h). */
export const SIGNALFD_SIGINFO_SIZE = 128;

export function sigWaitResult(name: string, r: SysResult<SigWaitCall>): CallResult {
  if (!r.ok) return { kind: 'errno', errno: r.code };
  if (r.value.kind === 'blocked') return { kind: 'unfinished' };
  return sigWaitOutcomeResult(name, r.value);
}

/** A tty call's result: 'block' is unfinished (a `resumed` event finishes it). */
export function ttyResult(r: TtyCallResult, fd = false): CallResult {
  if (!r.ok) return { kind: 'errno', errno: r.code };
  if (r.value === 'block') return { kind: 'unfinished' };
  return fd ? { kind: 'fd', fd: r.value } : { kind: 'value', value: r.value };
}
