// The visualizer's state: a scenario's top-level steps and a position in them,
// or a snapshot file (one position, no steps). Going to step N re-runs steps
// 1..N on a fresh model (the engine is fast, and a re-run cannot drift from
// the CLI's transcript the way an undo could). Only the package's entry
// points are imported. No DOM here: the page (main.ts) reads what this computes.

import type { Kernel } from '../../src/index.js';
import { ModelBackend, ScenarioError, entryLines, formatScript, parseScenario, runScenario } from '../../src/scenario/index.js';
import type { Mismatch, Script, Step, TranscriptEntry } from '../../src/scenario/index.js';
import { formatSnapshotError, parseSnapshot } from '../../src/snapshot/index.js';
import { TraceError, traceToScenario } from '../../src/trace/index.js';
import type { Fates } from './changes.js';
import { narration, type Narration } from './narration.js';

/** A ModelBackend that also keeps how each task ended, from the kernel's event stream. */
class WatchedBackend extends ModelBackend {
  private readonly statusWords = new Map<number, number>();
  private readonly supersededBy = new Map<number, number>();
  readonly fates: Fates = { status: this.statusWords, supersededBy: this.supersededBy };
  override async start(): Promise<void> {
    await super.start();
    this.kernel.subscribe((e) => {
      if (e.type === 'exited') this.statusWords.set(e.task, e.status);
      else if (e.type === 'superseded') this.supersededBy.set(e.task, e.by);
    });
  }
}

/** One top-level step of the scenario with what the full run printed for it. */
export interface StepRecord {
  /** The transcript lines (call and result, events, view output). */
  readonly lines: readonly string[];
  readonly entries: readonly TranscriptEntry[];
  readonly mismatches: readonly Mismatch[];
  /** The scenario error this step stops on (it and later steps do not run). */
  readonly error: string | null;
}

/** A run of the first `count` steps: the model as they leave it. */
export interface Run {
  readonly count: number;
  readonly kernel: Kernel;
}

/** The text of a ScenarioError or any other failure, as the CLI prints it. */
export function errorText(e: unknown): string {
  if (e instanceof ScenarioError || e instanceof SnapshotFileError) return e.message;
  return e instanceof Error ? `internal error: ${e.message}` : String(e);
}

/** Groups a run's entries by top-level step: a depth-0 step, view or repeat opens one. */
function groupEntries(entries: readonly TranscriptEntry[]): TranscriptEntry[][] {
  const groups: TranscriptEntry[][] = [];
  for (const e of entries) {
    if (e.depth === 0 && (e.type === 'step' || e.type === 'view' || e.type === 'repeat')) groups.push([e]);
    else groups[groups.length - 1]?.push(e);
  }
  return groups;
}

/** Runs steps on a fresh model; resolves with the records, and the error if a step failed. */
async function runSteps(file: string, steps: readonly Step[]): Promise<{ backend: WatchedBackend; records: StepRecord[]; error: { index: number; text: string } | null }> {
  const backend = new WatchedBackend();
  const entries: TranscriptEntry[] = [];
  // Mismatches by step index: one is reported while its step's entries are the last opened.
  const mismatches: Mismatch[][] = steps.map(() => []);
  let opened = 0;
  let error: string | null = null;
  try {
    await runScenario({ file, steps }, backend, {
      onEntry: (e) => {
        entries.push(e);
        if (e.depth === 0 && (e.type === 'step' || e.type === 'view' || e.type === 'repeat')) opened++;
      },
      onMismatch: (m) => mismatches[Math.max(0, opened - 1)]?.push(m),
    });
  } catch (e) {
    error = errorText(e);
  }
  const groups = groupEntries(entries);
  const records: StepRecord[] = steps.map((_, i) => {
    const group = groups[i] ?? [];
    return { lines: group.flatMap(entryLines), entries: group, mismatches: mismatches[i] ?? [], error: null };
  });
  if (error === null) return { backend, records, error: null };
  // A call or view that fails prints nothing; a repeat that fails prints its rounds but no `}`.
  const lastGroup = groups.at(-1);
  const inRepeat = steps[groups.length - 1]?.kind === 'repeat' && lastGroup?.at(-1)?.type !== 'end';
  const index = Math.min(inRepeat ? groups.length - 1 : groups.length, steps.length - 1);
  records[index] = { ...records[index]!, error };
  return { backend, records, error: { index, text: error } };
}

/** How a text is opened: a snapshot file (JSON, docs/snapshot.md), an strace log, or a scenario. */
export type SourceKind = 'scenario' | 'snapshot' | 'trace';

/**
 * An strace -f line: `PID  call(...`, `[pid PID] call(...`, or a bare `call(` (strace without -f),
 * with or without a `-t`/`-tt`/`-ttt` time stamp before the call.
 */
const STRACE_LINE = /^(?:\[pid\s+\d+\]\s*|\d+\s+)?(?:\d+(?:[:.]\d+)*\s+)?[a-z_][a-z0-9_]*\(.*(?:\)\s+=\s|<unfinished \.\.\.>)/;

/**
 * What a text is. A snapshot starts with `{`; an strace log's first line is
 * a system call with its result; anything else is read as a scenario.
 */
