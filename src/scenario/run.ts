// The scenario runner: walks a Script against a Backend. It owns what the
// language adds to the kernel: actor names (bound to TaskRefs in creation
// order), fd names (per process, inherited by forks), which actor may step,
// the transcript's order, and the check of written expectations. Backends see
// numbers only.

import { CLONE_FILES, CLONE_THREAD } from '../abi/clone.js';
import { ScenarioError, type Call, type CallStep, type FdArg, type ParsedArg, type PidArg, type Pos, type RepeatStep, type Script, type Step, type ViewStep } from './ast.js';
import { taskRef, type Backend, type PresetTask, type CallOutcome, type StepEvent, type TaskRef } from './backend.js';
import { callSpec } from './calls/index.js';
import { Args, type ArgValue, type CallSpec, type ResolvedCall } from './calls/spec.js';
import { formatCallStep, formatView } from './format.js';
import { entryLines, formatEvent, formatResult, jobsLines, namespacesLines, nsLines, psLines, sameLines, sameResult, statusLines, threadsLines, treeLines, type TranscriptEntry } from './transcript.js';

/** One round of an enclosing `repeat`: the index-th of count (1-based). */
export interface Round {
  readonly index: number;
  readonly count: number;
  /** Where the `repeat` is written. */
  readonly pos: Pos;
}

/** A written expectation that the run did not meet. */
export interface Mismatch {
  readonly file: string;
  readonly pos: Pos;
  /** The step in canonical form. */
  readonly step: string;
  /** The enclosing repeats' rounds, outermost first; empty at the top level. */
  readonly rounds: readonly Round[];
  readonly expected: readonly string[];
  readonly actual: readonly string[];
}

export interface RunResult {
  readonly lines: readonly string[];
  readonly entries: readonly TranscriptEntry[];
  readonly mismatches: readonly Mismatch[];
}

export interface RunOptions {
  /** Each transcript entry as soon as it is final (a repeat's entries come when the repeat ends). */
  readonly onEntry?: (entry: TranscriptEntry) => void;
  /** Each transcript line, likewise. */
  readonly onLine?: (line: string) => void;
  /** Each mismatch as it is found, in every round. */
  readonly onMismatch?: (mismatch: Mismatch) => void;
  /**
   * The most steps (calls and views, every round of every repeat counted) a
   * run may take; the step past it is a ScenarioError at that step. Default
   * DEFAULT_MAX_STEPS; Infinity for none.
   */
  readonly maxSteps?: number;
  /** Called with the steps taken so far every PROGRESS_EVERY steps (for a progress line on a terminal). */
  readonly onProgress?: (stepsTaken: number) => void;
}

/** The default step limit: far above any written story, and reached by `repeat 1000000000 {...}` in seconds, not never. */
export const DEFAULT_MAX_STEPS = 1_000_000;
/** How often onProgress hears of a long run. */
export const PROGRESS_EVERY = 10_000;

type Emit = (entry: TranscriptEntry) => void;

/** fd names of one process (one fd table): name to number. Threads share the object. */
type FdTable = Map<string, number>;

class Runner {
  private readonly names = new Map<string, TaskRef>();
  /** The name a task holds, if any: rebinding a name leaves its old task without one. */
  private readonly nameOf = new Map<TaskRef, string>();
  private readonly comms = new Map<TaskRef, string>();
  private readonly fdTables = new Map<TaskRef, FdTable>();
  /** The call each blocked task is in, for the message when it is asked to step. */
  private readonly blockedIn = new Map<TaskRef, string>();
  private nextRef = 1;
  private stepsTaken = 0;

  readonly lines: string[] = [];
  readonly entries: TranscriptEntry[] = [];
  readonly mismatches: Mismatch[] = [];

  constructor(
    private readonly script: Script,
    private readonly backend: Backend,
    private readonly opts: RunOptions,
  ) {
    const init = taskRef(0);
    this.bind('init', init);
    this.comms.set(init, 'init');
    this.fdTables.set(init, new Map());
  }

  private fail(pos: Pos, message: string): never {
    throw new ScenarioError(this.script.file, pos, message);
  }

  /** The top-level sink: the result's lists and the streaming callbacks. */
  readonly emitTop: Emit = (entry) => {
    this.entries.push(entry);
    this.opts.onEntry?.(entry);
    for (const line of entryLines(entry)) {
      this.lines.push(line);
      this.opts.onLine?.(line);
    }
  };

  /** Binds the tasks a backend started with (a snapshot); new tasks get refs after theirs. */
  preset(tasks: readonly PresetTask[]): void {
    for (const t of tasks) {
      this.bind(t.name, t.ref);
      this.comms.set(t.ref, t.comm);
      this.fdTables.set(t.ref, new Map());
      if (t.ref >= this.nextRef) this.nextRef = t.ref + 1;
    }
  }

