// pidfd flags (include/uapi/linux/pidfd.h): PIDFD_NONBLOCK is O_NONBLOCK, PIDFD_THREAD is O_EXCL.
export const PIDFD_NONBLOCK = 0o4000;
export const PIDFD_THREAD = 0o200;
export const PIDFD_SIGNAL_THREAD = 1 << 0;
export const PIDFD_SIGNAL_THREAD_GROUP = 1 << 1;
export const PIDFD_SIGNAL_PROCESS_GROUP = 1 << 2;
