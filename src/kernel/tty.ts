// Controlling terminals and job control (drivers/tty/tty_jobctrl.c, tty_io.c,
// n_tty.c, pty.c): pseudo-terminal pairs, a session's controlling terminal,
// the terminal's foreground process group, the job-control checks of reads,
// writes and ioctls, the signals typed characters send, and hangup.
//
// tty->ctrl.session and tty->ctrl.pgrp are struct pid references: a Pid is
// kept (get_pid), its numbers are not, so the answers are read through the
// caller's namespace as pid_vnr() reads them. signal->tty and
// signal->tty_old_pgrp live in the kernel's TtyState, made on the first
// open of /dev/ptmx: a run that never opens a terminal pays one null check in
// fork and one in exit.

import { Errno } from '../abi/errno.js';
import { SA_RESTART, SiCode, Signal, sigismember } from '../abi/signal.js';
import { O_NOCTTY, O_RDONLY, O_WRONLY, TCSETS, TIOCGPGRP, TIOCGSID, TIOCNOTTY, TIOCSCTTY, TIOCSPGRP, TOSTOP } from '../abi/tty.js';
import { nsCapable } from './cred.js';
import type { Kernel } from './kernel.js';
import { killPgrpInfo } from './kill.js';
import type { Pid } from './pid.js';
import type { PidNamespace } from './pid_namespace.js';
import { fail, isFail } from './result.js';
import type { Fail } from './result.js';
import { handlerIgnored, returnToUser, sendSignal, setupFrames } from './signal.js';
import { signalPending } from './sigpending.js';
import type { SigInfo } from './signal_types.js';
import type { Task } from './task.js';
import type { ThreadGroup } from './thread_group.js';
import { pgrpOrphaned } from './exit.js';
import { runFramesWhileBlocked } from './wait.js';

/** N_TTY's canonical read: at most one line, here at most the reader's buffer (the runner reads 128 bytes). */
export const TTY_READ_MAX = 128;

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
export class Tty {
  /** tty->ctrl.session. */
  session: Pid | null = null;
  /** tty->ctrl.pgrp: the foreground process group. */
  pgrp: Pid | null = null;
  /** L_TOSTOP(tty). */
  tostop = false;
  /** Complete lines typed and not yet read (their lengths, newline included). */
  lines: number[] = [];
  /** Bytes of the line being typed. */
  partial = 0;
  /** The master's last close hung it up (TTY_HUPPED, TTY_OTHER_CLOSED). */
  hungUp = false;
  constructor(readonly index: number) {}
}

/** An open file of a pty: the master (/dev/ptmx) or the slave (/dev/pts/N). */
export interface PtyFile {
  readonly kind: 'pty';
  readonly tty: Tty;
  readonly master: boolean;
  /** FMODE_READ, FMODE_WRITE. */
  readonly readable: boolean;
  readonly writable: boolean;
  /** hung_up_tty_fops: the file was open on the slave when it was hung up. */
  hungUp: boolean;
  /** Open files keep their fd across exec (the language's opens never pass O_CLOEXEC). */
  readonly cloexec: false;
}

/** signal->tty and signal->tty_old_pgrp of every thread group that has one, and the ttys. */
export class TtyState {
  readonly ttys: Tty[] = [];
  readonly ctty = new Map<ThreadGroup, Tty>();
  readonly oldPgrp = new Map<ThreadGroup, Pid>();
}

const O_ACCMODE = 3;

function ttyState(k: Kernel): TtyState {
  return (k.ttys ??= new TtyState());
}

/** pid_vnr(): the number in the caller's namespace, 0 when not visible. A Pid whose numbers were freed still has them (pid_nr_ns reads pid->numbers). */
export function pidNrIn(pid: Pid | null, ns: PidNamespace): number {
  if (pid === null) return 0;
  const l = ns.level;
  return l <= pid.ns.level && pid.ns.chain[l] === ns ? pid.nrAt(l) : 0;
}

/** signal->leader: set by setsid(), never inherited; the group's id is its session's. */
export function sessionLeader(g: ThreadGroup): boolean {
  return g.session === g.tgidPid;
}

/** capable(CAP_SYS_ADMIN): in the initial user namespace. */
function capable(k: Kernel, me: Task): boolean {
  return nsCapable(me.cred, k.rootUserNs);
}

function openMode(flags: number): { readable: boolean; writable: boolean } | Fail {
  const acc = flags & O_ACCMODE;
  if (acc === O_ACCMODE) return fail(Errno.EINVAL);
  return { readable: acc !== O_WRONLY, writable: acc !== O_RDONLY };
}

