// Opening a pidfd (the pidfd-open system call) and close(2).

import type { Kernel } from '../kernel/kernel.js';
import { doClose, doPidfdOpen } from '../kernel/pidfd.js';
import type { Task } from '../kernel/task.js';
import { ttyClosed } from '../kernel/tty.js';
import { syscall } from './result.js';
import type { SysResult } from './result.js';

export function sysPidfdOpen(k: Kernel, me: Task, pid: number, flags: number): SysResult<number> {
  return syscall(k, () => doPidfdOpen(k, me, pid, flags));
}

export function sysClose(k: Kernel, me: Task, fd: number): SysResult<0> {
  return syscall(k, () => {
    const file = fd >= 0 ? me.group.filesRef?.get(fd) : undefined;
    const r = doClose(me, fd);
    // A pty master's last close hangs its slave up (pty_close).
    if (r === 0 && file?.kind === 'pty') ttyClosed(k, file);
    return r;
  });
}
