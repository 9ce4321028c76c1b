// What a backend (the model, or the real kernel) offers the scenario runner.
// The runner owns names, fd bindings and the transcript's form; a backend only
// executes calls with numeric arguments, reports what happened, and reads views.
// Both backends answer the same questions in the same shapes, so that one
// printer makes both transcripts.

import type { ProcStatus } from '../procfs/procfs.js';
import type { ProcState } from '../procfs/state.js';
import type { WaitStatus } from '../abi/wait.js';
import type { ResolvedCall } from './calls/spec.js';

/**
 * A task, named by its creation order in the run: 0 is `init`, then 1, 2, ...
 * in the order in which fork/clone/clone3 steps created them. The runner
 * assigns the number before the call; the backend keeps it for the task's life.
 */
export type TaskRef = number & { readonly __brand: 'TaskRef' };

export function taskRef(n: number): TaskRef {
  return n as TaskRef;
}

/** A call with every name resolved (calls/spec.ts). */
export type { ResolvedCall } from './calls/spec.js';

/** What wait4 reports for one child: the abi's decoded status word. */
export type WaitReport = WaitStatus;

/** The siginfo waitid fills: si_pid in the waiter's namespace; null when WNOHANG found nothing. */
export interface WaitidInfo {
  readonly pid: number;
  /** CLD_EXITED, CLD_KILLED, CLD_DUMPED, CLD_STOPPED, CLD_CONTINUED. */
  readonly code: string;
  /** The exit code, or the signal's number. */
  readonly status: number;
}

/** The words CLONE_PARENT_SETTID and CLONE_CHILD_SETTID wrote (present when the flag was given). */
export interface TidWords {
  readonly parent?: number;
  readonly child?: number;
}

/** A signal's siginfo as a call wrote it back (rt_sigtimedwait, a signalfd read): si_status and si_value as the kernel's union holds them. */
export interface SiginfoOut {
  readonly signo: number;
  readonly code: number;
  readonly pid: number;
  readonly status: number;
  readonly value: number;
}

/** What a signal call wrote back through a pointer the step asked for (language.md, "Values the kernel writes back"). */
export type OutValue =
  | { readonly kind: 'sigset'; readonly set: bigint }
  | { readonly kind: 'sigaction'; readonly handler: 'SIG_DFL' | 'SIG_IGN' | 'catch' | 'other'; readonly flags: number; readonly mask: bigint }
  | { readonly kind: 'siginfo'; readonly info: SiginfoOut };

/** The result of one call. */
export type CallResult =
  /** A return value; a fork-family call's also says what it wrote through its pointers. */
  | { readonly kind: 'value'; readonly value: number; readonly tids?: TidWords; readonly pidfd?: number; readonly out?: OutValue }
  /** wait4 that found a child: its pid as the waiter sees it, and what happened to it. */
  | { readonly kind: 'wait4'; readonly pid: number; readonly status: WaitReport }
  /** waitid's return (0) and the siginfo it filled. */
  | { readonly kind: 'waitid'; readonly info: WaitidInfo | null }
  | { readonly kind: 'fd'; readonly fd: number }
  | { readonly kind: 'errno'; readonly errno: string }
  /** exit and exit_group do not return: `= ?`. */
  | { readonly kind: 'noreturn' }
  /**
   * The call blocks; a later `resumed` event finishes it. `later`: what it
   * will return, when the backend knows now (a vfork parent's clone).
   */
  | { readonly kind: 'unfinished'; readonly later?: CallResult };

/** Something a step caused, reported for one task. */
export type TaskEvent =
  | { readonly kind: 'resumed'; readonly call: string; readonly result: CallResult }
  | { readonly kind: 'exited'; readonly code: number }
  | { readonly kind: 'killed'; readonly signal: number }
  | { readonly kind: 'stopped'; readonly signal: number }
  | { readonly kind: 'continued' }
  /** A signal the task had a handler for, as the handler's siginfo shows it. */
  | {
      readonly kind: 'caught';
      readonly signal: number;
      readonly siPid: number;
      /** SI_USER, SI_TKILL, SI_KERNEL, CLD_EXITED, ... */
      readonly siCode: string;
      /** For SIGCHLD: si_status. */
      readonly siStatus: number | undefined;
    }
  /** Another thread's execve ended this thread. */
  | { readonly kind: 'superseded' }
  /** mm_release() wrote 0 to the task's clear_child_tid word and woke its futex. */
  | { readonly kind: 'tid_cleared' };

