// Shapes shared by the signal code: dispositions, actions and the siginfo a handler sees.

import type { SigSet } from '../abi/signal.js';

/** sa_handler: default, ignore, or a handler (`catch`: the scenario's recording handler). */
export type SignalDisposition = 'SIG_DFL' | 'SIG_IGN' | 'catch';

/** struct k_sigaction: the handler, sa_flags (SA_*) and sa_mask (never holding SIGKILL or SIGSTOP). */
export interface SigAction {
  readonly handler: SignalDisposition;
  readonly flags: number;
  readonly mask: SigSet;
}

/** The fields of siginfo_t that identity cares about. */
export interface SigInfo {
  readonly signo: number;
  /** si_code: SI_USER, SI_TKILL, SI_QUEUE, SI_KERNEL, CLD_* for SIGCHLD, or what a sender to itself forged. */
  readonly code: number;
  /** The sender's id as the receiver's namespace sees it (0 when invisible); a queued siginfo's si_pid as written. */
  readonly pid: number;
  /** For SIGCHLD: the exit code or the signal. */
  readonly status: number;
  /** si_value (sigval_t's int) of a queued siginfo; absent for the kernel's own. */
  readonly value?: number;
}

/** A handler frame set up on the way back to user space but not yet run: its siginfo and the mask sigreturn restores. */
export interface SigFrame {
  readonly info: SigInfo;
  readonly saved: SigSet;
}

/** signalfd(2)'s file: the signals its reads take (ctx->sigmask inverted back to the set asked for). Shared by forks, as a file is. */
export interface SignalFd {
  readonly kind: 'signalfd';
  mask: SigSet;
  readonly nonblock: boolean;
  readonly cloexec: boolean;
}

/** A call blocked until a signal comes: sigsuspend and pause (until a handler runs), sigtimedwait (until one of `set`), a signalfd read. */
export type SigWaitRequest =
  | { readonly syscall: 'rt_sigsuspend' | 'pause' }
  | { readonly syscall: 'rt_sigtimedwait'; readonly set: SigSet }
  | { readonly syscall: 'read'; readonly fd: number; readonly file: SignalFd };
