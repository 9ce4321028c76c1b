// The tasks a fatal signal reached, waiting to run do_exit() when the current
// system call settles (in the kernel each would run it on its own way back to
// user space). Kept as two parallel arrays rather than one object per entry:
// a namespace's death queues every task in it at once.

import type { Task } from './task.js';

export class ExitQueue {
  private readonly tasks: Task[] = [];
  private readonly codes: number[] = [];

  get length(): number {
    return this.tasks.length;
  }

  push(task: Task, code: number): void {
    this.tasks.push(task);
    this.codes.push(code);
  }

  taskAt(i: number): Task {
    return this.tasks[i]!;
  }

  /** The status word the task exits with. */
  codeAt(i: number): number {
    return this.codes[i]!;
  }

  clear(): void {
    this.tasks.length = 0;
    this.codes.length = 0;
  }

  /** Entries in queue order (snapshots). */
  entries(): { task: Task; code: number }[] {
    return this.tasks.map((task, i) => ({ task, code: this.codes[i]! }));
  }
}
