// What a system call returns to its caller: a value or the kernel's errno.
// Every call lets the kernel settle before it returns (signals delivered,
// deaths and reaps done, blocked waits resumed), as the real kernel would have
// by the time the caller runs again.

import { Errno, errnoName, type ErrnoCode } from '../abi/errno.js';
import type { Kernel } from '../kernel/kernel.js';
import { isFail } from '../kernel/result.js';
import type { Fail } from '../kernel/result.js';

/**
 * A system call's result: its value, or the errno with its typed name; at the
 * API edge (TaskApi) a failure also names the system call that made it.
 */
export type SysResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly errno: Errno; readonly code: ErrnoCode; readonly syscall?: string };

export function ok<T>(value: T): SysResult<T> {
  return { ok: true, value };
}

export function err<T>(errno: Errno): SysResult<T> {
  return { ok: false, errno, code: errnoName(errno) };
}

/** Runs a kernel operation as a system call: Fail becomes an errno result, and the kernel settles. */
export function syscall<T>(k: Kernel, body: () => T | Fail): SysResult<T> {
  const r = body();
  k.settle();
  return isFail(r) ? err(r.errno) : ok(r);
}

/** A call the model does not implement: ENOSYS, honestly. */
export function enosys<T>(): SysResult<T> {
  return err(Errno.ENOSYS);
}
