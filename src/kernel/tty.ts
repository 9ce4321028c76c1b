// Controlling terminals (drivers/tty/tty_io.c, tty_jobctrl.c, pty.c): pty
// pairs, a session's controlling terminal and foreground group, and hangup.
// The job-control checks and ioctls are in tty_jobctrl.ts, the line
// discipline (reads, writes, typed characters) in n_tty.ts.
//
// tty->ctrl.session and tty->ctrl.pgrp are struct pid references: a Pid is
// kept (get_pid), its numbers are not, so the answers are read through the
// caller's namespace as pid_vnr() reads them. signal->tty and
// signal->tty_old_pgrp live in the kernel's TtyState, made on the first
// open of /dev/ptmx: a run that never opens a terminal pays one null check in
// fork and one in exit.

import { Errno } from '../abi/errno.js';
import { SiCode, Signal } from '../abi/signal.js';
import { O_NOCTTY, O_RDONLY, O_WRONLY } from '../abi/tty.js';
import { nsCapable } from './cred.js';
import type { Kernel } from './kernel.js';
import { wakeReaders } from './n_tty.js';
import type { Pid } from './pid.js';
import type { PidNamespace } from './pid_namespace.js';
import { fail, isFail } from './result.js';
import type { Fail } from './result.js';
import { sendSignal } from './signal.js';
import type { SigInfo } from './signal_types.js';
import type { Task } from './task.js';
import type { ThreadGroup } from './thread_group.js';
import { disassociateCtty } from './tty_jobctrl.js';

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

export function ttyState(k: Kernel): TtyState {
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
export function capable(k: Kernel, me: Task): boolean {
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
  // ptm_open_peer(): "if (tty->driver != ptm_driver) return -EIO" (the slave's pty_unix98_ioctl gets here too).
  if (!master.master) return fail(Errno.EIO);
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
export function procSetTty(s: TtyState, g: ThreadGroup, tty: Tty): void {
  tty.pgrp = g.pgrp;
  tty.session = g.session;
  s.ctty.set(g, tty);
  s.oldPgrp.delete(g);
}

/** session_clear_tty(): no member of the session has a controlling terminal any more. */
export function sessionClearTty(s: TtyState, session: Pid): void {
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

/** release_task() of a group's leader: signal->tty and tty_old_pgrp go with the signal struct. */
export function releaseTty(s: TtyState, g: ThreadGroup): void {
  s.ctty.delete(g);
  s.oldPgrp.delete(g);
}

/** The controlling terminal of a group, or null. */
export function cttyOf(k: Kernel, g: ThreadGroup): Tty | null {
  return k.ttys?.ctty.get(g) ?? null;
}

// ---------------------------------------------------------------- hangup

/**
 * pty_close() of the master's last file -> tty_vhangup(slave) -> __tty_hangup():
 * tty_signal_session_leader() clears every member's terminal and sends the
 * session leader SIGHUP and SIGCONT (SEND_SIG_PRIV), remembering the
 * foreground group as its tty_old_pgrp; files open on the slave hang up,
 * and the line discipline's typed input is flushed. The pair's only hangup
 * in the model: disassociate_ctty() hangs up no pty (TTY_DRIVER_TYPE_PTY),
 * neither at the leader's exit nor at its TIOCNOTTY.
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
  // tty_ldisc_hangup(): n_tty_flush_buffer drops the unread input, whole lines and the one being typed
  // (reset_buffer_flags), and the ldisc is killed (tty_ldisc_kill: no reinit for a pty). No file can read
  // it afterwards anyway: the slave's files are hung_up_tty_fops and the slave cannot be opened again.
  tty.lines = [];
  tty.partial = 0;
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
