// The restore planner: from a snapshot, a scenario that rebuilds its identity
// state from the standard start (docs/restore.md). The plan runs in phases,
// each needing what the ones before it made and none undoing them:
//   1. creation (schedule.ts): every process and thread with its numbers at
//      every level, in its session and group, helpers included, each pty file
//      opened by its holders' common creator (ttys.ts);
//   1b. terminals: foreground groups, typed input, fds only passed on closed;
//   2. pidfds and signalfds, while every task they name is still alive;
//   3. ns_last_pid and pid_for_children, while every namespace has live tasks
//      (then root helpers go, userns.ts); groups whose SIGCONT is not yet
//      reported are stopped and continued;
//   4. deaths: helpers exit and are reaped, zombies exit (their parents
//      ignore the exit signal meanwhile), inits last (reboot.ts, zap.ts);
//   5. signal state: dispositions, masks, pending signals;
//   6. stops, then terminal reads and blocking calls, each a task's last step
//      with its credentials and parent-death signal just before it; then
//      every other task's credentials.

import type { KernelJson } from '../snapshot/schema.js';
import { Cast, type Actor } from './actors.js';
import { castOf } from './creators.js';
import { Refused, refuse, type PlanResult } from './refusal.js';
import { Names } from './same.js';
import { checkSharing, createAll, findEarly, Out, placeHelpers } from './schedule.js';
import { deaths, finalNamespaces, refuseUnplanned } from './phases.js';
import { pidfds } from './fds.js';
import { planUsers, rootHelpersDone } from './userns.js';
import { chooseSiblings } from './siblings.js';
import { continuedGroups } from './continued.js';
import { planExecs, withLiveInit } from './exec.js';
import { dyingInits } from './zap.js';
import { blockingWaits, credentials, signalState, stops } from './signals.js';
import { planTtys, ttyControl, ttyReads } from './ttys.js';

/** A scenario (text) rebuilding `snapshot`, or a refusal naming the task, the constraint and why. */
export function planRestore(snapshot: KernelJson): PlanResult {
  try {
    return { ok: true, text: plan(snapshot) };
  } catch (e) {
    if (e instanceof Refused) return { ok: false, refusal: e.refusal };
    throw e;
  }
}

function plan(json: KernelJson): string {
  const n = new Names(withLiveInit(json));
  // A snapshot that says it left state out (a kernel with terminals: docs/snapshot.md) cannot be
  // rebuilt exactly from what it holds: a plan would silently drop that state.
  for (const what of json.omitted ?? []) refuse('ns0', 'state the snapshot left out', what);
  refuseUnplanned(n);
  // After refuseUnplanned: a threaded init's refusal there (a race) says more than zap.ts's.
  dyingInits(n);
  const cast = new Cast(n);
  castOf(cast);
  chooseSiblings(cast);
  for (const a of [...cast.all]) if (a.kind === 'target') cast.originOf(n.pids.get(a.sid!)!, 'session helper');
  for (const a of [...cast.all]) if (a.kind === 'target' && a.pgid !== null) cast.originOf(n.pids.get(a.pgid)!, 'group helper', a.sid);
  placeHelpers(cast);
  checkSharing(cast);
  planExecs(cast);
  findEarly(cast);
  planUsers(cast);
  planTtys(cast);
  const out = new Out();
  out.note(`Rebuilds a snapshot of ${cast.all.filter((a) => a.task !== null).length} tasks (pidns plan). Each step says why it is there.`);
  out.note('Numbers: clone3 set_tid lists them innermost first, down to ns0 (never the host).');
  out.blank();
  out.note('1. Creation: each task by a process of its session, helpers for sessions and groups whose leaders are dead.');
  createAll(cast, out);
  ttyControl(cast, out);
  pidfds(cast, out);
  finalNamespaces(cast, out);
  rootHelpersDone(cast, out);
  continuedGroups(cast, out);
  deaths(cast, out);
  signalState(cast, out);
  // A terminal reader may still have steps in the stops (a parent consuming a stop report, the sender of a stop or of
  // the signals pending at a stopped group), so the reads come after them, a task's last step like every blocking call.
  stops(cast, out);
  ttyReads(cast, out);
  blockingWaits(cast, out);
  credentials(cast, out);
  return `${out.lines.join('\n')}\n`;
}

export type { Actor };
