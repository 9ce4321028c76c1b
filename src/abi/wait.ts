// wait4/waitid options and id types (include/uapi/linux/wait.h) and the status word
// that wait4 fills (the W* macros of <sys/wait.h>).

export const WNOHANG = 0x00000001;
export const WUNTRACED = 0x00000002;
export const WSTOPPED = WUNTRACED;
export const WEXITED = 0x00000004;
export const WCONTINUED = 0x00000008;
export const WNOWAIT = 0x01000000;
export const __WNOTHREAD = 0x20000000;
export const __WALL = 0x40000000;
export const __WCLONE = 0x80000000;

export const waitOptionNames: Readonly<Record<string, number>> = {
  WNOHANG,
  WUNTRACED,
  WSTOPPED,
  WEXITED,
  WCONTINUED,
  WNOWAIT,
  __WNOTHREAD,
  __WALL,
  __WCLONE,
};

export enum IdType {
  P_ALL = 0,
  P_PID = 1,
  P_PGID = 2,
  P_PIDFD = 3,
}

/** How a task ended, decoded from its exit_code word. */
export type ExitStatus = { readonly kind: 'exited'; readonly code: number } | { readonly kind: 'killed'; readonly signal: number; readonly core: boolean };

/**
 * What a wait reports about one child, decoded from the status word: the one
 * wait-status type of the kernel, both backends and the transcript.
 */
export type WaitStatus = ExitStatus | { readonly kind: 'stopped'; readonly signal: number } | { readonly kind: 'continued' };

/** The kernel's exit_code word: (code & 0xff) << 8 for exit, the signal number for a kill. */
export function exitCodeWord(code: number): number {
  return (code & 0xff) << 8;
}

export function decodeExitWord(word: number): ExitStatus {
  const sig = word & 0x7f;
  if (sig === 0) return { kind: 'exited', code: (word >> 8) & 0xff };
  return { kind: 'killed', signal: sig, core: (word & 0x80) !== 0 };
}

/** wait4's status word (WIFSTOPPED: 0x7f low byte; WIFCONTINUED: 0xffff). */
export function encodeWaitStatus(status: WaitStatus): number {
  switch (status.kind) {
    case 'exited':
      return exitCodeWord(status.code);
    case 'killed':
      return status.signal | (status.core ? 0x80 : 0);
    case 'stopped':
      return (status.signal << 8) | 0x7f;
    case 'continued':
      return 0xffff;
  }
}

/** wait4's status word decoded (WIFEXITED, WIFSIGNALED with WCOREDUMP, WIFSTOPPED, WIFCONTINUED). */
export function decodeWaitStatus(word: number): WaitStatus {
  if (word === 0xffff) return { kind: 'continued' };
  if ((word & 0xff) === 0x7f) return { kind: 'stopped', signal: (word >> 8) & 0xff };
  return decodeExitWord(word);
}
