// What a blocked wait4/waitid remembers, so that a later step can finish it.

import type { Errno } from '../abi/errno.js';
import type { WaitStatus } from '../abi/wait.js';
import type { Pid } from './pid.js';
import type { SigWaitRequest } from './signal_types.js';
import type { TtyRequest } from './n_tty.js';

export type WaitTarget =
  /** P_ALL / wait4(-1). */
  | { readonly kind: 'all' }
  /** P_PID / wait4(N) / P_PIDFD: the Pid whose thread group is awaited. */
  | { readonly kind: 'pid'; readonly pid: Pid }
  /** P_PGID / wait4(-N) / wait4(0): any child in this process group. */
  | { readonly kind: 'pgid'; readonly pid: Pid };

export interface WaitRequest {
  readonly syscall: 'wait4' | 'waitid';
  readonly target: WaitTarget;
  /** Kernel wo_flags (WEXITED etc.; wait4 adds WEXITED itself). */
  readonly options: number;
}

/** What a finished wait returns. */
export type WaitOutcome =
  | { readonly kind: 'found'; readonly pid: number; readonly status: WaitFound }
  /** WNOHANG and nothing ready: wait4 returns 0, waitid fills si_pid = 0. */
  | { readonly kind: 'none' }
  | { readonly kind: 'error'; readonly errno: Errno };

/** What a found child reports (abi/wait.ts). */
export type WaitFound = WaitStatus;

/** What a task can be blocked in: a wait, or one of the calls that wait for a signal. */
export type BlockedCall = WaitRequest | SigWaitRequest | TtyRequest;

export function isWaitRequest(b: BlockedCall): b is WaitRequest {
  return b.syscall === 'wait4' || b.syscall === 'waitid';
}