export interface StepEvent {
  readonly task: TaskRef;
  readonly event: TaskEvent;
}

export interface CallOutcome {
  readonly result: CallResult;
  /** In the order they happened; the runner orders them by task creation for the transcript. */
  readonly events: readonly StepEvent[];
}

/** Task states as /proc shows them: S alive, Z zombie, T stopped. */
export type { ProcState } from '../procfs/state.js';

/** A row of @jobs: @ps's columns with /proc/PID/stat's tpgid (-1 without a terminal) and the terminal (`pts/N`, N in order of creation, or `?`). */
export interface JobRow {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  readonly sid: number;
  readonly tpgid: number;
  readonly tty: string;
  readonly state: string;
  readonly name: string;
}

export interface PsRow {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  readonly sid: number;
  readonly state: ProcState;
  readonly name: string;
}

/** /proc/PID/status, the identity lines; numbers as the viewing namespace sees them (the procfs layer's shape). */
export type StatusView = ProcStatus;

/** The namespaces of a task, by creation index (0 is ns0); null where the link cannot be read. */
export interface NsView {
  readonly pid: number;
  readonly pidForChildren: number | null;
}

/**
 * The namespaces other than PID and user a task is in (`/proc/PID/ns/*`),
 * each by its creation index within its type (0: the scenario's start).
 */
export interface NamespacesView {
  readonly mnt: number;
  readonly uts: number;
  readonly ipc: number;
  readonly cgroup: number;
  readonly net: number;
  readonly time: number;
  readonly timeForChildren: number;
}

/** Whether a task can run a step. */
export type TaskLife =
  /** Alive and idle: it can run a step. */
  | 'running'
  /** In a blocking call whose result is still to come. */
  | 'blocked'
  | 'stopped'
  /** Exited (zombie, dying, or reaped): it runs no more steps. */
  | 'exited';

export interface NewTask {
  /** The ref the task gets if the call creates one. */
  readonly ref: TaskRef;
  /** Its comm: the name after `->`, else inherited from the caller. */
  readonly comm: string;
}

export interface PresetTask {
  readonly name: string;
  readonly ref: TaskRef;
  readonly comm: string;
}

export interface Backend {
  readonly name: 'model' | 'kernel';
  /** Makes the start state: `init`, ref 0, pid 1 of ns0. */
  start(): Promise<void>;
  /**
   * Runs one call in `actor`. `child` says what to call a task the call creates
   * (fork, clone, clone3); the backend ignores it for other calls.
   */
  call(actor: TaskRef, call: ResolvedCall, child: NewTask): Promise<CallOutcome>;
  /** task's tid as seen from `from`'s active PID namespace; 0 when not visible or gone. */
  idOf(task: TaskRef, from: TaskRef): Promise<number>;
  life(task: TaskRef): Promise<TaskLife>;
  ps(actor: TaskRef): Promise<readonly PsRow[]>;
  /** null when target is not visible from actor's namespace. */
  threads(actor: TaskRef, target: TaskRef): Promise<readonly number[] | null>;
  status(actor: TaskRef, target: TaskRef): Promise<StatusView | null>;
  ns(actor: TaskRef): Promise<NsView>;
  /** Optional: the @namespaces view (a backend without it fails that view with a message). */
  otherNamespaces?(actor: TaskRef): Promise<NamespacesView>;
  /** Optional: the `@jobs` view (ps -o pid,ppid,pgid,sid,tpgid,tty,stat,comm). */
  jobs?(actor: TaskRef): Promise<readonly JobRow[]>;
  /**
   * Optional (added by the scenario runner's author): the level of actor's
   * pid_for_children namespace (ns0 is level 1, the host 0); null when unknown.
   * With it the runner refuses a clone3 set_tid that would also choose the
   * host's number, a scenario error by SCENARIO.md; without it that check is
   * skipped and the call goes to the backend.
   */
  levelForChildren?(actor: TaskRef): Promise<number | null>;
  /**
   * Optional: tasks that exist before the first step when the backend starts
   * from a snapshot, with the names the runner binds (`hN`) and their comms.
   * Absent or empty: the default start state (only `init`, ref 0).
   */
  presetTasks?(): readonly PresetTask[];
  /** Ends the run and frees everything (processes, mounts). Safe to call twice. */
  close(): Promise<void>;
}