/** ptmx_open(): a new pair; the master never becomes a controlling terminal. */
export function ptmxOpen(k: Kernel, me: Task, flags: number): number | Fail {
  const mode = openMode(flags);
  if (isFail(mode)) return mode;
  if (!me.group.hasFreeFd()) return fail(Errno.EMFILE);
  const s = ttyState(k);
  const tty = new Tty(s.ttys.length);
  s.ttys.push(tty);
  return me.group.ownFiles(k).install({ kind: 'pty', tty, master: true, ...mode, hungUp: false, cloexec: false });
}

/** TIOCGPTPEER (ptm_open_peer): the slave opened through tty_open, which may make it the caller's controlling terminal. */
export function openPeer(k: Kernel, me: Task, master: PtyFile, flags: number): number | Fail {
  if (!master.master) return fail(Errno.ENOTTY);
  const mode = openMode(flags);
  if (isFail(mode)) return mode;
  const tty = master.tty;
  // tty_open(): a slave whose master went away cannot be opened (pty_open: TTY_OTHER_CLOSED -> EIO).
  if (tty.hungUp) return fail(Errno.EIO);
  if (!me.group.hasFreeFd()) return fail(Errno.EMFILE);
  const file: PtyFile = { kind: 'pty', tty, master: false, ...mode, hungUp: false, cloexec: false };
  const fd = me.group.ownFiles(k).install(file);
  // tty_open_proc_set_tty(): a session leader without a terminal, on a tty no session has, with read access.
  const s = ttyState(k);
  const g = me.group;
  if ((flags & O_NOCTTY) === 0 && sessionLeader(g) && !s.ctty.has(g) && tty.session === null && file.readable) procSetTty(s, g, tty);
  return fd;
}

/** __proc_set_tty(): the caller's session and group become the tty's; the caller's signal->tty is it. */
function procSetTty(s: TtyState, g: ThreadGroup, tty: Tty): void {
  tty.pgrp = g.pgrp;
  tty.session = g.session;
  s.ctty.set(g, tty);
  s.oldPgrp.delete(g);
}

/** session_clear_tty(): no member of the session has a controlling terminal any more. */
function sessionClearTty(s: TtyState, session: Pid): void {
  for (const g of session.sessionMembers) s.ctty.delete(g);
}

/** proc_clear_tty() for setsid(): the caller's terminal and old pgrp go (the tty keeps its session). */
export function setsidClearTty(k: Kernel, g: ThreadGroup): void {
  const s = k.ttys;
  if (s === null) return;
  s.ctty.delete(g);
  s.oldPgrp.delete(g);
}

/** copy_process(): a new process shares its parent's controlling terminal (tty_kref_get); no old pgrp. */
export function inheritCtty(k: Kernel, parent: ThreadGroup, child: ThreadGroup): void {
  const tty = k.ttys?.ctty.get(parent);
  if (tty !== undefined) k.ttys!.ctty.set(child, tty);
}

/** The controlling terminal of a group, or null. */
export function cttyOf(k: Kernel, g: ThreadGroup): Tty | null {
  return k.ttys?.ctty.get(g) ?? null;
}

// ------------------------------------------------------------ job control

/** is_ignored(): blocked by the caller, or SIG_IGN. */
function isIgnored(t: Task, sig: number): boolean {
  return sigismember(t.sigBlocked, sig) || handlerIgnored(t.group, sig);
}

/** kill_pgrp(pgrp, sig, 1): SEND_SIG_PRIV to every member (SI_KERNEL, si_pid 0, forced; no permission check). */
function killPgrpPriv(k: Kernel, pgrp: Pid, sig: number, from: Task | null): void {
  const info: SigInfo = { signo: sig, code: SiCode.SI_KERNEL, pid: 0, status: 0 };
  for (const g of [...pgrp.pgrpMembers].reverse()) sendSignal(k, g.leader, info, 'group', true, from);
}

/** What a job-control check says: go on, an errno, or ERESTARTSYS after signalling the caller's group. */
type Check = 0 | Fail | 'restart';

/**
 * __tty_check_change(): only for the caller's own controlling terminal with
 * a foreground group that is not the caller's: SIGTTIN ignored -> EIO,
 * SIGTTOU ignored -> go on, an orphaned group -> EIO, else the signal to the
 * caller's whole group and -ERESTARTSYS.
 */
function checkChange(k: Kernel, me: Task, tty: Tty, sig: number): Check {
  if (cttyOf(k, me.group) !== tty) return 0;
  const pgrp = me.group.pgrp;
  if (tty.pgrp === null || tty.pgrp === pgrp) return 0;
  if (isIgnored(me, sig)) return sig === Signal.SIGTTIN ? fail(Errno.EIO) : 0;
  if (pgrpOrphaned(pgrp, null)) return fail(Errno.EIO);
  killPgrpPriv(k, pgrp, sig, me);
  return 'restart';
}

