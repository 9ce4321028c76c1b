// The only place the planner spells system calls: each function returns one
// scenario step (docs/language.md) as text. Keeping them here keeps the call
// names in one file (test/shape.test.ts counts the files that mention some).

import { signalName, sigsetMembers } from '../abi/signal.js';

/** A signal set as the language writes it: names joined by `|`, or 0. */
export function sigSetText(set: bigint): string {
  const members = sigsetMembers(set);
  return members.length === 0 ? '0' : members.map(signalName).join('|');
}

/** clone3 with the numbers innermost first (set_tid), as the kernel reads them; fewer than the levels leave the outer ones to the allocator. */
export function clone3(actor: string, child: string, flags: readonly string[], setTid: readonly number[], exitSignal: number): string {
  const parts: string[] = [];
  if (flags.length > 0) parts.push(`flags=${flags.join('|')}`);
  // An empty set_tid is EINVAL (clone3 wants set_tid and set_tid_size both or neither): then it is left out.
  if (setTid.length > 0) parts.push(`set_tid=[${setTid.join(', ')}]`);
  if (exitSignal > 0) parts.push(`exit_signal=${signalName(exitSignal)}`);
  return `${actor}: clone3(${parts.join(', ')}) -> ${child}`;
}

export const THREAD_FLAGS = ['CLONE_THREAD', 'CLONE_SIGHAND', 'CLONE_VM'] as const;
export const NEWPID = 'CLONE_NEWPID';

export const setsid = (a: string): string => `${a}: setsid()`;
/** Join (or, with 0, lead) a process group: `pgid` as the caller's namespace numbers it. */
export const joinGroup = (a: string, pgid: number): string => `${a}: setpgid(0, ${pgid})`;
/** Future children in the PID namespace `b` is in. */
export const setnsTo = (a: string, b: string): string => `${a}: setns(ns(${b}), CLONE_NEWPID)`;
export const unsharePid = (a: string): string => `${a}: unshare(CLONE_NEWPID)`;
export const subreaper = (a: string, on: boolean): string => `${a}: prctl(PR_SET_CHILD_SUBREAPER, ${on ? 1 : 0})`;
export const setDumpable = (a: string, on: boolean): string => `${a}: prctl(PR_SET_DUMPABLE, ${on ? 1 : 0})`;
export const pdeath = (a: string, sig: number): string => `${a}: prctl(PR_SET_PDEATHSIG, ${sig === 0 ? '0' : signalName(sig)})`;
export const writePidMax = (a: string, n: number): string => `${a}: sysctl(kernel.pid_max, ${n})`;
export const writeLastPid = (a: string, n: number): string => `${a}: sysctl(kernel.ns_last_pid, ${n})`;
export const exitThread = (a: string, code: number): string => `${a}: exit(${code})`;
/** reboot(CMD) inside a child PID namespace: the caller exits, the init is killed (reboot_pid_ns). */
export const reboot = (a: string, cmd: string): string => `${a}: reboot(${cmd})`;
export const exitGroup = (a: string, code: number): string => `${a}: exit_group(${code})`;
export const kill = (a: string, target: string, sig: number): string => `${a}: kill($${target}, ${signalName(sig)})`;
export const threadKill = (a: string, tgid: string, tid: string, sig: number): string => `${a}: tgkill($${tgid}, $${tid}, ${signalName(sig)})`;
export const queueInfo = (a: string, target: string, sig: number, code: number, value: number, pid: number): string =>
  `${a}: rt_sigqueueinfo($${target}, ${signalName(sig)}, ${code}, ${value}, ${pid})`;
export const threadQueueInfo = (a: string, tgid: string, tid: string, sig: number, code: number, value: number, pid: number): string =>
  `${a}: rt_tgsigqueueinfo($${tgid}, $${tid}, ${signalName(sig)}, ${code}, ${value}, ${pid})`;
