// What one system call of the scenario language is (SCENARIO.md, "Calls"):
// its name, its parameters and their kinds, what it creates, its result, how
// the model runs it, how the native runner is told to run it, and what the
// fuzzer may write for it. One descriptor per call; the parser, the printer,
// the runner, both backends and the fuzzer read it (calls/index.ts).

import type { ConstantFamily } from '../../abi/constants.js';
import type { NsFileType, ParsedArg, Pos } from '../ast.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Task } from '../../kernel/task.js';
import type { CallResult, NewTask, TaskRef } from '../backend.js';

/**
 * How a parameter is written and resolved:
 * - `int`: a number as is (an exit code, a uid, a value);
 * - `pid`: a number, `$b`, `-$b` or `$b@c` (an id as the caller sees it);
 * - `fd`: a name bound by `-> NAME` to an fd, or a number;
 * - `flags`: constants of one family and numbers, combined with `|`;
 * - `const`: one constant of a family, or a number (a signal, an option);
 * - `list`: `[N, ...]`;
 * - `word`: one of a fixed set of words (a disposition, a sysctl key);
 * - `nsfile`: `ns(b)`, `ns_for_children(b)` (a namespace file of b's, opened out of band) or an fd;
 * - `siginfo`: `{si_code=CODE, si_value=N, si_pid=N, si_signo=SIG}` (language.md) or NULL.
 * A `nullable` flags parameter also takes the word NULL (no buffer: rt_sigprocmask's set).
 */
export type ArgKind =
  | { readonly kind: 'int'; readonly what: string }
  | { readonly kind: 'pid' }
  | { readonly kind: 'fd' }
  | { readonly kind: 'flags'; readonly family: ConstantFamily; readonly nullable?: boolean }
  | { readonly kind: 'const'; readonly family: ConstantFamily }
  | { readonly kind: 'list' }
  | { readonly kind: 'word'; readonly words: readonly string[]; readonly what: string }
  | { readonly kind: 'nsfile' }
  | { readonly kind: 'siginfo' };

/** How an argument is written, for a parameter whose kind depends on it (rt_sigtimedwait's second: a timeout or `info`). */
export type WrittenShape = 'number' | 'word' | 'null' | 'braces' | 'other';

export interface ParamSpec {
  readonly name: string;
  /** The kind; a function when it depends on an earlier argument (waitid's id is an fd for P_PIDFD). */
  readonly kind: ArgKind | ((earlier: readonly (ParsedArg | undefined)[], written: WrittenShape) => ArgKind);
  /** May be left out (trailing positional parameters, or any keyword parameter). */
  readonly optional?: boolean;
}

// --------------------------------------------------------------- resolved

/** What an nsfile argument names once names are resolved. */
export type NsTargetValue = { readonly kind: 'ns' | 'ns_for_children'; readonly task: TaskRef; readonly type?: NsFileType } | { readonly kind: 'fd'; readonly fd: number };

/** A siginfo argument as the kernel gets it (si_signo absent: the call's signal). */
export interface SiginfoValue {
  readonly kind: 'siginfo';
  readonly signo?: number;
  readonly code: number;
  readonly pid: number;
  readonly value: number;
}

/**
 * An argument with every name resolved: numbers, a list, a word (NULL too), a
 * namespace file, or a siginfo. A flags argument whose OR passes 2^53 (a
 * signal set with high real-time signals) stays exact as a bigint.
 */
export type ArgValue = number | bigint | readonly number[] | string | NsTargetValue | SiginfoValue;

/** A call's arguments after resolution, by parameter index (undefined where an optional one was left out). */
export class Args {
  constructor(readonly values: readonly (ArgValue | undefined)[]) {}

  /** A number, or `otherwise` when left out (clone3's zeroed struct clone_args). */
  num(i: number, otherwise?: number): number {
    const v = this.values[i];
    if (v === undefined && otherwise !== undefined) return otherwise;
    if (typeof v !== 'number') throw new Error(`argument ${i} is not a number`);
    return v;
  }

  /** A signal set (sigset_t): exact for all 64 bits, where a number would round above 2^53. */
  set(i: number): bigint {
    const v = this.values[i];
    if (typeof v === 'bigint') return v;
    if (typeof v !== 'number') throw new Error(`argument ${i} is not a set`);
    return BigInt(v);
  }

