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
/** SIGRTMIN and SIGRTMAX as the kernel numbers them (glibc reserves 32 and 33 for itself and says 34). */
export const SIGRTMIN = 32;
export const SIGRTMAX = NSIG;

/** valid_signal() in include/linux/signal.h. */
export function validSignal(sig: number): boolean {
  return Number.isInteger(sig) && sig >= 0 && sig <= NSIG;
}

/**
 * The one canonical name of a signal number: its uapi name, or for the
 * real-time range SIGRTMIN, SIGRTMIN+1 .. SIGRTMIN+16, SIGRTMAX-15 .. SIGRTMAX-1,
 * SIGRTMAX (the nearer end, as `kill -l` prints them); other numbers as digits.
 */
export function signalName(sig: number): string {
  // The reverse mapping has no entry for real-time or invalid numbers.
  const name: string | undefined = Signal[sig];
  if (name !== undefined) return name;
  if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
    const up = sig - SIGRTMIN;
    const down = SIGRTMAX - sig;
    if (up === 0) return 'SIGRTMIN';
    if (down === 0) return 'SIGRTMAX';
    return up <= 16 ? `SIGRTMIN+${up}` : `SIGRTMAX-${down}`;
  }
  return String(sig);
}

/**
 * A signal as text: a uapi name (SIGUSR1), SIGRTMIN+n, SIGRTMAX-n, or plain
 * digits. Undefined when the text names no signal number 1..64 (0 is the
 * null signal of kill(2) and is accepted as digits only).
 */
export function parseSignal(text: string): number | undefined {
  if (/^[0-9]+$/.test(text)) {
    const n = Number(text);
    return n <= NSIG ? n : undefined;
  }
  const m = /^SIGRT(MIN|MAX)(?:([+-])([0-9]+))?$/.exec(text);
  if (m !== null) {
    const base = m[1] === 'MIN' ? SIGRTMIN : SIGRTMAX;
    const off = m[3] === undefined ? 0 : Number(m[3]);
    const n = m[2] === '-' ? base - off : base + off;
    return n >= SIGRTMIN && n <= SIGRTMAX ? n : undefined;
  }
  const v = (Signal as unknown as Record<string, number | string | undefined>)[text];
  return typeof v === 'number' ? v : undefined;
}

/** Real-time signals queue every instance (legacy_queue() drops a second standard one). */
export const isRtSignal = (sig: number): boolean => sig >= SIGRTMIN;

// Signal sets (sigset_t, 64 bits): bit sig-1 for each signal, as sigmask() makes them.
export type SigSet = bigint;
export const EMPTY_SIGSET: SigSet = 0n;
export const FULL_SIGSET: SigSet = (1n << 64n) - 1n;
export const sigmask = (sig: number): SigSet => 1n << BigInt(sig - 1);
export const sigismember = (set: SigSet, sig: number): boolean => set !== 0n && (set & sigmask(sig)) !== 0n;
/** SIGKILL and SIGSTOP: no mask may hold them (sigdelsetmask in rt_sigprocmask and friends). */
export const UNBLOCKABLE: SigSet = (1n << 8n) | (1n << 18n);

/** The members of a set, ascending. */
export function sigsetMembers(set: SigSet): number[] {
  const out: number[] = [];
  if (set === 0n) return out;
  // By 32-bit halves as numbers: a BigInt shift per signal is slow on a hot path (every old mask printed).
  const halves = [Number(set & 0xffffffffn), Number((set >> 32n) & 0xffffffffn)];
  for (let h = 0; h < 2; h++) {
    const w = halves[h]!;
    if (w === 0) continue;
    for (let b = 0; b < 32; b++) if ((w & (2 ** b)) !== 0) out.push(h * 32 + b + 1);
  }
  return out;
}

/** A set from its members. */
export function sigsetOf(sigs: Iterable<number>): SigSet {
  let s = 0n;
  for (const sig of sigs) s |= sigmask(sig);
  return s;
}

/** `[SIGUSR1 SIGRTMIN]`, as strace prints a sigset_t. */
export function formatSigset(set: SigSet): string {
  return `[${sigsetMembers(set).map(signalName).join(' ')}]`;
}

/** rt_sigprocmask's `how` (include/uapi/asm-generic/signal-defs.h). */
export const SIG_BLOCK = 0;
export const SIG_UNBLOCK = 1;
export const SIG_SETMASK = 2;

/** sa_flags (include/uapi/asm-generic/signal.h, x86_64 values). */
export const SA_NOCLDSTOP = 0x00000001;
export const SA_NOCLDWAIT = 0x00000002;
export const SA_SIGINFO = 0x00000004;
export const SA_ONSTACK = 0x08000000;
export const SA_RESTART = 0x10000000;
export const SA_NODEFER = 0x40000000;
export const SA_RESETHAND = 0x80000000;
export const SA_RESTORER = 0x04000000;
export const saFlagNames: Readonly<Record<string, number>> = {
  SA_NOCLDSTOP,
  SA_NOCLDWAIT,
  SA_SIGINFO,
  SA_ONSTACK,
  SA_RESTART,
  SA_NODEFER,
  SA_RESETHAND,
  SA_RESTORER,
};

/** signalfd4 flags (include/uapi/linux/signalfd.h): O_CLOEXEC and O_NONBLOCK. */
export const SFD_CLOEXEC = 0o2000000;
export const SFD_NONBLOCK = 0o4000;

/** The kernel's sizeof(sigset_t): rt_sig* calls refuse any other sigsetsize (EINVAL). */
export const SIGSET_SIZE = 8;

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
  SI_TIMER = -2,
  SI_MESGQ = -3,
  SI_ASYNCIO = -4,
  SI_SIGIO = -5,
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
  // A forged si_code (rt_sigqueueinfo to oneself) may be any number: print it as one.
  return SiCode[code] ?? String(code);
}
