// The snapshot file format (docs/snapshot.md): the plain, versioned JSON shape
// of the whole engine state. Objects are named by serials (tasks by their
// sequence numbers); save.ts writes this shape, load.ts checks and reads it.

import type { SignalDisposition } from '../kernel/signal_types.js';
import type { ExitState } from '../kernel/task.js';

export const SNAPSHOT_FORMAT = 'pidns-snapshot';
/**
 * Version 4: terminals (`ttys`, `ttyFiles`, pty entries of fd tables, a
 * group's `ctty` and `ttyOldPgrp`, a task sleeping in a terminal call) and
 * `cred.keptCaps`; each absent when there is none. Version 3: signal state (masks, full actions, signalfds, frames, queued
 * siginfo values, pdeath_signal, a namespace's reboot signal), each new key
 * optional with the default as its absence. Version 2: a group's `sighand`
 * and `files` may be null (a default table never made). Versions 1 and 2 read
 * as they are; their task `handlersDue` (signals taken, handlers not yet run)
 * load as pending signals of a woken thread, which is what they are now.
 */
export const SNAPSHOT_VERSION = 4;
export const READABLE_VERSIONS: readonly unknown[] = [1, 2, 3, 4];

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

/** (v4) A pty file: [fd, 'pty', index into `ttyFiles`] (one open file may be in several tables: fork shares it). */
export type PtyFdJson = readonly [number, 'pty', number];

export interface FdTableJson {
  readonly serial: number;
  /** A pidfd [fd, Pid serial, thread, nonblock], or (v3) a signalfd [fd, 'signalfd', mask, nonblock, cloexec], or (v4) a pty file. */
  readonly files: readonly (readonly [number, number, boolean, boolean] | readonly [number, 'signalfd', SigSetJson, boolean, boolean] | PtyFdJson)[];
}

/** (v4) A pty pair (kernel/tty.ts): its index is its place in `ttys` (the order posix_openpt made them). */
export interface TtyJson {
  readonly index: number;
  /** tty->ctrl.session and tty->ctrl.pgrp: Pid serials, or null (both null together). */
  readonly session: number | null;
  readonly pgrp: number | null;
  /** L_TOSTOP. */
  readonly tostop: boolean;
  /** The master's last close hung it up. */
  readonly hungUp: boolean;
  /** Lengths of the complete lines typed and not read, and the bytes of the line being typed. */
  readonly lines: readonly number[];
  readonly partial: number;
}

/** (v4) An open file of a pty (struct file): the pair (an index into `ttys`), which end, its mode, and whether it was hung up. */
export interface TtyFileJson {
  readonly tty: number;
  readonly master: boolean;
  readonly readable: boolean;
  readonly writable: boolean;
  readonly hungUp: boolean;
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
  /** (v4) signal->tty: the controlling terminal (an index into `ttys`); absent = none. */
  readonly ctty?: number;
  /** (v4) signal->tty_old_pgrp: the foreground group a hangup left a session leader (a Pid serial); absent = none. */
  readonly ttyOldPgrp?: number;
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

/** (v4) A call sleeping in (or restarting) a terminal call: on which open file (an index into `ttyFiles`), its arguments past the fd. */
export interface TtyWaitJson {
  readonly syscall: 'read' | 'write' | 'ioctl';
  readonly file: number;
  readonly args: readonly number[];
  readonly restarts: number;
  readonly fromStart: boolean;
}

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
  /** keptCaps (v4, absent = false): permitted kept full while effective is empty. */
  readonly cred: { readonly uid: number; readonly euid: number; readonly suid: number; readonly userNs: number; readonly caps: boolean; readonly keptCaps?: boolean };
  readonly blocked: WaitJson | SigWaitJson | TtyWaitJson | null;
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
  readonly version: 1 | 2 | 3 | typeof SNAPSHOT_VERSION;
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
  /** (v4) The pty pairs, in index order, and their open files; absent when no pty was ever opened. */
  readonly ttys?: readonly TtyJson[];
  readonly ttyFiles?: readonly TtyFileJson[];
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
