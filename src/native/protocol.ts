// The wire protocol between this driver and native/runner.c
// (native/PROTOCOL.md): commands are one line of words, `REF [@PATH] OP ARG...`;
// the controller answers one line per report. Commands come from the call
// table (each descriptor's `wire`), replies are decoded by its result kind.

import { errnoName } from '../abi/errno.js';
import { siCodeName, Signal } from '../abi/signal.js';
import { decodeWaitStatus } from '../abi/wait.js';
import type { CallResult, TaskRef } from '../scenario/backend.js';
import type { ResultKind, WireCommand } from '../scenario/calls/spec.js';
import { oldHandlerName } from '../scenario/calls/sigsets.js';

/**
 * A line from the controller:
 * - actor: `REF WORD...`, what actor REF reported (`h TID` ready, `r RET A B C D E`
 *   a reply, `n NEWREF RET` a new task, `c SIG PID CODE STATUS` a caught
 *   signal, `E` its socket closed, `D ERRNO` a command not delivered);
 * - x: `X fork|exit|exec|lost ...`, a proc connector event;
 * - other: `I INITPID HASCN`, `F ERRNO`, `B` (a barrier's answer), `Q`.
 */
export type Line =
  | { readonly kind: 'actor'; readonly ref: number; readonly words: readonly string[] }
  | { readonly kind: 'x'; readonly words: readonly string[] }
  | { readonly kind: 'other'; readonly text: string };

export function parseLine(text: string): Line {
  const words = text.split(' ');
  if (words[0] === 'X') return { kind: 'x', words: words.slice(1) };
  if (/^\d+$/.test(words[0] ?? '')) return { kind: 'actor', ref: Number(words[0]), words: words.slice(1) };
  return { kind: 'other', text };
}

/** The command line for actor `ref`; `@PATH` asks the controller to open PATH and pass it along. */
export function encodeCommand(ref: TaskRef, cmd: WireCommand): string {
  const path = cmd.passFile === undefined ? '' : ` @${cmd.passFile}`;
  return `${ref}${path} ${[cmd.op, ...cmd.args].join(' ')}`;
}

/** A reply `r RET A B C D E` as the call's result kind reads it (`task` replies are `n REF RET`, handled by the backend). */
export function decodeReply(kind: ResultKind, n: readonly number[]): CallResult {
  const ret = n[0]!;
  // runner.c's REBOOT_REFUSED: reboot() was not issued (the caller could be in the host's namespace).
  if (ret === -4096) throw new Error('the runner refused reboot(): the caller is not provably outside the PID namespace the runner started in');
  if (ret < 0) return { kind: 'errno', errno: errnoName(-ret) };
  switch (kind) {
    case 'fd':
      return { kind: 'fd', fd: ret };
    case 'outValue':
      // A value that came back through a pointer; a negative one (ns_last_pid reads -1) rides in its own field.
      return { kind: 'value', value: ret === 0 ? n[1]! : ret };
    case 'wait4':
      if (ret === 0) return { kind: 'value', value: 0 };
      return { kind: 'wait4', pid: ret, status: decodeWaitStatus(n[1]!) };
    case 'waitid': {
      const [, pid, code, status] = n as [number, number, number, number];
      if (pid === 0) return { kind: 'waitid', info: null };
      return { kind: 'waitid', info: { pid, code: siCodeName(code, Signal.SIGCHLD), status } };
    }
    case 'sigset':
      return { kind: 'value', value: ret, out: { kind: 'sigset', set: joinHalves(n[1], n[2]) } };
    case 'sigaction':
      return { kind: 'value', value: ret, out: { kind: 'sigaction', handler: oldHandlerName(n[1] ?? 3), flags: (n[2] ?? 0) >>> 0, mask: joinHalves(n[3], n[4]) } };
    case 'siginfo': {
      const [, signo, code, pid, status, value] = n.map((x) => x ?? 0);
      return { kind: 'value', value: ret, out: { kind: 'siginfo', info: { signo: signo ?? 0, code: code ?? 0, pid: pid ?? 0, status: status ?? 0, value: value ?? 0 } } };
    }
    case 'value':
    case 'task':
    case 'noreturn':
      return { kind: 'value', value: ret };
  }
}

/** A signal set from the reply's two 32-bit halves. */
function joinHalves(lo: number | undefined, hi: number | undefined): bigint {
  return (BigInt(lo ?? 0) & 0xffffffffn) | ((BigInt(hi ?? 0) & 0xffffffffn) << 32n);
}
