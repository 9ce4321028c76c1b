// Pidfds a task holds of tasks its namespace cannot see: opening by number
// cannot reach them from inside, so the task must be born holding them. Its
// creator opens each at the task's fd number (filling lower free numbers, as
// the kernel hands out the lowest free fd), clones (a copied fd table), and
// then both close what only the copy was for.

import { nrIn, type Actor, type Cast } from './actors.js';
import { refuse } from './refusal.js';
import type { Out } from './schedule.js';
import * as step from './steps.js';
import { keepsTty } from './ttys.js';
import { ghostFor } from './fds.js';

/** The lowest fd a pidfd gets: 0-2 are the standard streams (kernel/fd_table.ts). */
export const FIRST_FD = 3;

/** The pidfds of `a`'s table that it cannot open itself: [fd, pid serial, thread, nonblock]. */
export function inheritedFds(cast: Cast, a: Actor): (readonly [number, number, boolean, boolean])[] {
  if (a.kind !== 'target') return [];
  const n = cast.n;
  const g = n.groups.get(a.task!.group)!;
  const c = a.creator?.leader.task;
  // A child sharing its creator's table (CLONE_FILES) has the creator's fds, opened in the fds phase.
  if (g.files === null || (c !== undefined && c !== null && n.groups.get(c.group)!.files === g.files)) return [];
  const out: (readonly [number, number, boolean, boolean])[] = [];
  for (const f of n.fdTables.get(g.files)?.files ?? []) {
    if (f[1] === 'signalfd' || f[1] === 'pty') continue;
    if (nrIn(n.pids.get(f[1])!, a.ns) === 0) out.push([f[0], f[1], f[2], f[3]]);
  }
  return out.sort((x, y) => x[0] - y[0]);
}

/** The actor each needed pid is opened on (its task, or a dead leader's helper); null for a reaped pid. */
export function holderOf(cast: Cast, pidSerial: number): Actor | null {
  const pid = cast.n.pids.get(pidSerial)!;
  if (pid.task !== null) {
    const t = cast.bySeq.get(pid.task);
    if (t !== undefined && cast.n.tasks.get(pid.task)!.pid === pidSerial) return t;
  }
  return cast.origin.get(pidSerial) ?? null;
}

/** Before the clone: the creator opens what the child must be born holding. Returns what the creator closes after. */
export function openForChild(cast: Cast, c: Actor, a: Actor, out: Out): string[] {
  const need = inheritedFds(cast, a);
  const opened: string[] = [];
  if (need.length === 0) return opened;
  const n = cast.n;
  const who = n.taskName(a.task!.seq);
  const table = c.leader.fds;
  for (const [fd, pidSerial, thread, nonblock] of need) {
    const held = table.get(fd);
    if (held !== undefined) {
      if (held.pid !== pidSerial) refuse(who, `fd ${fd}`, `its creator ${c.name} holds another fd at that number`);
      continue;
    }
    // A reaped process comes back as a helper with its numbers (fds.ts), alive until the pidfds phase ends.
    const holder = holderOf(cast, pidSerial) ?? (n.pids.get(pidSerial)!.hashed ? null : ghostFor(cast, pidSerial, out, true));
    if (holder === null || !holder.created) refuse(who, `fd ${fd}`, 'it names a task outside its namespace that the plan has not rebuilt before it (or one already reaped)');
    if (nrIn(n.pids.get(pidSerial)!, c.ns) === 0) refuse(who, `fd ${fd}`, `it names a task neither it nor its creator ${c.name} can see`);
    for (let next = FIRST_FD; next < fd; next++) {
      if (table.has(next)) continue;
      const filler = cast.fdName();
      // A filler names the group's leader: a thread's own number opens no pidfd without PIDFD_THREAD (ENOENT).
      out.step(step.openPidfd(c.name, c.leader.name, false, false, filler), `holds fd ${next} so the next lands on ${fd}`);
      table.set(next, { pid: -1, name: filler });
      opened.push(filler);
    }
    const name = cast.fdName();
    out.step(step.openPidfd(c.name, holder!.name, thread, nonblock, name), `fd ${fd}, for ${a.name} to be born with (it cannot see ${holder!.name})`);
    table.set(fd, { pid: pidSerial, name });
    opened.push(name);
  }
  return opened;
}

/**
 * After the clone: the child's table is a copy of its creator's (or the
 * same table, with CLONE_FILES; a thread's is its group's). A task of the
 * snapshot keeps only the fds it is to be born with; the creator closes
 * what it opened for the child.
 */
export function closeAfterChild(cast: Cast, c: Actor, a: Actor, opened: readonly string[], out: Out): void {
  if (a.kind === 'thread') return;
  const shares = a.kind === 'target' && c.leader.task !== null && cast.n.groups.get(a.task!.group)!.files !== null && cast.n.groups.get(a.task!.group)!.files === cast.n.groups.get(c.leader.task.group)!.files;
  if (shares) {
    a.fds = c.leader.fds;
    return;
  }
  a.fds = new Map(c.leader.fds);
  if (a.kind === 'target') {
    const wanted = new Map(inheritedFds(cast, a).map((f) => [f[0], f[1]] as const));
    for (const [fd, f] of a.fds) {
      if (wanted.get(fd) === f.pid || keepsTty(cast, a, f.pid)) continue;
      out.step(step.closeFd(a.name, f.name), 'a copy of its creator\'s fd it is not to hold');
      a.fds.delete(fd);
    }
  }
  for (const name of opened) {
    out.step(step.closeFd(c.name, name), `only ${a.name} needed it`);
    for (const [fd, f] of c.leader.fds) if (f.name === name) c.leader.fds.delete(fd);
  }
}
