// The syntax tree of a scenario file (../shared/SCENARIO.md, v1). The parser
// builds it; the runner resolves names against a backend; the printer turns
// a step back into its canonical text for the transcript.

/** A place in a scenario file, 1-based, columns counted in characters. */
export interface Pos {
  readonly line: number;
  readonly col: number;
}

/** An integer written as is: `7`, `-1`, `0`. */
export interface IntArg {
  readonly kind: 'int';
  readonly value: number;
  readonly pos: Pos;
}

/** `$b`, `-$b`, `$b@c`: b's id as seen by the caller (or by c). */
export interface RefArg {
  readonly kind: 'ref';
  readonly actor: string;
  readonly negate: boolean;
  /** The actor whose active namespace sees the id; undefined means the caller. */
  readonly from: string | undefined;
  readonly pos: Pos;
  /** Where `c` of `$b@c` starts, for errors about c (optional: added after v1's first AST). */
  readonly fromPos?: Pos;
}

/** A pid-like argument: a number or an actor's id. */
export type PidArg = IntArg | RefArg;

/** One term of a `|`-combination: a kernel constant's name or an integer. */
export type FlagTerm = { readonly kind: 'const'; readonly name: string; readonly value: number; readonly pos: Pos } | IntArg;

/** Flags, options, signals and codes: terms combined with `|`; `value` is their OR. */
export interface FlagsArg {
  readonly kind: 'flags';
  readonly terms: readonly FlagTerm[];
  readonly value: number;
  readonly pos: Pos;
}

/** A file descriptor: a name bound by `pidfd_open(...) -> NAME`, or a raw number. */
export type FdArg = { readonly kind: 'fdname'; readonly name: string; readonly pos: Pos } | IntArg;

/** setns's first argument. */
export type NsTarget =
  | { readonly kind: 'ns' | 'ns_for_children'; readonly actor: string; readonly pos: Pos }
  | { readonly kind: 'fd'; readonly fd: FdArg };

export type SignalDisposition = 'SIG_DFL' | 'SIG_IGN' | 'catch';
export type SysctlKey = 'kernel.pid_max' | 'kernel.ns_last_pid';

/** The v1 calls, each with its arguments as written. */
export type Call =
  | { readonly name: 'fork' }
  | { readonly name: 'clone'; readonly flags: FlagsArg }
  | {
      readonly name: 'clone3';
      /** Keys in the order written; each key at most once. */
      readonly keys: readonly ('flags' | 'set_tid' | 'exit_signal')[];
      readonly flags: FlagsArg | undefined;
      readonly setTid: readonly IntArg[] | undefined;
      readonly exitSignal: FlagsArg | undefined;
    }
  | { readonly name: 'unshare'; readonly flags: FlagsArg }
  | { readonly name: 'setns'; readonly target: NsTarget; readonly flags: FlagsArg }
  | { readonly name: 'exit' | 'exit_group'; readonly code: IntArg }
  | { readonly name: 'execve' }
  | { readonly name: 'wait4'; readonly pid: PidArg; readonly options: FlagsArg }
  | {
      readonly name: 'waitid';
      readonly idtype: FlagsArg;
      /** A pid for P_PID/P_PGID/P_ALL; an fd for P_PIDFD. */
      readonly id: PidArg | FdArg;
      readonly options: FlagsArg;
    }
  | { readonly name: 'kill'; readonly pid: PidArg; readonly sig: FlagsArg }
  | { readonly name: 'tgkill'; readonly tgid: PidArg; readonly tid: PidArg; readonly sig: FlagsArg }
  | { readonly name: 'pidfd_send_signal'; readonly fd: FdArg; readonly sig: FlagsArg }
  | { readonly name: 'signal'; readonly sig: FlagsArg; readonly disposition: SignalDisposition }
  | { readonly name: 'getpid' | 'getppid' | 'gettid' | 'getpgrp' | 'setsid' }
  | { readonly name: 'getpgid' | 'getsid'; readonly pid: PidArg }
  | { readonly name: 'setpgid'; readonly pid: PidArg; readonly pgid: PidArg }
  | { readonly name: 'prctl'; readonly option: FlagsArg; readonly arg: IntArg | undefined }
  | { readonly name: 'pidfd_open'; readonly pid: PidArg; readonly flags: FlagsArg }
  | { readonly name: 'close'; readonly fd: FdArg }
  | { readonly name: 'sysctl'; readonly key: SysctlKey; readonly value: IntArg | undefined }
  | { readonly name: 'setuid'; readonly uid: IntArg };

export type CallName = Call['name'];

/** `ACTOR: CALL(ARGS) [-> NAME] [= RESULT]`. */
export interface CallStep {
  readonly kind: 'call';
  readonly actor: string;
  readonly call: Call;
  /** The name after `->`, bound to the task or fd the call creates. */
  readonly bind: string | undefined;
  /** The text after `=`, trimmed, when an expectation is written. */
  readonly expect: string | undefined;
  readonly pos: Pos;
  /** Where the call's name starts (for errors about the call itself). */
  readonly callPos: Pos;
  /** Where `-> NAME`'s name starts, when written. */
  readonly bindPos: Pos | undefined;
}

export type View =
  | { readonly kind: 'ps'; readonly actor: string }
  | { readonly kind: 'threads'; readonly actor: string; readonly target: string; readonly targetPos: Pos }
  | { readonly kind: 'status'; readonly actor: string; readonly target: string; readonly targetPos: Pos }
  | { readonly kind: 'ns'; readonly actor: string }
  | { readonly kind: 'tree'; readonly actor: string };

/** `@view ACTOR [TARGET]` followed by zero or more `| ...` expectation lines. */
export interface ViewStep {
  readonly kind: 'view';
  readonly view: View;
  /** The expected lines as written after `|` (leading space removed), or undefined when none. */
  readonly expect: readonly string[] | undefined;
  readonly pos: Pos;
  readonly actorPos: Pos;
}

export interface RepeatStep {
  readonly kind: 'repeat';
  readonly count: number;
  readonly body: readonly Step[];
  readonly pos: Pos;
}

export type Step = CallStep | ViewStep | RepeatStep;

export interface Script {
  readonly file: string;
  readonly steps: readonly Step[];
}

/** A scenario that the scenario itself gets wrong: reported as `error: FILE:LINE:COL: message`, exit 2. */
export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly pos: Pos,
    readonly detail: string,
  ) {
    super(`${file}:${pos.line}:${pos.col}: ${detail}`);
    this.name = 'ScenarioError';
  }
}
