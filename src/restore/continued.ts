// A group with a SIGCONT its parent has not been told of by wait
// (SIGNAL_STOP_CONTINUED: prepare_signal() sets it when a SIGCONT finds the
// group stopped; wait_task_continued() with WCONTINUED clears it). The plan
// stops the group and continues it, and no one waits: ns0's init sends
// SIGSTOP, then SIGCONT, after the namespaces are final and before the
// deaths (a zombie keeps the flag: exit does not clear it) and before any
// signal state. Then no disposition or mask is set yet, so the SIGCHLDs the
// stop and the continue send the parent (do_notify_parent_cldstop) find
// SIGCHLD at SIG_DFL, unblocked, and are discarded; no blocking wait is made
// yet, so none takes the report.

import type { Actor, Cast } from './actors.js';
import { refuse } from './refusal.js';
import type { Out } from './schedule.js';
import * as step from './steps.js';

const SIGSTOP = 19;
const SIGCONT = 18;
const WCONTINUED = 8;

export function continuedGroups(cast: Cast, out: Out): void {
  const n = cast.n;
  const init = cast.bySeq.get(n.json.init)!;
  for (const a of cast.all) {
    if (a.kind !== 'target') continue;
    const t = a.task!;
    const g = n.groups.get(t.group)!;
    if (!g.continuedPending) continue;
    const who = n.taskName(t.seq);
    if (a === init) refuse(who, 'continued pending', 'the start state\'s init would have to be stopped and continued by its parent, outside ns0');
    const parent = t.parent === null ? undefined : cast.bySeq.get(t.parent);
    if (parent === undefined) return refuse(who, 'continued pending', 'its parent is outside ns0');
    if (waitsForContinued(cast, parent)) refuse(who, 'continued pending', `a thread of its parent ${parent.name} blocks in a wait with WCONTINUED, which the report would end`);
    if (cast.groupsDone.has(parent.leader)) refuse(who, 'continued pending', `its parent's signal state is set already: the stop's SIGCHLD might be caught or queued there`);
    out.section('Continued groups: stopped and continued, their parents never told by wait.');
    out.step(step.kill(init.name, a.name, SIGSTOP), 'stopped...');
    out.step(step.kill(init.name, a.name, SIGCONT), '...and continued: a SIGCONT its parent has not waited for');
  }
}

/** Whether a thread of `parent`'s group ends the plan blocked in a wait that reports continued children. */
function waitsForContinued(cast: Cast, parent: Actor): boolean {
  return [parent.leader, ...cast.threadsOf(parent.leader)].some((m) => {
    const b = m.task?.blocked;
    return (b?.syscall === 'wait4' || b?.syscall === 'waitid') && (b.options & WCONTINUED) !== 0;
  });
}
