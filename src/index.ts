// The public API of pidns (what embedders import). Engine only: no Node, no DOM.
//
// The model's classes carry what the engine needs to run (the exit queue,
// blocked waiters, the event emitter, namespace registration, intrusive list
// links) as fields any module of the repo may use. Embedders get a read-only
// face instead: `Kernel` and `Task` here are interfaces of what a tool may
// read, and the functions and classes exported with them take and give those
// faces (`Public<T>` maps the internal types onto them). The objects are the
// same at run time; only the types hide the internals.

import { Kernel as KernelImpl } from './kernel/kernel.js';
import type { KernelOptions } from './kernel/kernel.js';
import type { KernelEventListener } from './kernel/events.js';
import { checkInvariants as checkImpl, findViolations as findImpl } from './kernel/invariants.js';
import type { Pid } from './kernel/pid.js';
import type { PidNamespace } from './kernel/pid_namespace.js';
import { snapshot as snapshotImpl } from './kernel/snapshot.js';
import type { Snapshot } from './kernel/snapshot.js';
import type { Cred } from './kernel/cred.js';
import type { ExitState, Task as TaskImpl } from './kernel/task.js';
import { ProcFs as ProcFsImpl } from './procfs/procfs.js';
import { TaskApi as TaskApiImpl } from './syscalls/task_api.js';

export * from './abi/index.js';
export type { KernelOptions } from './kernel/kernel.js';
export type { KernelEvent, KernelEventListener } from './kernel/events.js';
export type { ExitState } from './kernel/task.js';
export type { PidNamespace } from './kernel/pid_namespace.js';
export type { Pid } from './kernel/pid.js';
export { InvariantError } from './kernel/invariants.js';
export type { NsSnapshot, Snapshot, TaskSnapshot } from './kernel/snapshot.js';
export type { ProcRow, ProcStatus, ProcNsLinks } from './procfs/procfs.js';
export { orThrow } from './syscalls/task_api.js';
export type { SysResult } from './syscalls/result.js';
export type { WaitCall } from './syscalls/wait.js';
export type { Forked, Clone3Args } from './syscalls/process.js';
export type { Backend } from './scenario/backend.js';
export { ModelBackend, createModelBackend } from './scenario/model_backend.js';

/**
 * A task (a thread; a process is a thread group) as embedders see it: its
 * identity, its numbers in each namespace, its parent and children, its
 * exit state. Read-only: change the model through system calls (`as`).
 */
export interface Task {
  /** Creation order, unique in its kernel; never reused. */
  readonly seq: number;
  /** Its `struct pid`: one number per namespace level, from the root down. */
  readonly pid: Pid;
  /** Its parent (the task wait() reports it to); null for a root. */
  readonly parent: Task | null;
  readonly children: Iterable<Task>;
  /** The name /proc/PID/status shows (at most 15 bytes, as TASK_COMM_LEN allows). */
  readonly comm: string;
  readonly cred: Cred;
  readonly exitState: ExitState;
  /** The exit status once it has exited (exit code or signal, as wait encodes it). */
  readonly exitCode: number;
  /** The signal its parent gets when it exits (SIGCHLD, or 0 for a thread). */
  readonly exitSignal: number;
  /** The namespace its children are born in (pid_for_children). */
  readonly nsForChildren: PidNamespace;
  /** The namespace it lives in (task_active_pid_ns). */
  readonly activeNs: PidNamespace;
  /** Whether it leads its thread group. */
  readonly isLeader: boolean;
  /** Its thread id as `ns` numbers it; 0 when it is not visible there. */
  tidIn(ns: PidNamespace): number;
  /** Its thread group id as `ns` numbers it; 0 when not visible. */
  tgidIn(ns: PidNamespace): number;
  /** Its process group id as `ns` numbers it; 0 when not visible. */
  pgidIn(ns: PidNamespace): number;
  /** Its session id as `ns` numbers it; 0 when not visible. */
  sidIn(ns: PidNamespace): number;
}

/** The whole model: namespaces and tasks, and the stream of events. Read-only: act through `as`. */
export interface Kernel {
  /** The first task (pid 1 of ns0). */
  readonly init: Task;
  /** The namespace scenarios start in: the root in plain mode, else the one below `host`. */
  readonly ns0: PidNamespace;
  /** The root namespace (level 0). */
  readonly rootNs: PidNamespace;
  /** In scenario mode, the host namespace above ns0; null in plain mode. */
  readonly host: PidNamespace | null;
  /** Every PID namespace, in creation order. */
  readonly namespaces: readonly PidNamespace[];
  /** Calls `listener` with every event from now on; returns what unsubscribes it. */
  subscribe(listener: KernelEventListener): () => void;
  /** The tasks that have not been reaped. */
  liveTasks(): readonly Task[];
  /** Whether `t` is the root namespace's init. */
  isGlobalInit(t: Task): boolean;
}

/** An internal type with Kernel and Task replaced by their public faces, through functions, arrays and objects. */
export type Public<T> = T extends TaskImpl
  ? Task
  : T extends KernelImpl
    ? Kernel
    : T extends PidNamespace | Pid
      ? T
      : T extends (...args: infer A) => infer R
        ? (...args: { [I in keyof A]: Public<A[I]> }) => Public<R>
        : T extends readonly (infer E)[]
          ? readonly Public<E>[]
          : T extends object
            ? { readonly [K in keyof T]: Public<T[K]> }
            : T;

/**
 * A task's system calls, with errno results (`{ ok: false, errno, code }`); see `as`.
 * @interface
 */
export type TaskApi = Public<TaskApiImpl>;
/** Acts as `task` in `kernel`: its system calls. */
export const TaskApi = TaskApiImpl as unknown as new (kernel: Kernel, task: Task) => TaskApi;

/**
 * The procfs mounted for one namespace: its pids, status files and ns links; see `procfs`.
 * @interface
 */
export type ProcFs = Public<ProcFsImpl>;
export const ProcFs = ProcFsImpl as unknown as new (kernel: Kernel, ns: PidNamespace) => ProcFs;

/** A kernel: `new Kernel()` is createKernel(). */
export const Kernel = KernelImpl as unknown as new (options?: KernelOptions) => Kernel;

// Every public Kernel is one of the engine's (only its type is narrower): the cast undoes the narrowing.
// eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- see above
const impl = (k: Kernel): KernelImpl => k as KernelImpl;

/** A kernel in the scenario configuration (ns0 under a host namespace) by default, or `{ mode: 'plain' }`. */
export function createKernel(options?: KernelOptions): Kernel {
  return new KernelImpl(options);
}

/** Act as `task`: its system calls, with errno results. */
export function as(kernel: Kernel, task: Task): TaskApi {
  return new TaskApi(kernel, task);
}

/** The procfs a tool in `ns` would read. */
export function procfs(kernel: Kernel, ns: PidNamespace): ProcFs {
  return new ProcFs(kernel, ns);
}

/** Walks the whole model and throws InvariantError at the first broken invariant. */
export function checkInvariants(kernel: Kernel): void {
  checkImpl(impl(kernel));
}

/** Every broken invariant, as text; empty when the model is consistent. */
export function findViolations(kernel: Kernel): string[] {
  return findImpl(impl(kernel));
}

/** A plain-data picture of the model (for comparisons and tests). */
export function snapshot(kernel: Kernel): Snapshot {
  return snapshotImpl(impl(kernel));
}
