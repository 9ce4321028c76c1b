// The line discipline of a pty's slave (drivers/tty/n_tty.c) in canonical
// mode with ISIG: reads of one line with the job-control check, writes with
// TOSTOP's, typed characters (a signal character signals the foreground
// group and flushes the input), and the calls that sleep or restart.

import { Errno } from '../abi/errno.js';
import { SA_RESTART, Signal } from '../abi/signal.js';
import type { Kernel } from './kernel.js';
import { fail, isFail } from './result.js';
import type { Fail } from './result.js';
import { returnToUser, setupFrames } from './signal.js';
import { signalPending } from './sigpending.js';
import type { Task } from './task.js';
import type { PtyFile, Tty } from './tty.js';
import { checkChange, killPgrpPriv, ttyIoctl } from './tty_jobctrl.js';
import { runFramesWhileBlocked } from './wait.js';

export const TTY_READ_MAX = 128;
/** N_TTY_BUF_SIZE (drivers/tty/n_tty.c): the line discipline's read buffer. */
const N_TTY_BUF_SIZE = 4096;

/** The default control characters (tty_std_termios' c_cc: INIT_C_CC). */
export const VINTR_CHAR = 3;
export const VQUIT_CHAR = 28;
export const VSUSP_CHAR = 26;
const NEWLINE = 10;

/** Whether `byte` is one the language types on a master (docs/language.md). */
export function typeable(byte: number): boolean {
  return byte === VINTR_CHAR || byte === VQUIT_CHAR || byte === VSUSP_CHAR || byte === NEWLINE || (byte >= 32 && byte <= 126);
}

/** One pty pair, seen from its slave (the terminal a session may control). */
export interface TtyRequest {
  readonly syscall: 'read' | 'write' | 'ioctl';
  readonly tty: Tty;
  /** The open file the call was made on, and its arguments past the fd (write: the byte; ioctl: request, arg): what a snapshot saves to make `run` again. */
  readonly file: PtyFile;
  readonly args: readonly number[];
  /** Runs the call (again, as a restarted system call runs from its start). */
  readonly run: (k: Kernel, t: Task, resumed: boolean) => TtyCall;
  restarts: number;
  /** The next run starts the call over (after -ERESTARTSYS and the signals it let in), rather than going on where it slept. */
  fromStart: boolean;
}

/** A tty call's outcome now: its value, an errno, 'block' (sleep for input) or 'restart' (a job-control signal is on its way). */
export type TtyCall = number | Fail | 'block' | 'restart';

export function isTtyRequest(b: { readonly syscall: string }): b is TtyRequest {
  return 'tty' in b && 'run' in b;
}

/** A restarted call that keeps signalling a group that catches the signal with SA_RESTART spins on Linux; the model gives up then. */
const MAX_RESTARTS = 1000;

/** Runs a tty call: its result, or 'block' when the caller now sleeps in it (the transcript's `<unfinished ...>`). */
export function runTtyCall(k: Kernel, t: Task, syscall: TtyRequest['syscall'], file: PtyFile, args: readonly number[]): number | Fail | 'block' {
  const run = ttyCallRun(syscall, file, args);
  const r = run(k, t, false);
  if (r !== 'block' && r !== 'restart') return r;
  const req: TtyRequest = { syscall, tty: file.tty, file, args, run, restarts: 0, fromStart: r === 'restart' };
  t.blocked = req;
  // A restart goes straight back to the signal it sent; a sleep waits for a wakeup.
  t.woken = r === 'restart';
  k.blockedWaiters.add(t);
  return 'block';
}

/** The call a tty request runs: read, write(byte), ioctl(request, arg). */
export function ttyCallRun(syscall: TtyRequest['syscall'], file: PtyFile, args: readonly number[]): TtyRequest['run'] {
  if (syscall === 'read') return ttyRead(file);
  if (syscall === 'write') return ttyWrite(file, args[0] ?? 0);
  const ioctl = ttyIoctl(file, args[0] ?? 0, args[1] ?? 0);
  return (k, t) => ioctl(k, t);
}

function finishTty(k: Kernel, t: Task, req: TtyRequest, result: number | Fail): true {
  t.blocked = null;
  k.blockedWaiters.delete(t);
  returnToUser(k, t);
  k.emit({ type: 'tty_resumed', task: t.seq, syscall: req.syscall, result: isFail(result) ? { errno: result.errno } : { value: result } });
  return true;
}

