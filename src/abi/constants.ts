// Every kernel constant a scenario may name, by family, so that the parser can
// both resolve a name and say when a name of the wrong family is written
// (a signal where wait options belong, say). Values come from the other abi
// files, which cite their uapi headers.

import { cloneFlagNames } from './clone.js';
import { PIDFD_NONBLOCK, PIDFD_SIGNAL_PROCESS_GROUP, PIDFD_SIGNAL_THREAD, PIDFD_SIGNAL_THREAD_GROUP, PIDFD_THREAD } from './pidfd.js';
import { PR_GET_CHILD_SUBREAPER, PR_GET_DUMPABLE, PR_GET_NAME, PR_GET_PDEATHSIG, PR_SET_CHILD_SUBREAPER, PR_SET_DUMPABLE, PR_SET_NAME, PR_SET_PDEATHSIG } from './prctl.js';
import { rebootCmdNames } from './reboot.js';
import { parseSignal, SiCode, saFlagNames, SFD_CLOEXEC, SFD_NONBLOCK, SIG_BLOCK, SIG_SETMASK, SIG_UNBLOCK, SIGRTMAX, SIGRTMIN, Signal } from './signal.js';
import { IdType, waitOptionNames } from './wait.js';
import { ioctlNames, openFlagNames, TOSTOP } from './tty.js';

export type ConstantFamily = 'clone' | 'clone_exit' | 'signal' | 'wait' | 'idtype' | 'prctl' | 'pidfd' | 'sa' | 'sighow' | 'sfd' | 'reboot' | 'sigset' | 'sicode' | 'ioctl' | 'open' | 'lflag';

/** How an error message names a family: "expected a signal, got WNOHANG". */
export const familyDescription = {
  clone: 'CLONE_* flags',
  clone_exit: 'CLONE_* flags and an exit signal',
  signal: 'a signal',
  wait: 'wait options',
  idtype: 'an id type (P_ALL, P_PID, P_PGID, P_PIDFD)',
  prctl: 'a prctl option',
  pidfd: 'PIDFD_* flags',
  sa: 'SA_* flags',
  sighow: 'SIG_BLOCK, SIG_UNBLOCK or SIG_SETMASK',
  sfd: 'SFD_* flags',
  reboot: 'a LINUX_REBOOT_CMD_* command',
  sigset: 'a signal set (signals combined with |)',
  sicode: 'an si_code (SI_USER, SI_QUEUE, SI_TKILL, SI_KERNEL, ...)',
  ioctl: 'a terminal ioctl (TIOCSCTTY, TIOCNOTTY, TIOCSPGRP, TIOCGPGRP, TIOCGSID, TIOCGPTPEER, TCSETS)',
  open: 'O_* open flags',
  lflag: 'TOSTOP or 0',
} satisfies Record<ConstantFamily, string>;

function enumEntries(e: Record<string, string | number>): [string, number][] {
  return Object.entries(e).filter((kv): kv is [string, number] => typeof kv[1] === 'number');
}

// SIGRTMIN and SIGRTMAX as the kernel numbers them (glibc reserves the first two or three).
// SIGRTMIN and SIGRTMAX as the kernel numbers them (glibc reserves the first two or three);
// SIGRTMIN+n and SIGRTMAX-n are resolved by constantIn.
const signals: ReadonlyMap<string, number> = new Map([...enumEntries(Signal), ['SIGRTMIN', SIGRTMIN], ['SIGRTMAX', SIGRTMAX]]);

const families: Readonly<Record<ConstantFamily, ReadonlyMap<string, number>>> = {
  clone: new Map(Object.entries(cloneFlagNames)),
  // Legacy clone's flags word: its low byte is the exit signal (CSIGNAL), so a signal name may be or'ed in.
  clone_exit: new Map([...Object.entries(cloneFlagNames), ...signals]),
  signal: signals,
  wait: new Map(Object.entries(waitOptionNames)),
  idtype: new Map(enumEntries(IdType)),
  prctl: new Map([
    ['PR_SET_PDEATHSIG', PR_SET_PDEATHSIG],
    ['PR_GET_PDEATHSIG', PR_GET_PDEATHSIG],
    ['PR_GET_DUMPABLE', PR_GET_DUMPABLE],
    ['PR_SET_DUMPABLE', PR_SET_DUMPABLE],
    ['PR_SET_NAME', PR_SET_NAME],
    ['PR_GET_NAME', PR_GET_NAME],
    ['PR_SET_CHILD_SUBREAPER', PR_SET_CHILD_SUBREAPER],
    ['PR_GET_CHILD_SUBREAPER', PR_GET_CHILD_SUBREAPER],
  ]),
  pidfd: new Map([
    ['PIDFD_THREAD', PIDFD_THREAD],
    ['PIDFD_NONBLOCK', PIDFD_NONBLOCK],
    ['PIDFD_SIGNAL_THREAD', PIDFD_SIGNAL_THREAD],
    ['PIDFD_SIGNAL_THREAD_GROUP', PIDFD_SIGNAL_THREAD_GROUP],
    ['PIDFD_SIGNAL_PROCESS_GROUP', PIDFD_SIGNAL_PROCESS_GROUP],
  ]),
  sa: new Map(Object.entries(saFlagNames)),
  sighow: new Map([
    ['SIG_BLOCK', SIG_BLOCK],
    ['SIG_UNBLOCK', SIG_UNBLOCK],
    ['SIG_SETMASK', SIG_SETMASK],
  ]),
  sfd: new Map([
    ['SFD_CLOEXEC', SFD_CLOEXEC],
    ['SFD_NONBLOCK', SFD_NONBLOCK],
  ]),
  reboot: new Map(Object.entries(rebootCmdNames)),
  // A set's members as mask bits (2 ** (sig - 1)); SIGRTMIN+n / SIGRTMAX-n are resolved by constantIn.
  sigset: new Map(([...enumEntries(Signal), ['SIGRTMIN', SIGRTMIN], ['SIGRTMAX', SIGRTMAX]] as [string, number][]).map(([n, v]): [string, number] => [n, 2 ** (v - 1)])),
  sicode: new Map(enumEntries(SiCode).filter(([n]) => n.startsWith('SI_'))),
  ioctl: new Map(Object.entries(ioctlNames)),
  open: new Map(Object.entries(openFlagNames)),
  lflag: new Map([['TOSTOP', TOSTOP]]),
};

/** The value of `name` in `family`, or undefined when the family has no such name. */
export function constantIn(family: ConstantFamily, name: string): number | undefined {
  const v = families[family].get(name);
  if (v === undefined && (family === 'signal' || family === 'sigset') && name.startsWith('SIGRT')) {
    const sig = parseSignal(name);
    return sig === undefined ? undefined : family === 'signal' ? sig : 2 ** (sig - 1);
  }
  return v;
}

/** The families that define `name` (empty for an unknown name). */
export function familiesOf(name: string): ConstantFamily[] {
  return (Object.keys(families) as ConstantFamily[]).filter((f) => constantIn(f, name) !== undefined);
}
