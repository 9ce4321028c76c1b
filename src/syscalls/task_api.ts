// The embedder's handle on one task: every system call the model has, made
// as that task, each returning the kernel's errno as data. `orThrow` turns a
// result into a value or a SyscallError at the API edge.

import { SyscallError } from '../abi/errno.js';
import type { Kernel } from '../kernel/kernel.js';
import type { PidNamespace } from '../kernel/pid_namespace.js';
import type { SigSet } from '../abi/signal.js';
import type { SigAction, SignalDisposition } from '../kernel/signal_types.js';
import type { SysctlKey } from '../kernel/sys.js';
import type { Task } from '../kernel/task.js';
import { sysGetpgid, sysGetpgrp, sysGetpid, sysGetppid, sysGetsid, sysGettid, sysSetpgid, sysSetsid } from './ids.js';
import { sysSetnsNamespace, sysSetnsPidfd, sysUnshare } from './ns.js';
import { sysClose, sysPidfdOpen } from './pidfd.js';
import { sysClone, sysClone3, sysExecve, sysExit, sysExitGroup, sysFork } from './process.js';
import type { Clone3Args, Forked } from './process.js';
import type { SysResult } from './result.js';
import {
  sysKill,
  sysPause,
  sysPidfdSendSignal,
  sysRead,
  sysReboot,
  sysRtSigaction,
  sysRtSigpending,
  sysRtSigprocmask,
  sysRtSigqueueinfo,
  sysRtSigsuspend,
  sysRtSigtimedwait,
  sysRtTgsigqueueinfo,
  sysSignal,
  sysSignalfd,
  sysTgkill,
} from './signal.js';
import type { SigWaitCall, UserSigInfo } from './signal.js';
import { sysPrctl, sysSetuid, sysSysctlRead, sysSysctlWrite } from './sys.js';
import { sysWait4, sysWaitid } from './wait.js';
import type { WaitCall } from './wait.js';

export class TaskApi {
  constructor(
    readonly kernel: Kernel,
    readonly task: Task,
  ) {}

