// A process's open file descriptors, as far as identity needs them: pidfds
// and signalfds. The model keeps one table per thread group (as if threads
// were created with CLONE_FILES, which every thread library does); fork
// copies it (the files themselves are shared, as open files are). A group
// has none until its first open (ThreadGroup.ownFiles).

import type { Pid } from './pid.js';
import type { SignalFd } from './signal_types.js';
import type { PtyFile } from './tty.js';

/** An open file: a pidfd, a signalfd, or a pty's master or slave (kernel/tty.ts). */
export type OpenFile = PidFd | SignalFd | PtyFile;

/** A pidfd: a file that refers to a Pid (pidfs). */
export interface PidFd {
  readonly kind?: 'pidfd';
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
  /** Made on first open (most processes never hold a pidfd). */
  private files: Map<number, OpenFile> | null = null;

  constructor(readonly serial: number) {}

  get(fd: number): OpenFile | undefined {
    return this.files?.get(fd);
  }

  /** get_unused_fd_flags(): the lowest free number, or -1 when RLIMIT_NOFILE is reached. */
  install(file: OpenFile): number {
    const files = (this.files ??= new Map());
    for (let fd = FIRST_FD; fd < NR_OPEN_DEFAULT; fd++) {
      if (!files.has(fd)) {
        files.set(fd, file);
        return fd;
      }
    }
    return -1;
  }

  /** Whether install() would find a number. */
  hasFree(): boolean {
    return this.files === null || this.files.size < NR_OPEN_DEFAULT - FIRST_FD;
  }

  /** Puts `file` at exactly `fd` (restoring a snapshot); false if taken or out of range. */
  installAt(fd: number, file: OpenFile): boolean {
    const files = (this.files ??= new Map());
    if (fd < FIRST_FD || fd >= NR_OPEN_DEFAULT || files.has(fd)) return false;
    files.set(fd, file);
    return true;
  }

  close(fd: number): boolean {
    return this.files?.delete(fd) ?? false;
  }

  copy(serial: number): FdTable {
    const t = new FdTable(serial);
    if (this.files !== null && this.files.size > 0) t.files = new Map(this.files);
    return t;
  }

  /** pidfds are always O_CLOEXEC (pidfd_prepare); a signalfd only with SFD_CLOEXEC: execve closes those. */
  closeOnExec(): void {
    if (this.files === null) return;
    for (const [fd, f] of this.files) if ((f.kind !== 'signalfd' && f.kind !== 'pty') || f.cloexec) this.files.delete(fd);
    if (this.files.size === 0) this.files = null;
  }

  entries(): [number, OpenFile][] {
    return this.files === null ? [] : [...this.files].sort((a, b) => a[0] - b[0]);
  }
}