  private bind(name: string, ref: TaskRef): void {
    const old = this.names.get(name);
    if (old !== undefined) this.nameOf.delete(old);
    this.names.set(name, ref);
    this.nameOf.set(ref, name);
  }

  private task(name: string, pos: Pos): TaskRef {
    const ref = this.names.get(name);
    if (ref === undefined) return this.fail(pos, `unknown actor ${name}`);
    return ref;
  }

  /** How events name a task: its name, or `COMM#REF` once it has none. */
  label(ref: TaskRef): string {
    return this.nameOf.get(ref) ?? `${this.comms.get(ref) ?? 'task'}#${ref}`;
  }

  private fdTable(ref: TaskRef): FdTable {
    let table = this.fdTables.get(ref);
    if (table === undefined) {
      table = new Map();
      this.fdTables.set(ref, table);
    }
    return table;
  }

  /** Counts a call or view step against the limit, before it runs. */
  private count(pos: Pos): void {
    const max = this.opts.maxSteps ?? DEFAULT_MAX_STEPS;
    if (this.stepsTaken >= max) this.fail(pos, `step limit reached: ${max} steps taken (RunOptions.maxSteps raises it)`);
    this.stepsTaken++;
    if (this.stepsTaken % PROGRESS_EVERY === 0) this.opts.onProgress?.(this.stepsTaken);
  }

  async steps(steps: readonly Step[], depth: number, rounds: readonly Round[], emit: Emit): Promise<void> {
    for (const step of steps) {
      if (step.kind !== 'repeat') this.count(step.pos);
      switch (step.kind) {
        case 'call':
          await this.callStep(step, depth, rounds, emit);
          break;
        case 'view':
          await this.viewStep(step, depth, rounds, emit);
          break;
        case 'repeat':
          await this.repeat(step, depth, rounds, emit);
          break;
      }
    }
  }

  /** Runs every round; the transcript keeps the last (or, on a scenario error, the one that failed). */
  private async repeat(step: RepeatStep, depth: number, rounds: readonly Round[], emit: Emit): Promise<void> {
    let round: TranscriptEntry[] = [];
    const flush = (): void => {
      emit({ type: 'repeat', pos: step.pos, depth, count: step.count });
      for (const e of round) emit(e);
    };
    try {
      for (let index = 1; index <= step.count; index++) {
        round = [];
        await this.steps(step.body, depth + 1, [...rounds, { index, count: step.count, pos: step.pos }], (e) => round.push(e));
      }
    } catch (err) {
      flush();
      throw err;
    }
    flush();
    emit({ type: 'end', pos: step.pos, depth });
  }

  private mismatch(pos: Pos, step: string, rounds: readonly Round[], expected: readonly string[], actual: readonly string[]): void {
    const m: Mismatch = { file: this.script.file, pos, step, rounds, expected, actual };
    this.mismatches.push(m);
    this.opts.onMismatch?.(m);
  }

  /** The actor may step only when alive and idle. */
  private async mayStep(name: string, ref: TaskRef, pos: Pos): Promise<void> {
    const life = await this.backend.life(ref);
    switch (life) {
      case 'running':
        return;
      case 'exited':
        return this.fail(pos, `${name} has exited`);
      case 'stopped':
        return this.fail(pos, `${name} is stopped`);
      case 'blocked': {
        const call = this.blockedIn.get(ref);
        return this.fail(pos, call === undefined ? `${name} is blocked` : `${name} is blocked in ${call}`);
      }
    }
  }

  private async pid(arg: PidArg, caller: TaskRef, callerName: string): Promise<number> {
    if (arg.kind === 'int') return arg.value;
    const target = this.task(arg.actor, arg.pos);
    const from = arg.from === undefined ? caller : this.task(arg.from, arg.fromPos ?? arg.pos);
    const id = await this.backend.idOf(target, from);
    if (id === 0) {
      const gone = (await this.backend.life(target)) === 'exited' ? ` (${arg.actor} has exited)` : '';
      this.fail(arg.pos, `$${arg.actor} is not visible from ${arg.from ?? callerName}'s namespace${gone}`);
    }
    return arg.negate ? -id : id;
  }

  private fd(arg: FdArg, caller: TaskRef, callerName: string): number {
    if (arg.kind === 'int') return arg.value;
    const fd = this.fdTable(caller).get(arg.name);
    if (fd === undefined) return this.fail(arg.pos, `no fd named ${arg.name} in ${callerName}'s process`);
    return fd;
  }

