// Limits of the pid space (include/linux/threads.h, include/linux/pid_namespace.h).

/** PID_MAX_DEFAULT: the initial namespace's pid_max on a machine with few CPUs. */
export const PID_MAX_DEFAULT = 0x8000;
/** PID_MAX_LIMIT on 64-bit: 4 * 1024 * 1024. New namespaces start here (Linux 6.14+). */
export const PID_MAX_LIMIT = 4 * 1024 * 1024;
/** RESERVED_PIDS: after the cursor passes it, allocation wraps to it instead of to 1. */
export const RESERVED_PIDS = 300;
/** MAX_PID_NS_LEVEL: the deepest level a PID namespace may have. */
export const MAX_PID_NS_LEVEL = 32;
/** The comm length without its NUL (TASK_COMM_LEN - 1). */
export const TASK_COMM_LEN = 16;
