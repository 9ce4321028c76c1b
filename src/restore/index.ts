// pidns/restore: what counts as the same process-identity state (same.ts,
// docs/restore.md), and the planner that writes a scenario rebuilding a
// snapshot's state from the standard start (plan.ts). Engine only: no Node.

export { byNumber, canonical, formatDifference, samenessDifferences, sigSetList } from './same.js';
export type { Canonical, Difference, SamenessMode } from './same.js';
export { formatRefusal } from './refusal.js';
export type { PlanResult, Refusal } from './refusal.js';
export { planRestore } from './plan.js';
export { restoreOnModel } from './verify.js';
export type { RestoreOutcome } from './verify.js';
