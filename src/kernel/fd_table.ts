// A process's open file descriptors, as far as identity needs them: pidfds.
// The model keeps one table per thread group (as if threads were created with
// CLONE_FILES, which every thread library does); fork copies it.

import type { Pid } from './pid.js';

/** A pidfd: a file that refers to a Pid (pidfs). */
export interface PidFd {
  readonly pid: Pid;
  /** PIDFD_THREAD: it names the thread, not the thread group. */
  readonly thread: boolean;
  /** PIDFD_NONBLOCK (O_NONBLOCK): waitid through it does not block. */
  readonly nonblock: boolean;
}

/** The first fd the model hands out; 0-2 are stdio in a real process. */
const FIRST_FD = 3;
/** RLIMIT_NOFILE's usual soft limit. */
export const NR_OPEN_DEFAULT = 1024;

export class FdTable {
  private readonly files = new Map<number, PidFd>();

  constructor(readonly serial: number) {}

  get(fd: number): PidFd | undefined {
    return this.files.get(fd);
  }

  /** get_unused_fd_flags(): the lowest free number, or -1 when RLIMIT_NOFILE is reached. */
  install(file: PidFd): number {
    for (let fd = FIRST_FD; fd < NR_OPEN_DEFAULT; fd++) {
      if (!this.files.has(fd)) {
        this.files.set(fd, file);
        return fd;
      }
    }
    return -1;
  }

  close(fd: number): boolean {
    return this.files.delete(fd);
  }

  copy(serial: number): FdTable {
    const t = new FdTable(serial);
    for (const [fd, f] of this.files) t.files.set(fd, f);
    return t;
  }

  /** pidfds are always O_CLOEXEC (pidfd_prepare): execve closes every one. */
  closeOnExec(): void {
    this.files.clear();
  }

  entries(): [number, PidFd][] {
    return [...this.files].sort((a, b) => a[0] - b[0]);
  }
}
