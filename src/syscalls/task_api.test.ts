// The API edge: a failure carries its errno's typed name and the system call
// that made it, and orThrow's SyscallError says both.

import { describe, expect, it } from 'vitest';
import { SyscallError } from '../abi/errno.js';
import { Kernel } from '../kernel/kernel.js';
import { orThrow, TaskApi } from './task_api.js';

describe('TaskApi failures', () => {
  it('name the system call as strace would', () => {
    const k = new Kernel();
    const init = new TaskApi(k, k.init);
    expect(init.pidfdOpen(999, 0)).toEqual({ ok: false, errno: 3, code: 'ESRCH', syscall: 'pidfd_open' });
    expect(init.setnsPidfd(9, 0)).toMatchObject({ code: 'EBADF', syscall: 'setns' });
    expect(init.signal(9, 'SIG_IGN')).toMatchObject({ code: 'EINVAL', syscall: 'rt_sigaction' });
    expect(init.setsid()).toMatchObject({ code: 'EPERM', syscall: 'setsid' });
  });

  it('orThrow throws a SyscallError with errno, code and syscall', () => {
    const k = new Kernel();
    const init = new TaskApi(k, k.init);
    let caught: unknown;
    try {
      orThrow(init.kill(999, 0));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SyscallError);
    expect(caught).toMatchObject({ errno: 3, code: 'ESRCH', syscall: 'kill', message: 'kill: ESRCH (No such process)' });
  });
});
