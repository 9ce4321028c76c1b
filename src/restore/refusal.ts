// A refusal: the state a snapshot holds that no scenario run from the
// standard start can rebuild exactly (or that the planner does not yet know
// how to), named by the task, the constraint and why. Never an approximation.

export interface Refusal {
  /** The task (its number in the snapshot's base namespace) or other object the constraint is about. */
  readonly task: string;
  /** What of it cannot be rebuilt ("pending signal", "blocked in rt_sigsuspend"). */
  readonly constraint: string;
  /** Why: the Linux rule (or the planner's missing step) that stands in the way. */
  readonly why: string;
}

export type PlanResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly refusal: Refusal };

export class Refused extends Error {
  constructor(readonly refusal: Refusal) {
    super(formatRefusal(refusal));
  }
}

export const refuse = (task: string, constraint: string, why: string): never => {
  throw new Refused({ task, constraint, why });
};

export function formatRefusal(r: Refusal): string {
  const what = /^\d/.test(r.task) ? `task ${r.task}` : r.task;
  return `cannot restore ${what}: ${r.constraint}: ${r.why}`;
}
