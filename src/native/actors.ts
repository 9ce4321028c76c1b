// What the kernel backend knows of each actor (a real task of this machine)
// and of each PID namespace the scenario made, and the /proc facts it reads
// about them (host pids: the runner's /proc shows every task).

import { readStat, readStatus, readText, type ProcStat, type ProcStatusFile } from '../host/proc_files.js';
import type { ProcState } from '../procfs/state.js';
import type { CallResult, NewTask, TaskRef } from '../scenario/backend.js';
import type { CallSpec, CallTraits, ResolvedCall } from '../scenario/calls/spec.js';

export interface NsInfo {
  readonly index: number;
  readonly level: number;
  readonly parent: NsInfo | null;
  inode: number;
}

export interface Actor {
  readonly ref: TaskRef;
  hostTid: number;
  hostTgid: number;
  /** Its active PID namespace. Fixed for the task's life. (Not looked up by inode: a dead namespace's inode number is reused.) */
  ns: NsInfo | null;
  /** The namespace an unshare(CLONE_NEWPID) made for its children, while it has no init (inode unknown). */
  pendingNs: NsInfo | null;
  /** The call it was given whose reply has not come (a blocked wait). */
  pending: CallSpec | null;
  /** That call's traits, as its step computed them. */
  pendingTraits: CallTraits;
  /** Sent its hello: idle in its command loop. */
  ready: boolean;
  /** The proc connector reported its exit. */
  exited: boolean;
  /** A reply still to come for a call whose result was already given (it stopped itself). */
  discardReply?: boolean;
  /** Its other namespaces (/proc/TID/ns: mnt uts ipc cgroup net time time_for_children), by creation index. */
  otherNs?: number[];
  /** Which memory it uses: CLONE_VM children share their creator's number, fork and exec make a new one. */
  vm?: number;
  /** Blocked in a CLONE_VFORK clone (wait_for_vfork_done: state D, in clone or clone3). */
  vforkWait?: boolean;
  /** The clone flags of that vfork clone, for its result when it returns. */
  vforkFlags?: number | undefined;
  /** Its clear_child_tid is its tid word (CLONE_CHILD_CLEARTID, set_tid_address): exit or exec may clear it. */
  clearArmed?: boolean;
}

/** One step in flight: the call, and what has been learnt of it so far. */
export interface StepCtx {
  readonly actor: Actor;
  readonly spec: CallSpec;
  readonly call: ResolvedCall;
  readonly traits: CallTraits;
  readonly child: NewTask;
  result: CallResult | null;
  readonly forks: { tid: number; tgid: number }[];
  readonly execTgid: number | null;
  newChild?: Actor | undefined;
  /** An exec'ing thread waiting for the old leader's exit report before it takes over the tid. */
  takeOver?: Actor | undefined;
  /** An execve by a thread that is not its group's leader: the leader (not yet reported dead) and both tids before the exec. */
  deThread?: { readonly leader: Actor; readonly leaderTid: number; readonly callerTid: number };
}

/** x86_64 system call numbers that /proc/TID/syscall shows while a task sleeps in them. */
export const NR = { recvmsg: 47, clone: 56, wait4: 61, waitid: 247, clone3: 435 } as const;
/** PF_EXITING (include/linux/sched.h): do_exit() has begun. */
export const PF_EXITING = 0x4;

export function statOf(tid: number): ProcStat | null {
  return readStat(`/proc/${tid}/stat`);
}

export function statusOf(tid: number): ProcStatusFile | null {
  return readStatus(`/proc/${tid}/status`);
}

/** The system call a sleeping task is in (NaN when unknown). */
export function syscallOf(tid: number): { nr: number; text: string } {
  const text = readText(`/proc/${tid}/syscall`)?.split(' ')[0] ?? '?';
  return { nr: Number(text), text };
}

export function procState(state: string): ProcState {
  if (state === 'Z' || state === 'X') return 'Z';
  if (state === 'T' || state === 't') return 'T';
  return 'S';
}

/** Whether `viewer` (a namespace) is `ns` or one of its ancestors. */
export function sees(viewer: NsInfo, ns: NsInfo): boolean {
  for (let n: NsInfo | null = ns; n !== null; n = n.parent) if (n === viewer) return true;
  return false;
}
