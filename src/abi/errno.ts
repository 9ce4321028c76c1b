// Error numbers, as include/uapi/asm-generic/errno-base.h and errno.h define them.
// The engine returns these as data; the message table is checked for completeness
// by the compiler (`satisfies Record<Errno, string>`).

export enum Errno {
  EPERM = 1,
  ENOENT = 2,
  ESRCH = 3,
  EINTR = 4,
  EIO = 5,
  EBADF = 9,
  ECHILD = 10,
  EAGAIN = 11,
  ENOMEM = 12,
  EACCES = 13,
  EFAULT = 14,
  EBUSY = 16,
  EEXIST = 17,
  EINVAL = 22,
  EMFILE = 24,
  ENOTTY = 25,
  ENOSPC = 28,
  ENOSYS = 38,
  EUSERS = 87,
}

const messages = {
  [Errno.EPERM]: 'Operation not permitted',
  [Errno.ENOENT]: 'No such file or directory',
  [Errno.ESRCH]: 'No such process',
  [Errno.EINTR]: 'Interrupted system call',
  [Errno.EIO]: 'Input/output error',
  [Errno.EBADF]: 'Bad file descriptor',
  [Errno.ECHILD]: 'No child processes',
  [Errno.EAGAIN]: 'Resource temporarily unavailable',
  [Errno.ENOMEM]: 'Cannot allocate memory',
  [Errno.EACCES]: 'Permission denied',
  [Errno.EFAULT]: 'Bad address',
  [Errno.EBUSY]: 'Device or resource busy',
  [Errno.EEXIST]: 'File exists',
  [Errno.EINVAL]: 'Invalid argument',
  [Errno.EMFILE]: 'Too many open files',
  [Errno.ENOTTY]: 'Inappropriate ioctl for device',
  [Errno.ENOSPC]: 'No space left on device',
  [Errno.ENOSYS]: 'Function not implemented',
  [Errno.EUSERS]: 'Too many users',
} satisfies Record<Errno, string>;

/** An errno's name: `'ESRCH'`, typed, so that a result's `code` can be switched over. */
export type ErrnoCode = keyof typeof Errno;

export function errnoName(errno: Errno): ErrnoCode {
  return Errno[errno] as ErrnoCode;
}

export function errnoMessage(errno: Errno): string {
  return messages[errno];
}

const byName = new Map<string, Errno>(
  Object.values(Errno)
    .filter((v): v is Errno => typeof v === 'number')
    .map((v) => [Errno[v], v]),
);

export function errnoFromName(name: string): Errno | undefined {
  return byName.get(name);
}

/** The error class at the API edge: carries errno, its code name and the system call. */
export class SyscallError extends Error {
  readonly code: ErrnoCode;
  constructor(
    readonly errno: Errno,
    readonly syscall: string,
  ) {
    super(`${syscall}: ${errnoName(errno)} (${errnoMessage(errno)})`);
    this.code = errnoName(errno);
    this.name = 'SyscallError';
  }
}