  /** Every argument but a `$name` pid (resolve asks the backend for that one): nothing to wait for. */
  private resolveArg(a: Exclude<ParsedArg, { kind: 'ref' }>, caller: TaskRef, name: string): ArgValue {
    switch (a.kind) {
      case 'int':
        return a.value;
      case 'fdname':
        return this.fd(a, caller, name);
      case 'flags':
        // Past 2^53 the double OR has rounded (a signal set holding SIGRTMAX and low signals): OR the terms exactly.
        return Number.isSafeInteger(a.value) ? a.value : a.terms.reduce((acc, t) => acc | BigInt(t.value), 0n);
      case 'list':
        return a.items.map((t) => t.value);
      case 'word':
        return a.text;
      case 'ns':
      case 'ns_for_children':
        return a.type === undefined ? { kind: a.kind, task: this.task(a.actor, a.pos) } : { kind: a.kind, task: this.task(a.actor, a.pos), type: a.type };
      case 'siginfo': {
        const field = (key: string): number | undefined => a.fields.find((f) => f.key === key)?.value.value;
        const signo = field('si_signo');
        return { kind: 'siginfo', code: field('si_code') ?? 0, pid: field('si_pid') ?? 0, value: field('si_value') ?? 0, ...(signo === undefined ? {} : { signo }) };
      }
    }
  }

  /** Every name to a number (in argument order, as the kernel reads them); then the language's own rules (normalize). */
  private async resolve(spec: CallSpec, call: Call, caller: TaskRef, name: string): Promise<ResolvedCall> {
    const values: (ArgValue | undefined)[] = [];
    for (const a of call.args) values.push(a === undefined ? undefined : a.kind === 'ref' ? await this.pid(a, caller, name) : this.resolveArg(a, caller, name));
    // setns's target is an fd name or a number there; the descriptor reads both as a namespace target.
    spec.params.forEach((p, i) => {
      const v = values[i];
      if (typeof p.kind !== 'function' && p.kind.kind === 'nsfile' && typeof v === 'number') values[i] = { kind: 'fd', fd: v };
    });
    const args = new Args(values);
    return { name: spec.name, args: spec.normalize?.(args) ?? args };
  }

  private async callStep(step: CallStep, depth: number, rounds: readonly Round[], emit: Emit): Promise<void> {
    const actor = this.task(step.actor, step.pos);
    await this.mayStep(step.actor, actor, step.pos);
    const spec = callSpec(step.call.name)!;
    const resolved = await this.resolve(spec, step.call, actor, step.actor);
    const levelForChildren = this.backend.levelForChildren?.bind(this.backend);
    await spec.check?.(step.call.args, {
      levelForChildren: () => (levelForChildren === undefined ? Promise.resolve(null) : levelForChildren(actor)),
      fail: (pos, message) => this.fail(pos, message),
    });
    const comm = step.bind ?? this.comms.get(actor) ?? step.actor;
    const child = { ref: taskRef(this.nextRef), comm };
    const outcome = await this.backend.call(actor, resolved, child);
    this.afterCall(step, spec, actor, resolved, outcome);

    const text = formatCallStep(step);
    const result = formatResult(outcome.result);
    emit({ type: 'step', pos: step.pos, depth, text, result });
    if (step.expect !== undefined && !sameResult(step.expect, result)) this.mismatch(step.pos, text, rounds, [step.expect], [result]);
    const happened = this.events(outcome.events, step.pos, depth, emit);
    if (step.events !== undefined) this.checkEvents(step, text, rounds, happened);
  }

  /**
   * Written event lines are the step's events, exactly and in order
   * (language.md, "Events as expectations"). The mismatch names the first
   * written line that differs (the last one when the step caused more).
   */
  private checkEvents(step: CallStep, text: string, rounds: readonly Round[], happened: readonly string[]): void {
    const written = step.events ?? [];
    const expected = written.map((e) => `${e.label}: ${e.text}`);
    if (sameLines(expected, happened)) return;
    let i = 0;
    while (i < expected.length && i < happened.length && sameResult(expected[i]!, happened[i]!)) i++;
    const at = written[Math.min(i, written.length - 1)]!;
    this.mismatch(at.pos, `${text} (events)`, rounds, expected, happened);
  }