/** Reap `child` (by name): its number stays taken only if something else holds it. */
export const reap = (a: string, child: string): string => `${a}: wait4($${child}, __WALL)`;
export const waitFor = (a: string, syscall: 'wait4' | 'waitid', args: string): string => `${a}: ${syscall}(${args})`;
export const action = (a: string, sig: number, handler: string, flags: number, mask: bigint): string => `${a}: rt_sigaction(${signalName(sig)}, ${handler}, ${flags}, ${sigSetText(mask)})`;
export const setMask = (a: string, mask: bigint): string => `${a}: rt_sigprocmask(SIG_SETMASK, ${sigSetText(mask)})`;
export const openPidfd = (a: string, target: string, thread: boolean, nonblock: boolean, fd: string): string => {
  const flags = [thread ? 'PIDFD_THREAD' : '', nonblock ? 'PIDFD_NONBLOCK' : ''].filter((f) => f !== '');
  return `${a}: pidfd_open($${target}, ${flags.length === 0 ? '0' : flags.join('|')}) -> ${fd}`;
};
export const execve = (a: string): string => `${a}: execve()`;
export const closeFd = (a: string, fd: string): string => `${a}: close(${fd})`;
export const setUid = (a: string, uid: number): string => `${a}: setuid(${uid})`;
/** setresuid(r, e, s): -1 keeps an id. */
export const setResUid = (a: string, r: number, e: number, s: number): string => `${a}: setresuid(${r}, ${e}, ${s})`;
/** A new user namespace for the caller alone (owner: its euid; it holds every capability there). */
export const unshareUser = (a: string): string => `${a}: unshare(CLONE_NEWUSER)`;
export const NEWUSER = 'CLONE_NEWUSER';
export const PARENT = 'CLONE_PARENT';
export const sigsuspend = (a: string, mask: bigint): string => `${a}: rt_sigsuspend(${sigSetText(mask)})`;
export const pause = (a: string): string => `${a}: pause()`;
export const sigtimedwait = (a: string, set: bigint): string => `${a}: rt_sigtimedwait(${sigSetText(set)})`;

// Terminals (ttys.ts). Every open is O_NOCTTY: a controlling terminal is taken by TIOCSCTTY alone, where the plan chooses.
const openMode = (readable: boolean, writable: boolean): string => (readable && writable ? 'O_RDWR' : readable ? 'O_RDONLY' : 'O_WRONLY');
export const openMaster = (a: string, readable: boolean, writable: boolean, fd: string): string => `${a}: posix_openpt(${openMode(readable, writable)}|O_NOCTTY) -> ${fd}`;
export const openSlave = (a: string, master: string, readable: boolean, writable: boolean, fd: string): string => `${a}: ioctl(${master}, TIOCGPTPEER, ${openMode(readable, writable)}|O_NOCTTY) -> ${fd}`;
export const setCtty = (a: string, fd: string): string => `${a}: ioctl(${fd}, TIOCSCTTY, 0)`;
/** TIOCNOTTY on a slave (tty_jobctrl_ioctl compares the fd's own tty, never a master, with signal->tty). */
export const giveUpCtty = (a: string, fd: string): string => `${a}: ioctl(${fd}, TIOCNOTTY)`;
/** tcsetpgrp: `pgid` as the caller's namespace numbers it. */
export const setForeground = (a: string, fd: string, pgid: number): string => `${a}: ioctl(${fd}, TIOCSPGRP, ${pgid})`;
export const setTostop = (a: string, fd: string): string => `${a}: ioctl(${fd}, TCSETS, TOSTOP)`;
/** One byte typed on a master. */
export const type = (a: string, fd: string, byte: number): string => `${a}: write(${fd}, ${byte})`;
/** A new signalfd (fd -1) with its mask and flags, named `fd`. */
export const signalfd = (a: string, mask: bigint, nonblock: boolean, cloexec: boolean, fd: string): string => {
  const flags = [nonblock ? 'SFD_NONBLOCK' : '', cloexec ? 'SFD_CLOEXEC' : ''].filter((f) => f !== '');
  return `${a}: signalfd(-1, ${sigSetText(mask)}, ${flags.length === 0 ? '0' : flags.join('|')}) -> ${fd}`;
};
export const readFd = (a: string, fd: string): string => `${a}: read(${fd})`;
