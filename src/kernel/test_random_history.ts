// Random histories for property tests: an operation is five numbers that
// pick a runnable task and a system call with its arguments (shared by the
// model's property tests and the snapshot round-trip test).

import fc from 'fast-check';
import { CLONE_NEWPID, CLONE_NEWUSER, CLONE_PARENT, CLONE_SIGHAND, CLONE_THREAD, CLONE_VM } from '../abi/clone.js';
import { PIDFD_THREAD } from '../abi/pidfd.js';
import { PR_GET_CHILD_SUBREAPER, PR_SET_CHILD_SUBREAPER } from '../abi/prctl.js';
import { Signal } from '../abi/signal.js';
import { IdType, WCONTINUED, WEXITED, WNOHANG, WNOWAIT, WSTOPPED, WUNTRACED, __WALL, __WCLONE } from '../abi/wait.js';
import type { SysResult } from '../syscalls/result.js';
import { TaskApi } from '../syscalls/task_api.js';
import { O_NOCTTY, O_RDWR, O_WRONLY, TCSETS, TIOCGPTPEER, TIOCNOTTY, TIOCSCTTY, TIOCSPGRP, TOSTOP } from '../abi/tty.js';
import { sysIoctl, sysPosixOpenpt, sysTtyRead, sysWrite } from '../syscalls/tty.js';
import type { Kernel } from './kernel.js';
import { VINTR_CHAR, VQUIT_CHAR, VSUSP_CHAR } from './n_tty.js';
import { withoutCounters } from './snapshot.js';
import type { Snapshot } from './snapshot.js';
import type { Task } from './task.js';

export type Op = { readonly kind: number; readonly who: number; readonly a: number; readonly b: number; readonly c: number };

const SIGNALS = [0, Signal.SIGKILL, Signal.SIGTERM, Signal.SIGSTOP, Signal.SIGCONT, Signal.SIGCHLD, Signal.SIGUSR1, Signal.SIGTSTP, 99];
const WAIT4_OPTS = [0, WNOHANG, WNOHANG | __WALL, WUNTRACED | WNOHANG, WCONTINUED | WNOHANG, __WCLONE | WNOHANG, 0x4000];
const WAITID_OPTS = [WEXITED | WNOHANG, WEXITED | WNOWAIT | WNOHANG, WSTOPPED | WNOHANG, WCONTINUED | WNOHANG, WEXITED, 0];
const CLONE_FLAGS = [
  0,
  CLONE_NEWPID,
  CLONE_THREAD | CLONE_SIGHAND | CLONE_VM,
  CLONE_THREAD,
  CLONE_SIGHAND,
  CLONE_PARENT,
  CLONE_NEWPID | CLONE_THREAD | CLONE_SIGHAND | CLONE_VM,
  CLONE_NEWUSER | CLONE_NEWPID,
  CLONE_SIGHAND | CLONE_VM,
];
const pick = <T>(xs: readonly T[], i: number): T => xs[i % xs.length]!;

/** Cursors aside, for the one failure Linux does not roll back. */
export function withoutCursors(s: Snapshot): Snapshot {
  return { ...s, namespaces: s.namespaces.map((n) => ({ ...n, cursor: 0 })) };
}

/** What a failed call must leave as it was: everything but the counters (withoutCounters says why), and for alloc_pid's EAGAIN/ENOMEM the cursors. */
export function failedCallView(s: Snapshot, allocPidFailure: boolean): unknown {
  return withoutCounters(allocPidFailure ? withoutCursors(s) : s);
}

function runnable(k: Kernel): Task[] {
  return k.liveTasks().filter((t) => t.exitState === 'alive' && t.blocked === null && !t.stopped);
}

/** A pid argument: some task's id as the caller sees it, or a raw number. */
function pidArg(k: Kernel, me: Task, i: number): number {
  const all = k.liveTasks();
  if (i % 5 === 4) return [0, -1, 1, 2, 300, 99999, -2][i % 7]!;
  const t = all[i % all.length]!;
  const nr: number = t.tidIn(me.activeNs);
  return i % 3 === 0 ? -nr : nr;
}

/** One of the caller's pty fds (most of the time), else a number where fds land. */
function ptyFd(me: Task, i: number): number {
  const fds = (me.group.filesRef?.entries() ?? []).filter(([, f]) => f.kind === 'pty').map(([fd]) => fd);
  return fds.length > 0 && i % 7 !== 0 ? fds[i % fds.length]! : 3 + (i % 6);
}

