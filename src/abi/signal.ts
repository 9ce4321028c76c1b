// Signal numbers for x86_64 and the generic ABI (include/uapi/asm-generic/signal.h),
// and the si_code values of include/uapi/asm-generic/siginfo.h that identity cares about.

export enum Signal {
  SIGHUP = 1,
  SIGINT = 2,
  SIGQUIT = 3,
  SIGILL = 4,
  SIGTRAP = 5,
  SIGABRT = 6,
  SIGBUS = 7,
  SIGFPE = 8,
  SIGKILL = 9,
  SIGUSR1 = 10,
  SIGSEGV = 11,
  SIGUSR2 = 12,
  SIGPIPE = 13,
  SIGALRM = 14,
  SIGTERM = 15,
  SIGSTKFLT = 16,
  SIGCHLD = 17,
  SIGCONT = 18,
  SIGSTOP = 19,
  SIGTSTP = 20,
  SIGTTIN = 21,
  SIGTTOU = 22,
  SIGURG = 23,
  SIGXCPU = 24,
  SIGXFSZ = 25,
  SIGVTALRM = 26,
  SIGPROF = 27,
  SIGWINCH = 28,
  SIGIO = 29,
  SIGPWR = 30,
  SIGSYS = 31,
}

/** _NSIG in include/uapi/asm-generic/signal.h: real-time signals run up to 64. */
export const NSIG = 64;

/** valid_signal() in include/linux/signal.h. */
export function validSignal(sig: number): boolean {
  return Number.isInteger(sig) && sig >= 0 && sig <= NSIG;
}

export function signalName(sig: number): string {
  // The reverse mapping has no entry for real-time or invalid numbers.
  const name: string | undefined = Signal[sig];
  if (name !== undefined) return name;
  if (sig >= 34 && sig <= NSIG) return sig === 34 ? 'SIGRTMIN' : `SIGRT_${sig - 34}`;
  return String(sig);
}

/** Default actions, signal(7). */
export type DefaultAction = 'term' | 'core' | 'ign' | 'stop' | 'cont';

export function defaultAction(sig: number): DefaultAction {
  // Any number reaches here; those outside the enum take the default branch.
   
  switch (sig as Signal) {
    case Signal.SIGCHLD:
    case Signal.SIGURG:
    case Signal.SIGWINCH:
      return 'ign';
    case Signal.SIGCONT:
      return 'cont';
    case Signal.SIGSTOP:
    case Signal.SIGTSTP:
    case Signal.SIGTTIN:
    case Signal.SIGTTOU:
      return 'stop';
    case Signal.SIGQUIT:
    case Signal.SIGILL:
    case Signal.SIGTRAP:
    case Signal.SIGABRT:
    case Signal.SIGBUS:
    case Signal.SIGFPE:
    case Signal.SIGSEGV:
    case Signal.SIGXCPU:
    case Signal.SIGXFSZ:
    case Signal.SIGSYS:
      return 'core';
    default:
      return 'term';
  }
}

/** si_code values (include/uapi/asm-generic/siginfo.h). */
export enum SiCode {
  SI_USER = 0,
  SI_KERNEL = 0x80,
  SI_QUEUE = -1,
  SI_TKILL = -6,
  CLD_EXITED = 1,
  CLD_KILLED = 2,
  CLD_DUMPED = 3,
  CLD_TRAPPED = 4,
  CLD_STOPPED = 5,
  CLD_CONTINUED = 6,
}

export function siCodeName(code: SiCode, sig: number): string {
  // CLD_* share numbers with other families' codes; they mean CLD_* only for SIGCHLD.
  const n: number = code;
  if (n > 0 && n < 0x80 && sig !== (Signal.SIGCHLD as number)) return String(code);
  return SiCode[code];
}