/** A woken tty call runs again: signals first (EINTR for a handler without SA_RESTART), then the call from its start. */
export function retryTtyCall(k: Kernel, t: Task, req: TtyRequest): boolean {
  if (!t.woken || t.stopped) return false;
  t.woken = false;
  let moved = false;
  // Woken by a signal, the call restarts from its start (-ERESTARTSYS); otherwise it goes on where it slept.
  if (signalPending(k, t)) {
    const took = { n: 0 };
    const flags = setupFrames(k, t, took);
    if (flags >= 0 && (flags & SA_RESTART) === 0) return finishTty(k, t, req, fail(Errno.EINTR));
    runFramesWhileBlocked(k, t);
    moved = took.n > 0;
    req.fromStart = true;
    // Stopped (SIGTTIN, SIGTSTP): the call restarts when the group continues (SIGCONT wakes it).
    if (t.exitState !== 'alive' || t.group.groupExit || t.stopped) return moved;
  }
  if (req.restarts > MAX_RESTARTS) return moved;
  const resumed = !req.fromStart;
  req.fromStart = false;
  const r = req.run(k, t, resumed);
  if (r === 'block') {
    req.restarts = 0;
    return moved;
  }
  if (r === 'restart') {
    req.restarts++;
    req.fromStart = true;
    t.woken = true;
    return true;
  }
  return finishTty(k, t, req, r);
}

export function wakeReaders(k: Kernel, tty: Tty): void {
  for (const t of k.blockedWaiters) {
    const b = t.blocked;
    if (b !== null && isTtyRequest(b) && b.tty === tty) t.woken = true;
  }
}


/**
 * tty_read() -> n_tty_read(): job control, then one line (canonical mode),
 * or sleep for one. `resumed`: the reader slept in n_tty_read's loop and was
 * woken without a signal, so it goes on there (no job-control check again;
 * the other side's close is EIO, as the loop tests TTY_OTHER_CLOSED first).
 */
export function ttyRead(file: PtyFile): (k: Kernel, t: Task, resumed: boolean) => TtyCall {
  return (k, t, resumed) => {
    const tty = file.tty;
    if (!resumed) {
      if (!file.readable) return fail(Errno.EBADF);
      // hung_up_tty_read(): end of file.
      if (file.hungUp) return 0;
      // Reading what a slave wrote (the master's side) is not modeled (docs/language.md).
      if (file.master) return fail(Errno.ENOSYS);
      const c = checkChange(k, t, tty, Signal.SIGTTIN);
      if (c !== 0) return c;
    }
    const line = tty.lines[0];
    if (line === undefined) {
      if (tty.hungUp) return fail(Errno.EIO);
      return 'block';
    }
    if (line <= TTY_READ_MAX) {
      tty.lines.shift();
      return line;
    }
    tty.lines[0] = line - TTY_READ_MAX;
    return TTY_READ_MAX;
  };
}

/** tty_write(): on a master the byte is typed (n_tty_receive_buf on the slave); on a slave, n_tty_write's TOSTOP check. */
export function ttyWrite(file: PtyFile, byte: number): (k: Kernel, t: Task) => TtyCall {
  return (k, t) => {
    if (!file.writable) return fail(Errno.EBADF);
    if (file.hungUp) return fail(Errno.EIO);
    const tty = file.tty;
    if (file.master) {
      // Bytes the language does not type (erase, kill, EOF, ^S, ^V, CR, ...) are not modeled.
      if (!typeable(byte)) return fail(Errno.ENOSYS);
      typeChar(k, tty, byte);
      return 1;
    }
    if (tty.tostop) {
      const c = checkChange(k, t, tty, Signal.SIGTTOU);
      if (c !== 0) return c;
    }
    return 1;
  };
}

/** n_tty_receive_char() in canonical mode with ISIG: a signal character signals the foreground group and flushes the input (isig without NOFLSH). */
function typeChar(k: Kernel, tty: Tty, byte: number): void {
  const sig = byte === VINTR_CHAR ? Signal.SIGINT : byte === VQUIT_CHAR ? Signal.SIGQUIT : byte === VSUSP_CHAR ? Signal.SIGTSTP : 0;
  if (sig !== 0) {
    // __isig(): kill_pgrp(tty->pgrp, sig, 1) from the flip-buffer worker (no current task).
    if (tty.pgrp !== null) killPgrpPriv(k, tty.pgrp, sig, null);
    tty.lines = [];
    tty.partial = 0;
    return;
  }
  // n_tty_receive_buf_common(): the read buffer holds N_TTY_BUF_SIZE bytes of unread input, one
  // place kept back; full with no complete line in it (canon_head == read_tail), it takes each
  // further byte in its last place (overflow), so such a line keeps its first 4095 bytes and the
  // last one typed. (Full with a complete line unread, Linux leaves the bytes in the pty's flip
  // buffer until a read makes room; not modeled: the model takes them.)
  if (tty.lines.length === 0 && tty.partial >= N_TTY_BUF_SIZE) tty.partial = N_TTY_BUF_SIZE - 1;
  tty.partial++;
  if (byte === NEWLINE) {
    tty.lines.push(tty.partial);
    tty.partial = 0;
    wakeReaders(k, tty);
  }
}
