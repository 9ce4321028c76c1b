// The job-control rules of a terminal (drivers/tty/tty_jobctrl.c):
// __tty_check_change, TIOCSCTTY, TIOCNOTTY, TIOCSPGRP, TIOCGPGRP, TIOCGSID,
// disassociate_ctty, and TCSETS' check (tty_ioctl.c's set_termios).

import { Errno } from '../abi/errno.js';
import { SiCode, Signal, sigismember } from '../abi/signal.js';
import { TCSETS, TIOCGPGRP, TIOCGSID, TIOCNOTTY, TIOCSCTTY, TIOCSPGRP, TOSTOP } from '../abi/tty.js';
import { pgrpOrphaned } from './exit.js';
import type { Kernel } from './kernel.js';
import { killPgrpInfo } from './kill.js';
import type { TtyCall } from './n_tty.js';
import type { Pid } from './pid.js';
import { fail } from './result.js';
import type { Fail } from './result.js';
import { handlerIgnored, sendSignal } from './signal.js';
import type { SigInfo } from './signal_types.js';
import type { Task } from './task.js';
import { capable, cttyOf, pidNrIn, procSetTty, sessionClearTty, sessionLeader, ttyState, type PtyFile, type Tty } from './tty.js';


/** is_ignored(): blocked by the caller, or SIG_IGN. */
function isIgnored(t: Task, sig: number): boolean {
  return sigismember(t.sigBlocked, sig) || handlerIgnored(t.group, sig);
}

/** kill_pgrp(pgrp, sig, 1): SEND_SIG_PRIV to every member (SI_KERNEL, si_pid 0, forced; no permission check). */
export function killPgrpPriv(k: Kernel, pgrp: Pid, sig: number, from: Task | null): void {
  const info: SigInfo = { signo: sig, code: SiCode.SI_KERNEL, pid: 0, status: 0 };
  for (const g of [...pgrp.pgrpMembers].reverse()) sendSignal(k, g.leader, info, 'group', true, from);
}

/** What a job-control check says: go on, an errno, or ERESTARTSYS after signalling the caller's group. */
export type Check = 0 | Fail | 'restart';

/**
 * __tty_check_change(): only for the caller's own controlling terminal with
 * a foreground group that is not the caller's: SIGTTIN ignored -> EIO,
 * SIGTTOU ignored -> go on, an orphaned group -> EIO, else the signal to the
 * caller's whole group and -ERESTARTSYS.
 */
export function checkChange(k: Kernel, me: Task, tty: Tty, sig: number): Check {
  if (cttyOf(k, me.group) !== tty) return 0;
  const pgrp = me.group.pgrp;
  if (tty.pgrp === null || tty.pgrp === pgrp) return 0;
  if (isIgnored(me, sig)) return sig === Signal.SIGTTIN ? fail(Errno.EIO) : 0;
  if (pgrpOrphaned(pgrp, null)) return fail(Errno.EIO);
  killPgrpPriv(k, pgrp, sig, me);
  return 'restart';
}

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
export function disassociateCtty(k: Kernel, me: Task, onExit: boolean): void {
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