  /** Names, fd tables and blocked calls after a call. */
  private afterCall(step: CallStep, spec: CallSpec, actor: TaskRef, call: ResolvedCall, outcome: CallOutcome): void {
    const result = outcome.result;
    const traits = spec.traits?.(call.args) ?? {};
    // A vfork parent's clone is unfinished, but its child exists and runs steps now.
    if (spec.creates === 'task' && ((result.kind === 'value' && result.value > 0) || result.kind === 'unfinished')) {
      const ref = taskRef(this.nextRef++);
      this.comms.set(ref, step.bind ?? this.comms.get(actor) ?? step.actor);
      if (step.bind !== undefined) this.bind(step.bind, ref);
      // A thread (or a CLONE_FILES child) shares the table; a forked child gets a copy.
      const shared = ((traits.cloneFlags ?? 0) & (CLONE_THREAD | CLONE_FILES)) !== 0;
      const table = this.fdTable(actor);
      this.fdTables.set(ref, shared ? table : new Map(table));
    }
    // CLONE_PIDFD: the pidfd is the caller's (a copied table was made before it; a shared one holds it).
    if (step.bindPidfd !== undefined && result.kind === 'value' && result.pidfd !== undefined) this.fdTable(actor).set(step.bindPidfd, result.pidfd);
    if (spec.creates === 'fd' && result.kind === 'fd' && step.bind !== undefined) {
      this.fdTable(actor).set(step.bind, result.fd);
    }
    if (traits.closes !== undefined && result.kind === 'value' && result.value === 0) {
      const table = this.fdTable(actor);
      for (const [name, fd] of table) if (fd === traits.closes) table.delete(name);
    }
    if (result.kind === 'unfinished') this.blockedIn.set(actor, call.name);
  }

  /** Events in the order the tasks were created (stable within one task). */
  private events(events: readonly StepEvent[], pos: Pos, depth: number, emit: Emit): string[] {
    const lines: string[] = [];
    const sorted = events.map((e, i) => ({ e, i })).sort((a, b) => a.e.task - b.e.task || a.i - b.i);
    for (const { e } of sorted) {
      switch (e.event.kind) {
        case 'resumed':
        case 'exited':
        case 'killed':
        case 'superseded':
          this.blockedIn.delete(e.task);
          break;
        default:
          break;
      }
      const entry = { type: 'event', pos, depth, task: this.label(e.task), text: formatEvent(e.event) } as const;
      emit(entry);
      lines.push(`${entry.task}: ${entry.text}`);
    }
    return lines;
  }

  /**
   * A view is read from outside the viewer, as a tool in its namespace would:
   * a blocked or stopped viewer is fine, an exited one is not (its namespace
   * may be gone).
   */
  private async viewStep(step: ViewStep, depth: number, rounds: readonly Round[], emit: Emit): Promise<void> {
    const view = step.view;
    const viewer = this.task(view.actor, step.actorPos);
    if ((await this.backend.life(viewer)) === 'exited') this.fail(step.actorPos, `${view.actor} has exited`);
    let output: string[];
    switch (view.kind) {
      case 'ps':
        output = psLines(await this.backend.ps(viewer));
        break;
      case 'tree':
        output = treeLines(await this.backend.ps(viewer));
        break;
      case 'ns':
        output = nsLines(await this.backend.ns(viewer));
        break;
      case 'namespaces': {
        const backend = this.backend;
        if (backend.otherNamespaces === undefined) return this.fail(step.pos, `the ${backend.name} backend has no @namespaces view`);
        output = namespacesLines(await backend.otherNamespaces(viewer));
        break;
      }
      case 'jobs': {
        const backend = this.backend;
        if (backend.jobs === undefined) return this.fail(step.pos, `the ${backend.name} backend has no @jobs view`);
        output = jobsLines(await backend.jobs(viewer));
        break;
      }
      case 'threads':
      case 'status': {
        const target = this.task(view.target, view.targetPos);
        const invisible = (): never => this.fail(view.targetPos, `${view.target} is not visible from ${view.actor}'s namespace`);
        if (view.kind === 'threads') {
          const tids = await this.backend.threads(viewer, target);
          output = tids === null ? invisible() : threadsLines(tids);
        } else {
          const status = await this.backend.status(viewer, target);
          output = status === null ? invisible() : statusLines(status);
        }
        break;
      }
    }
    const text = formatView(view);
    emit({ type: 'view', pos: step.pos, depth, text, output });
    if (step.expect !== undefined && !sameLines(step.expect, output)) this.mismatch(step.pos, text, rounds, step.expect, output);
  }
}

/**
 * Runs a script on a backend: starts it, runs every step, closes it (always).
 * A ScenarioError (an unknown actor, an invisible `$b`, a step by a task that
 * is gone, stopped or blocked) rejects the promise; what was printed before it
 * has reached the callbacks.
 */
export async function runScenario(script: Script, backend: Backend, opts: RunOptions = {}): Promise<RunResult> {
  const runner = new Runner(script, backend, opts);
  try {
    await backend.start();
    runner.preset(backend.presetTasks?.() ?? []);
    await runner.steps(script.steps, 0, [], runner.emitTop);
  } finally {
    await backend.close();
  }
  return { lines: runner.lines, entries: runner.entries, mismatches: runner.mismatches };
}
