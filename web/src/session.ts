// The visualizer's state: a scenario's top-level steps and a position in them.
// Going to step N re-runs steps 1..N on a fresh model (the engine is fast, and
// a re-run cannot drift from the CLI's transcript the way an undo could).
// No DOM here: the page (main.ts) reads what this computes.

import { ScenarioError, entryLines, formatScript, ModelBackend, parseScenario, runScenario, type Mismatch, type Script, type Step, type TranscriptEntry } from '../../src/scenario/index.js';

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
  readonly backend: ModelBackend;
}

/** The text of a ScenarioError or any other failure, as the CLI prints it. */
export function errorText(e: unknown): string {
  if (e instanceof ScenarioError) return e.message;
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
async function runSteps(file: string, steps: readonly Step[]): Promise<{ backend: ModelBackend; records: StepRecord[]; error: { index: number; text: string } | null }> {
  const backend = new ModelBackend();
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

export class Session {
  private constructor(
    /** The scenario's name (a file name or `console`). */
    readonly file: string,
    readonly steps: readonly Step[],
    readonly records: readonly StepRecord[],
    /** How many steps run before the first failing one (all of them when none fails). */
    readonly runnable: number,
    /** The source, for sharing: the loaded text, or the canonical text of the steps once some were typed. */
    readonly source: string,
  ) {}

  /** Parses and runs a whole scenario (throws a ScenarioError on a syntax error). */
  static async load(text: string, file: string): Promise<Session> {
    const script = parseScenario(text, file);
    const { records, error } = await runSteps(file, script.steps);
    return new Session(file, script.steps, records, error === null ? script.steps.length : error.index, text);
  }

  /** Recent runs by step count: a step forward asks for N and N - 1 (to show reparenting). */
  private readonly runs = new Map<number, Promise<Run>>();

  /** The model after the first `count` steps (the caller must not change it: runs are shared). */
  runTo(count: number): Promise<Run> {
    const n = Math.max(0, Math.min(count, this.runnable));
    let run = this.runs.get(n);
    if (run === undefined) {
      run = runSteps(this.file, this.steps.slice(0, n)).then(({ backend }) => ({ count: n, backend }));
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
    const { records, error } = await runSteps('console', steps);
    if (error !== null) return { error: error.text };
    const source = formatScript({ file: this.file, steps });
    return { session: new Session(this.file, steps, records, steps.length, source) };
  }
}
