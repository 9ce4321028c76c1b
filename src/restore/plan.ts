// The restore planner: from a snapshot, a scenario that rebuilds its identity
// state from the standard start (docs/restore.md).

import type { KernelJson } from '../snapshot/schema.js';
import type { PlanResult } from './refusal.js';

/** A scenario (text) rebuilding `snapshot`, or a refusal naming the task, the constraint and why. */
export function planRestore(snapshot: KernelJson): PlanResult {
  // Part 1 lands the signature only: every snapshot is refused, never approximated.
  return { ok: false, refusal: { task: snapshot.pidNamespaces.length > 0 ? 'ns0' : '?', constraint: 'any snapshot', why: 'the planner is not written yet (issue 16, part 3)' } };
}
