// Opening a pidfd (the pidfd-open system call) and close(2).

import type { Kernel } from '../kernel/kernel.js';
import { doClose, doPidfdOpen } from '../kernel/pidfd.js';
import type { Task } from '../kernel/task.js';
import { syscall } from './result.js';
import type { SysResult } from './result.js';

export function sysPidfdOpen(k: Kernel, me: Task, pid: number, flags: number): SysResult<number> {
  return syscall(k, () => doPidfdOpen(k, me, pid, flags));
}

export function sysClose(k: Kernel, me: Task, fd: number): SysResult<0> {
  return syscall(k, () => doClose(me, fd));
}
