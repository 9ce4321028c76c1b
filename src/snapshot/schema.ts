// The snapshot file format (docs/snapshot.md): the plain, versioned JSON shape
// of the whole engine state. Objects are named by serials (tasks by their
// sequence numbers); save.ts writes this shape, load.ts checks and reads it.

import type { SignalDisposition } from '../kernel/signal_types.js';
import type { ExitState } from '../kernel/task.js';

export const SNAPSHOT_FORMAT = 'pidns-snapshot';
/**
 * Version 3: signal state (masks, full actions, signalfds, frames, queued
 * siginfo values, pdeath_signal, a namespace's reboot signal), each new key
 * optional with the default as its absence. Version 2: a group's `sighand`
 * and `files` may be null (a default table never made). Versions 1 and 2 read
 * as they are; their task `handlersDue` (signals taken, handlers not yet run)
 * load as pending signals of a woken thread, which is what they are now.
 */
export const SNAPSHOT_VERSION = 3;
export const READABLE_VERSIONS: readonly unknown[] = [1, 2, 3];

/** A siginfo; the fifth member, si_value, only for a queued one. */
export type SigInfoJson = readonly [signo: number, code: number, pid: number, status: number] | readonly [signo: number, code: number, pid: number, status: number, value: number];
/** A signal set as hexadecimal digits (bit sig-1 for each member). */
export type SigSetJson = string;

export interface UserNsJson {
  readonly serial: number;
  readonly parent: number | null;
  readonly owner: number;
}

export interface PidNsJson {
  readonly serial: number;
  readonly name: string;
  readonly parent: number | null;
  readonly userNs: number;
  readonly pidMax: number;
  readonly cursor: number;
  readonly adding: boolean;
  readonly childReaper: number | null;
  /** pid_ns->reboot (v3; absent is 0). */
  readonly reboot?: number;
}

export interface PidJson {
  readonly serial: number;
  /** [namespace serial, number] from level 0 down. */
  readonly numbers: readonly (readonly [number, number])[];
  readonly hashed: boolean;
  readonly task: number | null;
  readonly tgidOf: number | null;
  /** Thread-group serials, in attachment order (signals to a group walk it). */
  readonly pgrp: readonly number[];
  readonly session: readonly number[];
}

export interface SigHandJson {
  readonly serial: number;
  /** [sig, handler] or (v3) [sig, handler, sa_flags, sa_mask]. */
  readonly actions: readonly (readonly [number, SignalDisposition] | readonly [number, SignalDisposition, number, SigSetJson])[];
}

export interface FdTableJson {
  readonly serial: number;
  /** A pidfd [fd, Pid serial, thread, nonblock], or (v3) a signalfd [fd, 'signalfd', mask, nonblock, cloexec]. */
  readonly files: readonly (readonly [number, number, boolean, boolean] | readonly [number, 'signalfd', SigSetJson, boolean, boolean])[];
}

export interface ThreadGroupJson {
  readonly serial: number;
  readonly leader: number;
  readonly threads: readonly number[];
  readonly pgrp: number;
  readonly session: number;
  /** Null: a private table never changed (all SIG_DFL) / never opened in; no entry in sigHands / fdTables. */
  readonly sighand: number | null;
  readonly files: number | null;
  readonly live: number;
  readonly groupExit: boolean;
  readonly groupExitCode: number;
  readonly stopped: boolean;
  readonly stopCode: number;
  readonly continuedPending: boolean;
  readonly isChildSubreaper: boolean;
  readonly hasChildSubreaper: boolean;
  readonly unkillable: boolean;
  readonly currTarget: number;
  readonly sharedPending: readonly SigInfoJson[];
  readonly execId: number;
  /** The mm's dumpability; absent (files written before it was modeled) = true. */
  readonly dumpable?: boolean;
}

export interface WaitJson {
  readonly syscall: 'wait4' | 'waitid';
  readonly target: 'all' | readonly ['pid' | 'pgid', number];
  readonly options: number;
}

/** (v3) A blocked signal wait: sigsuspend, pause, sigtimedwait (its set), a signalfd read (its fd in the group's table). */
export type SigWaitJson =
  | { readonly syscall: 'rt_sigsuspend' | 'pause' }
  | { readonly syscall: 'rt_sigtimedwait'; readonly set: SigSetJson }
  | { readonly syscall: 'read'; readonly fd: number };

export interface TaskJson {
  readonly seq: number;
  readonly comm: string;
  readonly pid: number;
  readonly group: number;
  readonly parent: number | null;
  readonly children: readonly number[];
  readonly exitState: ExitState;
  readonly exitCode: number;
  readonly exitSignal: number;
  readonly nsForChildren: number;
  readonly cred: { readonly uid: number; readonly euid: number; readonly suid: number; readonly userNs: number; readonly caps: boolean };
  readonly blocked: WaitJson | SigWaitJson | null;
  readonly stopped: boolean;
  readonly parentExecId: number;
  readonly pending: readonly SigInfoJson[];
  /** Versions 1 and 2 only (taken signals whose handlers had not run); v3 writes [] and uses `frames`. */
  readonly handlersDue: readonly SigInfoJson[];
  readonly woken: boolean;
  readonly zapInitPids: number;
  /** v3, each absent when default: blocked, real_blocked, saved_sigmask, handler frames set up but not run, pdeath_signal. */
  readonly sigBlocked?: SigSetJson;
  readonly realBlocked?: SigSetJson;
  readonly savedMask?: SigSetJson | null;
  readonly frames?: readonly (readonly [SigInfoJson, SigSetJson])[];
  readonly pdeathSignal?: number;
}

export interface KernelJson {
  readonly format: typeof SNAPSHOT_FORMAT;
  readonly version: 1 | 2 | typeof SNAPSHOT_VERSION;
  readonly mode: 'scenario' | 'plain';
  /** What the format could not carry of the saved kernel (terminals), said rather than dropped silently. */
  readonly omitted?: readonly string[];
  readonly counters: { readonly taskSeq: number; readonly serials: number; readonly userNsSerial: number };
  readonly init: number;
  readonly userNamespaces: readonly UserNsJson[];
  /** The root first; then the kernel's namespaces in creation order (`host` first in scenario mode). */
  readonly pidNamespaces: readonly PidNsJson[];
  readonly pids: readonly PidJson[];
  readonly sigHands: readonly SigHandJson[];
  readonly fdTables: readonly FdTableJson[];
  readonly threadGroups: readonly ThreadGroupJson[];
  /** Every task the model still refers to: the live ones and released ones still named (exitState `dead`). */
  readonly tasks: readonly TaskJson[];
  readonly queues: {
    readonly blockedWaiters: readonly number[];
    /** Threads with TIF_SIGPENDING (woken for a signal they have not yet looked at). */
    readonly handlersDue: readonly number[];
    readonly zapWaiting: readonly number[];
    readonly exitQueue: readonly (readonly [number, number])[];
  };
}
