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

/** A file descriptor: a name bound by `-> NAME` to the fd a call opened, or a raw number. */
export type FdArg = { readonly kind: 'fdname'; readonly name: string; readonly pos: Pos } | IntArg;

/** `[N, ...]`: clone3's set_tid. */
export interface ListArg {
  readonly kind: 'list';
  readonly items: readonly IntArg[];
  readonly pos: Pos;
}

/** One word of a fixed set: a disposition (`SIG_IGN`), a sysctl key (`kernel.pid_max`). */
export interface WordArg {
  readonly kind: 'word';
  readonly text: string;
  readonly pos: Pos;
}

/** `ns(b)` / `ns_for_children(b)`: a namespace file of b's, opened out of band (an fd is an FdArg). */
export interface NsFileArg {
  readonly kind: 'ns' | 'ns_for_children';
  readonly actor: string;
  readonly pos: Pos;
  /** `ns(b, mnt)`: a namespace type other than pid (ns_for_children: only time); absent means pid. */
  readonly type?: NsFileType;
}

/** The namespace files /proc/PID/ns has besides pid and user. */
export const NS_FILE_TYPES = ['mnt', 'uts', 'ipc', 'cgroup', 'net', 'time'] as const;
export type NsFileType = (typeof NS_FILE_TYPES)[number];

/** `{si_code=SI_QUEUE, si_value=7}`: a siginfo argument, fields in the order written. */
export interface SiginfoArg {
  readonly kind: 'siginfo';
  readonly fields: readonly { readonly key: 'si_signo' | 'si_code' | 'si_pid' | 'si_value'; readonly value: FlagsArg | IntArg; readonly pos: Pos }[];
  readonly pos: Pos;
}

/** One argument as the parser read it, of the kind its parameter asked for (calls/spec.ts). */
export type ParsedArg = PidArg | FdArg | FlagsArg | ListArg | WordArg | NsFileArg | SiginfoArg;

/**
 * A call as written: its name (a key of the call table, calls/index.ts) and
 * its arguments by parameter index, undefined where an optional one is left
 * out. For keyword calls (clone3) `keys` keeps the order they were written in.
 */
export interface Call {
  readonly name: string;
  readonly args: readonly (ParsedArg | undefined)[];
  readonly keys?: readonly number[];
}

export type CallName = string;

/** An event line written after a call step: `LABEL: TEXT` as the transcript prints it, TEXT in canonical form (event_lines.ts). */
export interface ExpectedEvent {
  /** An actor name, or the transcript's `COMM#REF`. */
  readonly label: string;
  readonly text: string;
  readonly pos: Pos;
}

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
  /** `-> NAME, pidfd=FD`: the fd name bound to the CLONE_PIDFD pidfd. */
  readonly bindPidfd?: string;
  readonly bindPidfdPos?: Pos;
  /** The event lines written after the step: when present, the step's events must be exactly these, in order. */
  readonly events?: readonly ExpectedEvent[];
}

export type View =
  | { readonly kind: 'ps'; readonly actor: string }
  | { readonly kind: 'threads'; readonly actor: string; readonly target: string; readonly targetPos: Pos }
  | { readonly kind: 'status'; readonly actor: string; readonly target: string; readonly targetPos: Pos }
  | { readonly kind: 'ns'; readonly actor: string }
  | { readonly kind: 'tree'; readonly actor: string }
  | { readonly kind: 'namespaces'; readonly actor: string }
  | { readonly kind: 'jobs'; readonly actor: string };

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
