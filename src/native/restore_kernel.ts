// `pidns restore SNAPSHOT --backend kernel`: a plan (a scenario) run on the
// real kernel, then what /proc shows of the rebuilt namespace (the reader of
// `host snapshot --ns`, src/host/ns_snapshot.ts, read before teardown)
// compared with SNAPSHOT by the /proc rule (src/restore/same.ts, `proc`
// mode: only what /proc shows each namespace; docs/restore.md).

import type { NsSnapshot } from '../host/ns_snapshot.js';
import { samenessDifferences } from '../restore/same.js';
import type { RestoreOutcome } from '../restore/verify.js';
import { ScenarioError } from '../scenario/ast.js';
import { parseScenario } from '../scenario/parser.js';
import { runScenario } from '../scenario/run.js';
import type { KernelJson } from '../snapshot/schema.js';
import { createKernelBackend, KernelBackend } from './kernel_backend.js';

/** A kernel backend that reads its end state just before it tears the namespace down. */
export class CapturingKernelBackend extends KernelBackend {
  private taken: { readonly ok: true; readonly snapshot: NsSnapshot } | { readonly ok: false; readonly reason: string } | null = null;

  override async close(): Promise<void> {
    if (this.taken === null) {
      try {
        this.taken = { ok: true, snapshot: this.endState() };
      } catch (e) {
        this.taken = { ok: false, reason: e instanceof Error ? e.message : String(e) };
      }
    }
    await super.close();
  }

  /** The end state read at close, or why it could not be read; null before close. */
  get endStateTaken(): { readonly ok: true; readonly snapshot: NsSnapshot } | { readonly ok: false; readonly reason: string } | null {
    return this.taken;
  }
}

/** A capturing kernel backend, or an Error starting `kernel backend unavailable:` (createKernelBackend's checks). */
export function createCapturingKernelBackend(): CapturingKernelBackend {
  createKernelBackend();
  return new CapturingKernelBackend();
}

/**
 * Runs `plan` on the kernel from the standard start and compares what /proc
 * shows at its end with `target`, by the /proc rule. A scenario error in the
 * plan is `{ok: false}`; a kernel backend failure throws.
 */
export async function restoreOnKernel(target: KernelJson, plan: string, file = 'plan.pidns'): Promise<RestoreOutcome & { readonly notes?: readonly string[] }> {
  const backend = createCapturingKernelBackend();
  try {
    await runScenario(parseScenario(plan, file), backend);
  } catch (e) {
    if (e instanceof ScenarioError) return { ok: false, error: e.message };
    throw e;
  }
  const taken = backend.endStateTaken;
  if (taken === null || !taken.ok) throw new Error(`kernel backend: the rebuilt state could not be read from /proc${taken === null ? '' : `: ${taken.reason}`}`);
  const state = taken.snapshot.json;
  return { ok: true, differences: samenessDifferences(target, state, 'proc'), state, notes: taken.snapshot.notes };
}
