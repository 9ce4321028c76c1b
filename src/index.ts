// The public API of pidns (what embedders import). Engine only: no Node, no DOM.

import { Kernel } from './kernel/kernel.js';
import type { KernelOptions } from './kernel/kernel.js';
import type { PidNamespace } from './kernel/pid_namespace.js';
import type { Task } from './kernel/task.js';
import { ProcFs } from './procfs/procfs.js';
import { TaskApi } from './syscalls/task_api.js';

export * from './abi/index.js';
export { Kernel } from './kernel/kernel.js';
export type { KernelOptions } from './kernel/kernel.js';
export type { KernelEvent, KernelEventListener } from './kernel/events.js';
export type { Task, ExitState } from './kernel/task.js';
export type { PidNamespace } from './kernel/pid_namespace.js';
export type { Pid } from './kernel/pid.js';
export { checkInvariants, findViolations, InvariantError } from './kernel/invariants.js';
export { snapshot } from './kernel/snapshot.js';
export type { NsSnapshot, Snapshot, TaskSnapshot } from './kernel/snapshot.js';
export { ProcFs } from './procfs/procfs.js';
export type { ProcRow, ProcStatus, ProcNsLinks } from './procfs/procfs.js';
export { TaskApi, orThrow } from './syscalls/task_api.js';
export type { SysResult } from './syscalls/result.js';
export type { WaitCall } from './syscalls/wait.js';
export type { Forked, Clone3Args } from './syscalls/process.js';
export type { Backend } from './scenario/backend.js';
export { ModelBackend, createModelBackend } from './scenario/model_backend.js';

/** A kernel in the scenario configuration (ns0 under a host namespace) by default, or `{ mode: 'plain' }`. */
export function createKernel(options?: KernelOptions): Kernel {
  return new Kernel(options);
}

/** Act as `task`: its system calls, with errno results. */
export function as(kernel: Kernel, task: Task): TaskApi {
  return new TaskApi(kernel, task);
}

/** The procfs a tool in `ns` would read. */
export function procfs(kernel: Kernel, ns: PidNamespace): ProcFs {
  return new ProcFs(kernel, ns);
}
