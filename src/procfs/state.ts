// The State letter of /proc/PID/status and /proc/PID/stat (fs/proc/array.c
// get_task_state): S sleeping (every runnable task of the model is idle or
// blocked), T stopped, Z zombie.

import type { Task } from '../kernel/task.js';

export type ProcState = 'S' | 'T' | 'Z';

export function taskState(t: Task): ProcState {
  if (t.exitState === 'zombie' || t.exitState === 'dead') return 'Z';
  if (t.stopped) return 'T';
  // A dying init waiting for its namespace to empty sleeps in TASK_INTERRUPTIBLE.
  return 'S';
}