  /** A list, or undefined when left out. */
  list(i: number): readonly number[] | undefined {
    const v = this.values[i];
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) throw new Error(`argument ${i} is not a list`);
    return v as readonly number[];
  }

  word(i: number): string | undefined {
    const v = this.values[i];
    if (v !== undefined && typeof v !== 'string') throw new Error(`argument ${i} is not a word`);
    return v;
  }

  nsTarget(i: number): NsTargetValue {
    const v = this.values[i];
    if (typeof v !== 'object' || Array.isArray(v)) throw new Error(`argument ${i} is not a namespace file`);
    return v as NsTargetValue;
  }

  has(i: number): boolean {
    return this.values[i] !== undefined;
  }

  /** Left out or written NULL: no buffer for the kernel. */
  isNull(i: number): boolean {
    const v = this.values[i];
    return v === undefined || v === 'NULL';
  }

  /** A siginfo argument, or null for NULL. */
  siginfo(i: number): SiginfoValue | null {
    const v = this.values[i];
    if (v === 'NULL' || v === undefined) return null;
    if (typeof v !== 'object' || Array.isArray(v) || !('kind' in v) || v.kind !== 'siginfo') throw new Error(`argument ${i} is not a siginfo`);
    return v;
  }
}

/** A call with every name resolved: what a backend runs. */
export interface ResolvedCall {
  readonly name: string;
  readonly args: Args;
}

/**
 * What a call does that the runner and the kernel backend must know about,
 * beyond its result: each is read from the resolved arguments.
 */
export interface CallTraits {
  /** fork/clone/clone3: the new task's clone flags (CLONE_THREAD, CLONE_FILES, CLONE_NEWPID). */
  readonly cloneFlags?: number;
  /** unshare: its flags (the namespaces it makes). */
  readonly unshares?: number;
  /** unshare(CLONE_NEWPID): the caller's children will be born into a new namespace. */
  readonly unsharesPid?: boolean;
  /** setns: the caller's pid_for_children may change. */
  readonly setsNs?: boolean;
  /** execve. */
  readonly execs?: boolean;
  /** The signal a kill-family call sends (0 for none): a caller that signals itself may stop or die before it replies. */
  readonly sends?: number;
  /** set_tid_address: true when the caller's clear_child_tid is now its tid word, false for NULL. */
  readonly setsTidAddress?: boolean;
  /** The call may deliver a pending signal to its own caller (rt_sigprocmask's unblock), which may stop or die before it replies. */
  readonly mayEndCaller?: boolean;
  /** close(fd): the fd names bound to this number go. */
  readonly closes?: number;
  /** The stop signal a stop in this step is reported with on the kernel (a terminal's SIGTTIN, SIGTTOU, SIGTSTP). */
  readonly stopSignal?: number;
  /** posix_openpt: the runner's reply carries the new pty's number (/dev/pts/N) after the fd. */
  readonly opensPty?: boolean;
}

// ---------------------------------------------------------------- backends

/** What the model backend gives a descriptor to run its call with. */
export interface ModelContext {
  readonly kernel: Kernel;
  readonly me: Task;
  readonly child: NewTask;
  /** The kernel task behind a ref. */
  task(ref: TaskRef): Task;
  /** Names the task a fork-family call made (ctx.child.ref). */
  bindChild(task: Task): void;
}

/** The runner's command for one call: `OP ARG...`, and a namespace file the controller opens and passes with it. */
export interface WireCommand {
  readonly op: string;
  readonly args: readonly (number | string)[];
  /** A host path the controller opens and passes (SCM_RIGHTS) with the command. */
  readonly passFile?: string;
}

/** What the kernel backend gives a descriptor to encode its call with. */
export interface WireContext {
  readonly child: NewTask;
  /** The host path of task's namespace file (`pid` or `pid_for_children`). */
  nsFile(task: TaskRef, which: string): string;
}

/**
 * How the runner's reply `r RET A B C` becomes a result:
 * - value: RET (an errno when negative);
 * - fd: RET is an fd;
 * - outValue: RET is 0 or an errno, the value came back through a pointer (A);
 * - wait4: RET is a pid (0: WNOHANG found nothing), A the status word;
 * - waitid: RET is 0, A B C are si_pid, si_code, si_status;
 * - noreturn: the call does not come back (exit, exit_group);
 * - task: a new task (the reply is `n REF RET`);
 * - sigset: RET, then A B the two halves of a signal set written back (an old mask, the pending set);
 * - sigaction: RET, then HANDLER (0 SIG_DFL, 1 SIG_IGN, 2 catch, 3 another) FLAGS MASK_LO MASK_HI of the old action;
 * - siginfo: RET, then SIGNO CODE PID STATUS VALUE of the siginfo written back.
 */