/** A tty call that sleeps: waiting for input, or restarting after the job-control signal it sent (-ERESTARTSYS). */
export interface TtyRequest {
  readonly syscall: 'read' | 'write' | 'ioctl';
  readonly tty: Tty;
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
export function runTtyCall(k: Kernel, t: Task, syscall: TtyRequest['syscall'], tty: Tty, run: TtyRequest['run']): number | Fail | 'block' {
  const r = run(k, t, false);
  if (r !== 'block' && r !== 'restart') return r;
  const req: TtyRequest = { syscall, tty, run, restarts: 0, fromStart: r === 'restart' };
  t.blocked = req;
  // A restart goes straight back to the signal it sent; a sleep waits for a wakeup.
  t.woken = r === 'restart';
  k.blockedWaiters.add(t);
  return 'block';
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

function wakeReaders(k: Kernel, tty: Tty): void {
  for (const t of k.blockedWaiters) {
    const b = t.blocked;
    if (b !== null && isTtyRequest(b) && b.tty === tty) t.woken = true;
  }
}

// ---------------------------------------------------------------- read/write

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
  tty.partial++;
  if (byte === NEWLINE) {
    tty.lines.push(tty.partial);
    tty.partial = 0;
    wakeReaders(k, tty);
  }
}

// ---------------------------------------------------------------- ioctls

/** tiocsctty(). */
function tiocsctty(k: Kernel, me: Task, file: PtyFile, arg: number): number | Fail {
  const s = ttyState(k);
  const tty = file.tty;
  const g = me.group;
  const leader = sessionLeader(g);
  if (leader && g.session === tty.session) return 0;
  // "The process must be a session leader and not have a controlling tty already."
  if (!leader || s.ctty.has(g)) return fail(Errno.EPERM);
  if (tty.session !== null) {
    // "This tty is already the controlling tty for another session group!"
    if (arg === 1 && capable(k, me)) sessionClearTty(s, tty.session);
    else return fail(Errno.EPERM);
  }
  if (!file.readable && !capable(k, me)) return fail(Errno.EPERM);
  procSetTty(s, g, tty);
  return 0;
}

/**
 * disassociate_ctty(): a session leader leaving its terminal. On a pty the
 * foreground group gets SIGHUP (and, from TIOCNOTTY, SIGCONT: SI_USER from the
 * caller; from exit, SI_KERNEL); a leader without one, at exit, signals the
 * group a hangup left in tty_old_pgrp. Then nobody in the session has it.
 */
function disassociateCtty(k: Kernel, me: Task, onExit: boolean): void {
  const s = ttyState(k);
  const g = me.group;
  if (!sessionLeader(g)) return;
  const tty = s.ctty.get(g);
  if (tty === undefined) {
    if (!onExit) return;
    const old = s.oldPgrp.get(g);
    s.oldPgrp.delete(g);
    if (old !== undefined) {
      killPgrpPriv(k, old, Signal.SIGHUP, me);
      killPgrpPriv(k, old, Signal.SIGCONT, me);
    }
    return;
  }
  const pgrp = tty.pgrp;
  if (pgrp !== null) {
    if (onExit) killPgrpPriv(k, pgrp, Signal.SIGHUP, me);
    else {
      killPgrpInfo(k, me, Signal.SIGHUP, pgrp);
      killPgrpInfo(k, me, Signal.SIGCONT, pgrp);
    }
  }
  // The leader's own terminal again (signals may not change it, but the kernel looks again).
  const again = s.ctty.get(g);
  if (again !== undefined) {
    again.session = null;
    again.pgrp = null;
  }
  s.oldPgrp.delete(g);
  sessionClearTty(s, g.session);
}

/** The ioctl's job-control checks and answers (tty_jobctrl_ioctl, tty_mode_ioctl's TCSETS). */
export function ttyIoctl(file: PtyFile, request: number, arg: number): (k: Kernel, t: Task) => TtyCall {
  return (k, me) => {
    // hung_up_tty_ioctl().
    if (file.hungUp) return fail(request === TIOCSPGRP ? Errno.ENOTTY : Errno.EIO);
    const tty = file.tty;
    const s = ttyState(k);
    const mine = s.ctty.get(me.group) === tty;
    switch (request) {
      case TIOCNOTTY:
        // current->signal->tty != tty: the master is never anyone's terminal.
        if (file.master || !mine) return fail(Errno.ENOTTY);
        // no_tty(): a leader disassociates; everyone loses it.
        disassociateCtty(k, me, false);
        s.ctty.delete(me.group);
        return 0;
      case TIOCSCTTY:
        return tiocsctty(k, me, file, arg);
      case TIOCGPGRP:
        // "(tty == real_tty) is a cheap way of testing if the tty is NOT a master pty."
        if (!file.master && !mine) return fail(Errno.ENOTTY);
        return pidNrIn(tty.pgrp, me.activeNs);
      case TIOCGSID:
        if (!file.master && !mine) return fail(Errno.ENOTTY);
        if (tty.session === null) return fail(Errno.ENOTTY);
        return pidNrIn(tty.session, me.activeNs);
      case TIOCSPGRP: {
        // tty_check_change(real_tty): the slave, also through its master.
        const c = checkChange(k, me, tty, Signal.SIGTTOU);
        if (c === 'restart') return c;
        if (c !== 0) return fail(c.errno === Errno.EIO ? Errno.ENOTTY : c.errno);
        if (arg < 0) return fail(Errno.EINVAL);
        if (!mine || tty.session !== me.group.session) return fail(Errno.ENOTTY);
        const pgrp = arg === 0 ? undefined : me.activeNs.findPid(arg);
        if (pgrp === undefined) return fail(Errno.ESRCH);
        if (sessionOfPgrp(pgrp) !== me.group.session) return fail(Errno.EPERM);
        tty.pgrp = pgrp;
        return 0;
      }
      case TCSETS: {
        // tty_mode_ioctl() -> set_termios(real_tty): the slave's check, also through its master.
        const c = checkChange(k, me, tty, Signal.SIGTTOU);
        if (c !== 0) return c;
        tty.tostop = (arg & TOSTOP) !== 0;
        return 0;
      }
      default:
        return fail(Errno.ENOTTY);
    }
  };
}

/** session_of_pgrp(): the session of a member of the group, else of the task whose pid it is. */
function sessionOfPgrp(pgrp: Pid): Pid | null {
  for (const g of pgrp.pgrpMembers) return g.session;
  return pgrp.task?.group.session ?? null;
}

// ---------------------------------------------------------------- hangup

/**
 * pty_close() of the master's last file -> tty_vhangup(slave) -> __tty_hangup():
 * tty_signal_session_leader() clears every member's terminal and sends the
 * session leader SIGHUP and SIGCONT (SEND_SIG_PRIV), remembering the
 * foreground group as its tty_old_pgrp; files open on the slave hang up.
 */
function hangup(k: Kernel, tty: Tty): void {
  const s = ttyState(k);
  const session = tty.session;
  if (session !== null) {
    const info = (signo: number): SigInfo => ({ signo, code: SiCode.SI_KERNEL, pid: 0, status: 0 });
    for (const g of [...session.sessionMembers].reverse()) {
      if (s.ctty.get(g) === tty) s.ctty.delete(g);
      if (!sessionLeader(g)) continue;
      sendSignal(k, g.leader, info(Signal.SIGHUP), 'group', true, null);
      sendSignal(k, g.leader, info(Signal.SIGCONT), 'group', true, null);
      if (tty.pgrp !== null) s.oldPgrp.set(g, tty.pgrp);
    }
  }
  tty.session = null;
  tty.pgrp = null;
  tty.hungUp = true;
  for (const t of k.liveTasks()) {
    if (!t.isLeader) continue;
    for (const [, f] of t.group.filesRef?.entries() ?? []) if (f.kind === 'pty' && f.tty === tty && !f.master) f.hungUp = true;
  }
  wakeReaders(k, tty);
}

/** Whether a live process other than `except` still holds `file`. */
function held(k: Kernel, file: PtyFile, except: ThreadGroup | null): boolean {
  for (const t of k.liveTasks()) {
    if (!t.isLeader || t.group === except || t.group.live === 0) continue;
    for (const [, f] of t.group.filesRef?.entries() ?? []) if (f === file) return true;
  }
  return false;
}

/** close() of a pty file: the master's last close hangs the slave up. */
export function ttyClosed(k: Kernel, file: PtyFile): void {
  if (file.master && !file.tty.hungUp && !held(k, file, null)) hangup(k, file.tty);
}

/**
 * do_exit() of a group's last thread: disassociate_ctty(1) for a session
 * leader, then the deferred fput of its files (exit_files' ____fput runs at
 * exit_task_work, after disassociate_ctty): a master's last close hangs up.
 */
export function ttyGroupExit(k: Kernel, t: Task): void {
  disassociateCtty(k, t, true);
  const files = t.group.filesRef;
  if (files === null) return;
  for (const [, f] of files.entries()) if (f.kind === 'pty' && f.master && !f.tty.hungUp && !held(k, f, t.group)) hangup(k, f.tty);
}
