// A task in another session than its parent's, which its parent cannot have
// been handed (no helper, no reaper): the parent founded its own session
// after the task's birth. setsid() moves only the caller (kernel/sys.c
// ksys_setsid: a new session and group, its children stay where they are),
// and a task leaves its session only by leading a new one, so a child in the
// session its parent was born in was born before the parent's setsid. The
// plan does the same: the parent creates it right after its own creation,
// before it settles (the schedule's early children), then founds its session.

import type { Actor, Cast } from './actors.js';
import { pushTo } from './same.js';

/** Whether `a`, whose parent `p` is in another session, was born before p's setsid; if so, p creates it early. */
export function bornBeforeSetsid(cast: Cast, a: Actor, p: Actor): boolean {
  const n = cast.n;
  const t = p.task;
  // The start's init leads session 1 from the start: it was never in another.
  if (p.kind !== 'target' || t === null || t.seq === n.json.init || p.sid !== t.pid || t.parent === null) return false;
  // p is born of its parent (it leads its session, creators.ts), in that parent's session.
  const pp = cast.bySeq.get(t.parent);
  if (pp === undefined || pp.leader.sid !== a.sid) return false;
  a.creator = p;
  a.why = `its parent creates it before founding its own session, so it stays in session ${n.pidName(a.sid!)}`;
  pushTo(cast.early, p, a);
  return true;
}