  fork(comm?: string): SysResult<Forked> {
    return named('fork', sysFork(this.kernel, this.task, comm));
  }
  /** Raw clone: the low byte of `flags` is the exit signal. */
  clone(flags: number, comm?: string): SysResult<Forked> {
    return named('clone', sysClone(this.kernel, this.task, flags, comm));
  }
  clone3(args: Clone3Args, comm?: string): SysResult<Forked> {
    return named('clone3', sysClone3(this.kernel, this.task, args, comm));
  }
  unshare(flags: number): SysResult<0> {
    return named('unshare', sysUnshare(this.kernel, this.task, flags));
  }
  /** setns() with a PID namespace file (as /proc/PID/ns/pid gives it). */
  setns(ns: PidNamespace, flags: number): SysResult<0> {
    return named('setns', sysSetnsNamespace(this.kernel, this.task, ns, flags));
  }
  setnsPidfd(fd: number, flags: number): SysResult<0> {
    return named('setnsPidfd', sysSetnsPidfd(this.kernel, this.task, fd, flags));
  }
  exit(code: number): SysResult<never> {
    return named('exit', sysExit(this.kernel, this.task, code));
  }
  exitGroup(code: number): SysResult<never> {
    return named('exitGroup', sysExitGroup(this.kernel, this.task, code));
  }
  execve(): SysResult<0> {
    return named('execve', sysExecve(this.kernel, this.task));
  }
  wait4(pid: number, options: number): SysResult<WaitCall> {
    return named('wait4', sysWait4(this.kernel, this.task, pid, options));
  }
  waitid(idtype: number, id: number, options: number): SysResult<WaitCall> {
    return named('waitid', sysWaitid(this.kernel, this.task, idtype, id, options));
  }
  kill(pid: number, sig: number): SysResult<0> {
    return named('kill', sysKill(this.kernel, this.task, pid, sig));
  }
  tgkill(tgid: number, tid: number, sig: number): SysResult<0> {
    return named('tgkill', sysTgkill(this.kernel, this.task, tgid, tid, sig));
  }
  pidfdOpen(pid: number, flags: number): SysResult<number> {
    return named('pidfdOpen', sysPidfdOpen(this.kernel, this.task, pid, flags));
  }
  pidfdSendSignal(fd: number, sig: number, flags = 0, info: UserSigInfo | null = null): SysResult<0> {
    return named('pidfdSendSignal', sysPidfdSendSignal(this.kernel, this.task, fd, sig, flags, info));
  }
  rtSigqueueinfo(pid: number, sig: number, info: UserSigInfo): SysResult<0> {
    return named('rtSigqueueinfo', sysRtSigqueueinfo(this.kernel, this.task, pid, sig, info));
  }
  rtTgsigqueueinfo(tgid: number, tid: number, sig: number, info: UserSigInfo): SysResult<0> {
    return named('rtTgsigqueueinfo', sysRtTgsigqueueinfo(this.kernel, this.task, tgid, tid, sig, info));
  }
  /** rt_sigprocmask: the old mask; `set` null only reads it. */
  rtSigprocmask(how: number, set: SigSet | null): SysResult<SigSet> {
    return named('rtSigprocmask', sysRtSigprocmask(this.kernel, this.task, how, set));
  }
  /** rt_sigaction: the old action; `act` null only reads it. */
  rtSigaction(sig: number, act: SigAction | null): SysResult<SigAction> {
    return named('rtSigaction', sysRtSigaction(this.kernel, this.task, sig, act));
  }
  rtSigpending(): SysResult<SigSet> {
    return named('rtSigpending', sysRtSigpending(this.kernel, this.task));
  }
  rtSigsuspend(mask: SigSet): SysResult<SigWaitCall> {
    return named('rtSigsuspend', sysRtSigsuspend(this.kernel, this.task, mask));
  }
  pause(): SysResult<SigWaitCall> {
    return named('pause', sysPause(this.kernel, this.task));
  }
  rtSigtimedwait(set: SigSet, timeout: 0 | null): SysResult<SigWaitCall> {
    return named('rtSigtimedwait', sysRtSigtimedwait(this.kernel, this.task, set, timeout));
  }
  signalfd(fd: number, mask: SigSet, flags: number): SysResult<number> {
    return named('signalfd', sysSignalfd(this.kernel, this.task, fd, mask, flags));
  }
  /** read(2) of one siginfo from a signalfd. */
  read(fd: number): SysResult<SigWaitCall> {
    return named('read', sysRead(this.kernel, this.task, fd));
  }
  reboot(cmd: number, magic1 = 0xfee1dead, magic2 = 672274793): SysResult<never> {
    return named('reboot', sysReboot(this.kernel, this.task, magic1, magic2, cmd));
  }
  close(fd: number): SysResult<0> {
    return named('close', sysClose(this.kernel, this.task, fd));
  }
  signal(sig: number, disposition: SignalDisposition): SysResult<0> {
    return named('signal', sysSignal(this.kernel, this.task, sig, disposition));
  }
  getpid(): SysResult<number> {
    return named('getpid', sysGetpid(this.kernel, this.task));
  }
  getppid(): SysResult<number> {
    return named('getppid', sysGetppid(this.kernel, this.task));
  }
  gettid(): SysResult<number> {
    return named('gettid', sysGettid(this.kernel, this.task));
  }
  getpgrp(): SysResult<number> {
    return named('getpgrp', sysGetpgrp(this.kernel, this.task));
  }
  getpgid(pid: number): SysResult<number> {
    return named('getpgid', sysGetpgid(this.kernel, this.task, pid));
  }
  getsid(pid: number): SysResult<number> {
    return named('getsid', sysGetsid(this.kernel, this.task, pid));
  }
  setpgid(pid: number, pgid: number): SysResult<0> {
    return named('setpgid', sysSetpgid(this.kernel, this.task, pid, pgid));
  }
  setsid(): SysResult<number> {
    return named('setsid', sysSetsid(this.kernel, this.task));
  }
  prctl(option: number, arg = 0): SysResult<number> {
    return named('prctl', sysPrctl(this.kernel, this.task, option, arg));
  }
  sysctl(key: SysctlKey, value?: number): SysResult<number> {
    return named('sysctl', value === undefined ? sysSysctlRead(this.kernel, this.task, key) : sysSysctlWrite(this.kernel, this.task, key, value));
  }
  setuid(uid: number): SysResult<0> {
    return named('setuid', sysSetuid(this.kernel, this.task, uid));
  }
}

/** Methods whose system call is not their name in snake case. */
const SYSCALL_OF: Readonly<Record<string, string>> = { setnsPidfd: 'setns', signal: 'rt_sigaction' };

/** A failure names the system call that made it (what strace would print): the method's name in snake case. */
function named<T>(method: string, r: SysResult<T>): SysResult<T> {
  if (r.ok) return r;
  return { ...r, syscall: SYSCALL_OF[method] ?? method.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) };
}

/** The value of a successful call; a SyscallError (errno, code, and the system call) otherwise. */
export function orThrow<T>(r: SysResult<T>, syscall?: string): T {
  if (r.ok) return r.value;
  throw new SyscallError(r.errno, syscall ?? r.syscall ?? 'syscall');
}
