// A zombie init whose namespace's child reaper is one of its threads, since
// released: the leader exited first (find_child_reaper handed the role to a
// live thread of its group), then the group ended. The plan does the same:
// the init's leader exits alone, then a thread with the released reaper's
// numbers ends the group with the status wait reports, so child_reaper is
// that thread, as in the snapshot.

import type { PidNsJson, TaskJson } from '../snapshot/schema.js';
import type { Names } from './same.js';

/** The released thread that is `ns`'s child reaper under a zombie init leader of its group, both ended by plain exits (the group by exit_group); else null. */
export function threadReaper(n: Names, ns: PidNsJson): TaskJson | null {
  if (ns.childReaper === null || ns.serial === n.base.serial) return null;
  const reaper = n.tasks.get(ns.childReaper)!;
  if (reaper.exitState !== 'dead') return null;
  const g = n.groups.get(reaper.group)!;
  const leader = n.tasks.get(g.leader)!;
  const nrs = n.pids.get(leader.pid)!.numbers;
  const last = nrs[nrs.length - 1]!;
  // A killed group's leader took the signal with the rest; a leader that exits first cannot show it.
  if (leader === reaper || leader.exitState !== 'zombie' || last[0] !== ns.serial || last[1] !== 1) return null;
  if (!g.groupExit || (g.groupExitCode & 0x7f) !== 0 || (leader.exitCode & 0x7f) !== 0) return null;
  if (g.threads.some((s) => n.tasks.get(s)!.exitState !== 'dead' && s !== leader.seq)) return null;
  return reaper;
}
