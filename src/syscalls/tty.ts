// The terminal system calls: posix_openpt (open of /dev/ptmx), ioctl on a
// pty, and read/write of one (kernel/tty.ts). Other files get the errno
// their file operations give (no ioctl: ENOTTY; no read or write: EINVAL).

import { Errno } from '../abi/errno.js';
import type { Kernel } from '../kernel/kernel.js';
import type { Task } from '../kernel/task.js';
import { TIOCGPTPEER } from '../abi/tty.js';
import { runTtyCall } from '../kernel/n_tty.js';
import { openPeer, ptmxOpen, type PtyFile } from '../kernel/tty.js';
import { err, ok, syscall } from './result.js';
import type { SysResult } from './result.js';

/** What a tty call gives now: its value, or 'block' (unfinished; a `resumed` event finishes it). */
export type TtyCallResult = SysResult<number | 'block'>;

function settled(k: Kernel, r: number | 'block' | { readonly errno: Errno }): TtyCallResult {
  k.settle();
  if (typeof r === 'object') return err(r.errno);
  return ok(r);
}

function ptyOf(me: Task, fd: number): PtyFile | 'other' | null {
  const f = fd >= 0 ? me.group.filesRef?.get(fd) : undefined;
  if (f === undefined) return null;
  return f.kind === 'pty' ? f : 'other';
}

/** posix_openpt(flags): open("/dev/ptmx", flags), then unlockpt. */
export function sysPosixOpenpt(k: Kernel, me: Task, flags: number): SysResult<number> {
  return syscall(k, () => ptmxOpen(k, me, flags));
}

/** ioctl(fd, request, arg) for the terminal requests of the language. */
export function sysIoctl(k: Kernel, me: Task, fd: number, request: number, arg: number): TtyCallResult {
  const f = ptyOf(me, fd);
  // Every actor's fds 0, 1 and 2 are /dev/null (the start state), which has no ioctl: ENOTTY, as for
  // a traced program whose output went to a file.
  if (f === null) return err(fd >= 0 && fd <= 2 ? Errno.ENOTTY : Errno.EBADF);
  if (f === 'other') return err(Errno.ENOTTY);
  if (request === TIOCGPTPEER) {
    return settled(k, openPeer(k, me, f, arg));
  }
  return settled(k, runTtyCall(k, me, 'ioctl', f, [request, arg]));
}

/** read(fd) of a pty; null when fd is not one (the caller reads it as another file). */
export function sysTtyRead(k: Kernel, me: Task, fd: number): TtyCallResult | null {
  const f = ptyOf(me, fd);
  if (f === null || f === 'other') return null;
  return settled(k, runTtyCall(k, me, 'read', f, []));
}

/** write(fd, &byte, 1). */
export function sysWrite(k: Kernel, me: Task, fd: number, byte: number): TtyCallResult {
  const f = ptyOf(me, fd);
  if (f === null) return err(Errno.EBADF);
  if (f === 'other') return err(Errno.EINVAL);
  return settled(k, runTtyCall(k, me, 'write', f, [byte & 0xff]));
}