export function step(k: Kernel, op: Op): { result: SysResult<unknown>; forkFamily: boolean } | null {
  const tasks = runnable(k);
  if (tasks.length === 0) return null;
  const me = tasks[op.who % tasks.length]!;
  const api = new TaskApi(k, me);
  const { a, b, c } = op;
  let forkFamily = false;
  let result: SysResult<unknown>;
  let kind = op.kind % 34;
  // The scenario's init dies rarely, or most sequences would end at once.
  if (me === k.init && (kind === 6 || kind === 7 || ((kind === 12 || kind === 13) && b % 9 !== 0)) && a % 10 !== 0) kind = 0;
  switch (kind) {
    case 0:
    case 1:
      forkFamily = true;
      result = api.fork();
      break;
    case 2:
      forkFamily = true;
      result = api.clone(pick(CLONE_FLAGS, a) + (pick(CLONE_FLAGS, a) & CLONE_THREAD ? 0 : Signal.SIGCHLD));
      break;
    case 3: {
      forkFamily = true;
      const sizes = [undefined, [], [a % 20 + 1], [1], [b % 400 + 1, c % 50 + 1], [2, 2, 2], Array.from({ length: 40 }, () => 5)];
      result = api.clone3({ flags: pick([0, CLONE_NEWPID, CLONE_PARENT, CLONE_THREAD | CLONE_SIGHAND | CLONE_VM], b), setTid: pick(sizes, a), exitSignal: pick([Signal.SIGCHLD, 0, Signal.SIGUSR1, 65], c) });
      break;
    }
    case 4:
      result = api.unshare(pick([CLONE_NEWPID, CLONE_NEWPID | CLONE_NEWUSER, CLONE_THREAD, 0x1], a));
      break;
    case 5: {
      const all = k.liveTasks();
      const t = all[a % all.length]!;
      result = b % 2 === 0 ? api.setns(t.activeNs, pick([CLONE_NEWPID, 0, CLONE_NEWUSER], c)) : api.setns(t.nsForChildren, CLONE_NEWPID);
      break;
    }
    case 6:
      result = api.exit(a % 256);
      break;
    case 7:
      result = api.exitGroup(a % 256);
      break;
    case 8:
      result = api.execve();
      break;
    case 9:
    case 10:
      result = api.wait4(b % 2 === 0 ? -1 : pidArg(k, me, a), pick(WAIT4_OPTS, c));
      break;
    case 11:
      result = api.waitid(pick([IdType.P_ALL, IdType.P_PID, IdType.P_PGID, IdType.P_PIDFD, 7], a), Math.abs(pidArg(k, me, b)) % 1000, pick(WAITID_OPTS, c));
      break;
    case 12:
    case 13:
      result = api.kill(pidArg(k, me, a), pick(SIGNALS, b));
      break;
    case 14:
      result = api.tgkill(Math.abs(pidArg(k, me, a)), Math.abs(pidArg(k, me, b)), pick(SIGNALS, c));
      break;
    case 15:
      result = api.signal(pick([Signal.SIGCHLD, Signal.SIGTERM, Signal.SIGUSR1, Signal.SIGKILL, Signal.SIGCONT, Signal.SIGTSTP], a), pick(['SIG_DFL', 'SIG_IGN', 'catch'] as const, b));
      break;
    case 16:
      result = pick([api.getpid.bind(api), api.getppid.bind(api), api.gettid.bind(api), api.getpgrp.bind(api)], a)();
      break;
    case 17:
      result = b % 2 === 0 ? api.getpgid(pidArg(k, me, a)) : api.getsid(pidArg(k, me, a));
      break;
    case 18:
      result = api.setpgid(b % 3 === 0 ? 0 : pidArg(k, me, a), c % 3 === 0 ? 0 : Math.abs(pidArg(k, me, c)));
      break;
    case 19:
      result = api.setsid();
      break;
    case 20:
      result = a % 3 === 0 ? api.prctl(PR_GET_CHILD_SUBREAPER) : api.prctl(PR_SET_CHILD_SUBREAPER, b % 2);
      break;
    case 21:
      result = api.pidfdOpen(pidArg(k, me, a), pick([0, PIDFD_THREAD, 0x7], b));
      break;
    case 22:
      result = c % 2 === 0 ? api.close(3 + (a % 4)) : api.pidfdSendSignal(3 + (a % 4), pick(SIGNALS, b));
      break;
    case 23:
      result = api.sysctl(a % 2 === 0 ? 'kernel.pid_max' : 'kernel.ns_last_pid', pick([undefined, 301, 310, 300, 4194305, 32768, 305, -1], b));
      break;
    case 24:
      result = api.setuid(pick([0, 1000, 65534, -5], a));
      break;
    case 25:
      result = api.setnsPidfd(3 + (a % 4), pick([CLONE_NEWPID, 0, CLONE_NEWUSER], b));
      break;
    // Terminals (kernel/tty.ts): a new pair, the ioctls, a typed byte, a read; fds 3..8 are where they land.
    case 26:
    case 30:
      result = sysPosixOpenpt(k, me, pick([O_RDWR | O_NOCTTY, O_RDWR, O_WRONLY | O_NOCTTY], a));
      break;
    case 27:
    case 31:
    case 32:
      result = sysIoctl(k, me, ptyFd(me, a), pick([TIOCGPTPEER, TIOCGPTPEER, TIOCSCTTY, TIOCNOTTY, TIOCSPGRP, TCSETS], b), b % 6 === 4 ? Math.abs(pidArg(k, me, c)) : b % 6 === 5 ? pick([TOSTOP, 0], c) : pick([O_RDWR, O_RDWR | O_NOCTTY, 0, 1], c));
      break;
    case 28:
    case 33:
      result = sysWrite(k, me, ptyFd(me, a), pick([120, 10, 10, VINTR_CHAR, VSUSP_CHAR, VQUIT_CHAR], b));
      break;
    default:
      result = sysTtyRead(k, me, ptyFd(me, a)) ?? api.close(ptyFd(me, a));
      break;
  }
  return { result, forkFamily };
}

export const opArb = fc.record({ kind: fc.nat(200), who: fc.nat(50), a: fc.nat(1000), b: fc.nat(1000), c: fc.nat(1000) });

