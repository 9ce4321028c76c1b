// Shapes shared by the signal code: dispositions and the siginfo a handler sees.

/** sa_handler: default, ignore, or a handler (`catch`: SA_SIGINFO, no SA_RESTART). */
export type SignalDisposition = 'SIG_DFL' | 'SIG_IGN' | 'catch';

/** The fields of siginfo_t that identity cares about. */
export interface SigInfo {
  readonly signo: number;
  /** si_code: SI_USER, SI_TKILL, SI_KERNEL, or CLD_* for SIGCHLD. */
  readonly code: number;
  /** The sender's id as the receiver's namespace sees it (0 when invisible). */
  readonly pid: number;
  /** For SIGCHLD: the exit code or the signal. */
  readonly status: number;
}