export type ResultKind = 'value' | 'fd' | 'outValue' | 'wait4' | 'waitid' | 'noreturn' | 'task' | 'sigset' | 'sigaction' | 'siginfo';

// ---------------------------------------------------------------- fuzzing

/** What the fuzzer knows about an actor when it writes a step for it. */
export interface FuzzActor {
  readonly name: string;
  readonly thread: boolean;
  /** The name of its thread group's first task. */
  readonly leader: string;
  /** fd names of its process. */
  readonly fds: readonly string[];
  /** Those of them that are pty masters (reading one is not in the language: the model answers ENOSYS). */
  readonly masters: readonly string[];
}

/** The generator's helpers, guided by the model (scenario/fuzz.ts). */
export interface FuzzContext {
  readonly actor: FuzzActor;
  /** Runnable actors, how many. */
  readonly alive: number;
  int(lo: number, hi: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T | undefined;
  /** A fresh actor name with this prefix. */
  newName(prefix: string): string;
  /** A fresh fd name. */
  newFdName(): string;
  /** Actors the caller can name with `$b` (visible in its namespace). */
  visible(): Promise<readonly FuzzActor[]>;
  /** Zombie children of the caller that wait could reap now. */
  zombieChildren(): Promise<readonly FuzzActor[]>;
  /** Actors that have not exited. */
  living(): readonly FuzzActor[];
  /** Whether another thread of the caller's group is blocked in a wait. */
  groupBlocked(): boolean;
  /** Whether the caller's active namespace is ns0. */
  inNs0(): Promise<boolean>;
  /** Whether `b` is visible to the caller. */
  sees(b: FuzzActor): Promise<boolean>;
}

/** A step the fuzzer may try: its text, and what the runner binds when it succeeds. */
export interface FuzzCandidate {
  readonly line: string;
  /** sharesFiles: CLONE_FILES without CLONE_THREAD (the child uses the caller's fd names). */
  readonly creates?: { readonly name: string; readonly thread: boolean; readonly sharesFiles?: boolean };
  readonly opensFd?: string;
  /** The fd opened is a pty master. */
  readonly opensMaster?: boolean;
  readonly closesFd?: string;
}

export interface FuzzRule {
  /** Relative frequency among every call's rules. */
  readonly weight: number;
  /** A candidate for ctx.actor, or null when this rule does not fit it now. */
  generate(ctx: FuzzContext): FuzzCandidate | null | Promise<FuzzCandidate | null>;
}

// ---------------------------------------------------------------- the call

export interface CallSpec {
  /** As the kernel and strace name it. */
  readonly name: string;
  readonly params: readonly ParamSpec[];
  /** clone3-style `KEY=VALUE` arguments, in any order, each at most once. */
  readonly keywords?: boolean;
  /** What `-> NAME` names: the task the call creates, or the fd it opens. */
  readonly creates?: 'task' | 'fd';
  /** `-> NAME, pidfd=FD` also names the CLONE_PIDFD fd (clone, clone3). */
  readonly namesPidfd?: boolean;
  readonly result: ResultKind;
  /** The result kind when the step's arguments change it (a step that asks for a value written back: `oldset`, `oldact`, `info`; ioctl's TIOCGPTPEER returns an fd). */
  readonly resultFor?: (args: Args) => ResultKind;
  /** May block: the result is then `<unfinished ...>` and a later step's `resumed` event finishes it. */
  readonly mayBlock?: boolean;
  /** The x86_64 system call numbers it sleeps in when it blocks (/proc/TID/syscall); wait4 and waitid when absent. */
  readonly blocksIn?: readonly number[];
  /** The language's rules that make the arguments the system call gets (e.g. clone's implied SIGCHLD). */
  readonly normalize?: (args: Args) => Args;
  readonly traits?: (args: Args) => CallTraits;
  /** Runs the call on the model. */
  readonly model: (ctx: ModelContext, args: Args) => CallResult;
  /** The native runner's command (native/PROTOCOL.md). */
  readonly wire: (args: Args, ctx: WireContext) => WireCommand;
  readonly fuzz?: readonly FuzzRule[];
  /** A rule of the scenario language itself, checked before the call runs (a scenario error, not an errno). */
  readonly check?: (args: readonly (ParsedArg | undefined)[], ctx: CheckContext) => Promise<void>;
}

/** What a scenario-level check may ask. */
export interface CheckContext {
  /** The level of the caller's pid_for_children namespace (ns0 is 1), or null when the backend cannot tell. */
  levelForChildren(): Promise<number | null>;
  fail(pos: Pos, message: string): never;
}
