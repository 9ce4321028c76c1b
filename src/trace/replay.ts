// Replay: run an imported trace on the model and compare every result and
// event the trace shows with the model's. The comparison is the importer's
// side table (scenario line -> trace line and result), not the scenario's
// written expectations, so a call that blocks on the model is compared when
// its `resumed` event comes.

import { ModelBackend, parseScenario, runScenario, sameResult, ScenarioError, type TranscriptEntry } from '../scenario/index.js';
import type { Expectation, ExpectedEvent, ImportResult, ListedCall } from './importer.js';

export interface ReplayMismatch {
  /** The trace's line (0 when the model did something the trace does not show at all). */
  readonly traceLine: number;
  readonly actor: string;
  /** The call, or the event kind. */
  readonly what: string;
  readonly trace: string;
  readonly model: string;
}

export interface ReplayReport {
  readonly file: string;
  readonly lines: number;
  /** Results and events compared. */
  readonly compared: number;
  readonly mismatches: readonly ReplayMismatch[];
  readonly unexpressed: readonly ListedCall[];
  readonly approximated: readonly ListedCall[];
  /** The run stopped early (a scenario error: the model and the trace parted ways). */
  readonly stopped: string | null;
  readonly passed: boolean;
}

/** The signal number of a transcript `---` line, as the model names it (SIGRTMIN is 34 there). */
function signalOf(text: string): string {
  return /^--- (\S+) /.exec(text)?.[1] ?? '';
}

/** `128 {si_signo=SIGCHLD, si_pid=2, ...}` against the model's whole value: the fields the trace shows, in order, then any. */
function samePrefix(expected: string, model: string): boolean {
  const head = expected.replace(/, \.\.\.\}$/, '');
  const m = model.replace(/\s+/g, ' ');
  return m.startsWith(head) && (m[head.length] === ',' || m[head.length] === '}');
}

/** Runs the imported scenario on the model (`backend`, for its options); `file` names the trace in the report. */
export async function replayImport(file: string, imported: ImportResult, backend: ModelBackend = new ModelBackend()): Promise<ReplayReport> {
  const mismatches: ReplayMismatch[] = [];
  let compared = 0;
  const pending = new Map<string, Expectation>();
  const caught = new Map<string, ExpectedEvent[]>();
  for (const [actor, list] of imported.caught) caught.set(actor, [...list]);
  const seenEnds = new Set<string>();
  const stops = new Map<string, ExpectedEvent[]>();
  for (const [actor, list] of imported.stops) stops.set(actor, [...list]);
  const compare = (e: Expectation, model: string): void => {
    compared++;
    // Most results are equal as written: the white-space fold only for the others.
    if (e.result !== model && (e.partial === true ? !samePrefix(e.result, model) : !sameResult(e.result, model))) mismatches.push({ traceLine: e.traceLine, actor: e.actor, what: e.call, trace: e.result, model });
  };
  const onEntry = (entry: TranscriptEntry): void => {
    if (entry.type === 'step') {
      const e = imported.expectations.get(entry.pos.line);
      if (e === undefined) return;
      if (entry.result === '<unfinished ...>') pending.set(e.actor, e);
      else compare(e, entry.result);
      return;
    }
    if (entry.type !== 'event') return;
    const actor = entry.task;
    const text = entry.text;
    if (text.startsWith('<... ')) {
      const e = pending.get(actor);
      if (e === undefined) return;
      pending.delete(actor);
      compare(e, text.slice(text.indexOf('> = ') + 4));
    } else if (text.startsWith('--- ')) {
      if (imported.uncomparedSignals.has(actor)) return;
      const queue = caught.get(actor);
      const want = queue?.shift();
      compared++;
      if (want === undefined) {
        mismatches.push({ traceLine: 0, actor, what: 'signal', trace: '(none)', model: text });
      } else if (want.nameOnly ? signalOf(want.text) !== signalOf(text) && !(want.signal !== null && Number(signalOf(text)) === want.signal) : !sameResult(want.text, text)) {
        mismatches.push({ traceLine: want.traceLine, actor, what: 'signal', trace: want.text, model: text });
      }
    } else if (text.startsWith('+++ stopped by ')) {
      // strace shows a group stop as `--- stopped by SIG ---`, whatever -qq says.
      const want = stops.get(actor)?.shift();
      compared++;
      if (want === undefined) mismatches.push({ traceLine: 0, actor, what: 'stop', trace: '(none)', model: text });
      else if (!sameResult(want.text, text)) mismatches.push({ traceLine: want.traceLine, actor, what: 'stop', trace: want.text, model: text });
    } else if (text === '+++ continued +++') {
      // strace has no line for it (the parent's wait shows it, and is compared there).
    } else if (text.startsWith('+++ ') && imported.tracedEnds) {
      const want = imported.ends.get(actor);
      if (want === undefined) return; // strace and its probes: not traced
      seenEnds.add(actor);
      compared++;
      if (!sameResult(want.text, text)) mismatches.push({ traceLine: want.traceLine, actor, what: 'end', trace: want.text, model: text });
    }
  };
  let stopped: string | null = null;
  try {
    const script = parseScenario(imported.scenario, file.replace(/(\.strace)?$/, '.pidns'));
    await runScenario(script, backend, { onEntry });
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    stopped = e.message;
  }
  for (const [actor, e] of pending) mismatches.push({ traceLine: e.traceLine, actor, what: e.call, trace: e.result, model: '<unfinished ...> (never resumed)' });
  for (const [actor, queue] of caught) {
    for (const want of queue) mismatches.push({ traceLine: want.traceLine, actor, what: 'signal', trace: want.text, model: '(not delivered)' });
  }
  for (const [actor, queue] of stops) {
    for (const want of queue) mismatches.push({ traceLine: want.traceLine, actor, what: 'stop', trace: want.text, model: '(not stopped)' });
  }
  if (imported.tracedEnds && stopped === null) {
    for (const [actor, want] of imported.ends) {
      if (!seenEnds.has(actor)) mismatches.push({ traceLine: want.traceLine, actor, what: 'end', trace: want.text, model: '(still alive)' });
    }
  }
  mismatches.sort((a, b) => a.traceLine - b.traceLine);
  return {
    file,
    lines: imported.stats.lines,
    compared,
    mismatches,
    unexpressed: imported.unexpressed,
    approximated: imported.approximated,
    stopped,
    passed: mismatches.length === 0 && stopped === null && imported.unexpressed.length === 0,
  };
}
