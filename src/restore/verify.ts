// Running a plan on the model and comparing the state it ends in with the
// snapshot it was meant to rebuild (`pidns restore --backend model`).

import { ScenarioError } from '../scenario/ast.js';
import { ModelBackend, type ModelBackendOptions } from '../scenario/model_backend.js';
import { parseScenario } from '../scenario/parser.js';
import { runScenario, type RunResult } from '../scenario/run.js';
import type { KernelJson } from '../snapshot/schema.js';
import { toJSON } from '../snapshot/save.js';
import { samenessDifferences, type Difference, type SamenessMode } from './same.js';

export type RestoreOutcome =
  | { readonly ok: true; readonly differences: readonly Difference[]; readonly state: KernelJson }
  /** The plan itself is wrong: a scenario error (file:line:col message). */
  | { readonly ok: false; readonly error: string };

/** Runs `plan` (scenario text) on a fresh model from the standard start and compares the end state with `target`. */
/** `options` reach the model backend (tests pass the invariant checker as afterStep). */
export async function restoreOnModel(target: KernelJson, plan: string, file = 'plan.pidns', mode: SamenessMode = 'model', options: ModelBackendOptions = {}): Promise<RestoreOutcome> {
  const backend = new ModelBackend(options);
  let run: RunResult;
  try {
    run = await runScenario(parseScenario(plan, file), backend);
  } catch (e) {
    if (e instanceof ScenarioError) return { ok: false, error: e.message };
    throw e;
  }
  const state = toJSON(backend.kernel);
  return { ok: true, differences: [...failedSteps(run, file), ...samenessDifferences(target, state, mode)], state };
}

/**
 * Every step of a plan that failed, as a difference named by its place: a plan
 * never means a call to fail, so one that did (an EPERM from set_tid without
 * the capability, say) rebuilt something else, even where the end state
 * happens to match (numbers that came out in order anyway).
 */
export function failedSteps(run: RunResult, file: string): Difference[] {
  const out: Difference[] = [];
  for (const e of run.entries) {
    if (e.type === 'step' && e.result.startsWith('-1 ')) out.push({ task: `${file}:${e.pos.line}:${e.pos.col}`, field: e.text, expected: 'success', got: e.result });
  }
  return out;
}

/** The state `text` (a scenario, run on a fresh model from the standard start) ends in: a restore target. */
export async function modelEndState(text: string, file = 'history.pidns'): Promise<KernelJson> {
  const backend = new ModelBackend();
  await runScenario(parseScenario(text, file), backend);
  return toJSON(backend.kernel);
}