export function kindOf(text: string): SourceKind {
  const body = text.replace(/^\uFEFF/, '');
  if (/^\s*\{/.test(body)) return 'snapshot';
  const first = body.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  return STRACE_LINE.test(first.trim()) ? 'trace' : 'scenario';
}

export class Session {
  private constructor(
    readonly kind: SourceKind,
    /** The scenario's name (a file name or `console`). */
    readonly file: string,
    readonly steps: readonly Step[],
    readonly records: readonly StepRecord[],
    /** How many steps run before the first failing one (all of them when none fails). */
    readonly runnable: number,
    /** The source, for sharing: the loaded text, or the canonical text of the steps once some were typed. */
    readonly source: string,
    /** How each task ended in the full run (a task ends once). */
    readonly fates: Fates,
    readonly narration: Narration,
    /** A snapshot's kernel (its only position); null for a scenario. */
    private readonly fixed: Kernel | null,
  ) {}

  /**
   * Opens a scenario (parsed and run whole; throws a ScenarioError on a
   * syntax error), an strace log (imported as `pidns import` does, then
   * opened as that scenario; a bad log throws with its line) or a snapshot
   * (throws an Error with the loader's reason).
   */
  static async load(text: string, file: string): Promise<Session> {
    const kind = kindOf(text);
    if (kind === 'trace') {
      let scenario: string;
      try {
        scenario = traceToScenario(text, file);
      } catch (e) {
        if (e instanceof TraceError) throw new SnapshotFileError(e.message);
        throw e;
      }
      return Session.ofScenario('trace', scenario, file);
    }
    if (kind === 'snapshot') {
      const loaded = parseSnapshot(text);
      if (!loaded.ok) throw new SnapshotFileError(`${file}: ${formatSnapshotError(loaded.error)}`);
      return new Session('snapshot', file, [], [], 0, text, { status: new Map(), supersededBy: new Map() }, { intro: [], byLine: new Map() }, loaded.kernel);
    }
    return Session.ofScenario('scenario', text, file);
  }

  /** A scenario's text (or a trace's, imported), parsed and run whole; its comments are the narration. */
  private static async ofScenario(kind: 'scenario' | 'trace', text: string, file: string): Promise<Session> {
    const script = parseScenario(text, file);
    const { backend, records, error } = await runSteps(file, script.steps);
    const told = narration(
      text,
      script.steps.map((st) => st.pos.line),
    );
    return new Session(kind, file, script.steps, records, error === null ? script.steps.length : error.index, text, backend.fates, told, null);
  }

  /** Recent runs by step count: a step forward asks for N and N - 1 (to show its change). */
  private readonly runs = new Map<number, Promise<Run>>();

  /** The model after the first `count` steps (the caller must not change it: runs are shared). */
  runTo(count: number): Promise<Run> {
    if (this.fixed !== null) return Promise.resolve({ count: 0, kernel: this.fixed });
    const n = Math.max(0, Math.min(count, this.runnable));
    let run = this.runs.get(n);
    if (run === undefined) {
      run = runSteps(this.file, this.steps.slice(0, n)).then(({ backend }) => ({ count: n, kernel: backend.kernel }));
      this.runs.set(n, run);
      // Keep a few: each holds a whole model.
      for (const key of this.runs.keys()) if (this.runs.size > 8) this.runs.delete(key);
    }
    return run;
  }

  /**
   * Adds the steps typed in `text` after the first `at` steps (dropping later ones).
   * Resolves with the new session, or with an error message when the text does
   * not parse or a new step fails; the session itself never changes.
   */
  async append(text: string, at: number): Promise<{ session: Session } | { error: string }> {
    if (this.kind === 'snapshot') return { error: 'a snapshot has no steps to add to (open a scenario)' };
    let added: Script;
    try {
      added = parseScenario(text, 'console');
    } catch (e) {
      return { error: errorText(e) };
    }
    if (added.steps.length === 0) return { error: 'nothing to run' };
    const keep = this.steps.slice(0, Math.min(at, this.runnable));
    const steps = [...keep, ...added.steps];
    // Named `console` so that an error points into what was typed.
    const { backend, records, error } = await runSteps('console', steps);
    if (error !== null) return { error: error.text };
    const source = formatScript({ file: this.file, steps });
    // The kept steps keep their narration; typed steps have none (their lines are the console's).
    const byLine = new Map<number, readonly string[]>();
    const told = new Map<Step, readonly string[]>();
    keep.forEach((st) => {
      const t = this.narration.byLine.get(st.pos.line);
      if (t !== undefined) told.set(st, t);
    });
    const fresh = parseScenario(source, this.file).steps;
    fresh.forEach((st, i) => {
      const t = i < keep.length ? told.get(keep[i]!) : undefined;
      if (t !== undefined) byLine.set(st.pos.line, t);
    });
    return { session: new Session('scenario', this.file, fresh, records, steps.length, source, backend.fates, { intro: this.narration.intro, byLine }, null) };
  }
}

/** A file the snapshot loader or the trace importer refuses (the message names the file, and the line for a trace). */
export class SnapshotFileError extends Error {}
