// Phase 2 (plan.ts): the fd tables. Each table's pidfds and signalfds
// (signalfds.ts) are opened in fd order (the kernel hands out the lowest free number, so a gap is held by a
// filler fd until the next one is open), while every task they name is still
// alive. A pidfd of a process already reaped is opened on a helper with its
// numbers, which then exits and is reaped: the struct pid lives on in the
// fds alone, as in the snapshot.

import { nrIn, type Actor, type Cast } from './actors.js';
import { refuse } from './refusal.js';
import { FIRST_FD } from './inherit.js';
import { openSignalfd } from './signalfds.js';
import type { Out } from './schedule.js';
import * as step from './steps.js';
import { ghostInit, keptForChildren } from './dead_init.js';
import { revivedDeath } from './reboot.js';

export function pidfds(cast: Cast, out: Out): void {
  const n = cast.n;
  const byPid = new Map<number, Actor>();
  for (const a of cast.all) {
    if (a.task !== null) byPid.set(a.task.pid, a);
    else if (a.kind === 'session helper' || a.kind === 'group helper') byPid.set(a.pgid!, a);
  }
  const done = new Set<number>();
  let noted = false;
  for (const a of cast.all) {
    if (a.kind !== 'target') continue;
    const g = n.groups.get(a.task!.group)!;
    if (g.files === null || done.has(g.files)) continue;
    done.add(g.files);
    const table = n.fdTables.get(g.files);
    const files = [...(table?.files ?? [])].sort((x, y) => x[0] - y[0]);
    if (files.length === 0 || files.every((f) => f[1] === 'pty' || a.fds.get(f[0])?.pid === f[1])) continue;
    if (!noted) out.section('2. Pidfds and signalfds, in fd order, while every task they name is alive.');
    noted = true;
    const who = n.taskName(a.task!.seq);
    const fillers: string[] = [];
    let next = FIRST_FD;
    const fill = (fd: number): void => {
      for (; next < fd; next++) {
        if (a.fds.has(next)) continue;
        const filler = cast.fdName();
        out.step(step.openPidfd(a.name, a.name, false, false, filler), `holds fd ${next} until fd ${fd} is open`);
        fillers.push(filler);
      }
    };
    for (const f of files) {
      // Opened in the creation phase (ttys.ts) and inherited: in the table already, which the fillers skip.
      if (f[1] === 'pty') continue;
      if (f[1] === 'signalfd') {
        fill(f[0]);
        openSignalfd(cast, a, g.files, f, out);
        next = f[0] + 1;
        continue;
      }
      const [fd, pidSerial, thread, nonblock] = f;
      const pid = n.pids.get(pidSerial)!;
      const held = a.fds.get(fd);
      if (held !== undefined && held.pid === pidSerial) {
        next = fd + 1;
        continue; // born with it (inherit.ts)
      }
      let holder = byPid.get(pidSerial);
      if (holder === undefined) {
        if (pid.hashed) refuse(who, `fd ${fd}`, 'its pidfd names a pid that no task or helper of the plan holds');
        holder = ghostFor(cast, pid.serial, out);
        byPid.set(pidSerial, holder);
      }
      if (nrIn(pid, a.ns) === 0) refuse(who, `fd ${fd}`, 'it names a task its namespace cannot see, and opening a pidfd by number cannot reach it');
      fill(fd);
      out.step(step.openPidfd(a.name, holder.name, thread, nonblock, cast.fdName()), `fd ${fd}`);
      next = fd + 1;
    }
    for (const f of fillers) out.step(step.closeFd(a.name, f), 'the filler goes');
  }
  // Last made first: a stand-in init's death would kill the stand-ins below it (zap_pid_ns_processes).
  for (const h of [...(ghosts.get(cast)?.values() ?? [])].reverse()) {
    if (keptForChildren(cast, h)) continue; // phases.ts revive() takes it on
    out.step(h.newPid ? revivedDeath(cast, h) : step.exitThread(h.name, 0), 'the reaped process dies again');
    out.step(step.reap(h.creator!.name, h.name), 'and is reaped: only the pidfds hold its struct pid now');
  }
}

/** The helpers standing in for reaped pids, by pid serial: made when a pidfd needs one (in the creation phase for a child born holding it), let die after the pidfds phase. */
const ghosts = new WeakMap<Cast, Map<number, Actor>>();

/** The helper with a reaped pid's numbers, created by ns0's init on first use. */
export function ghostFor(cast: Cast, pidSerial: number, out: Out, creating = false): Actor {
  let made = ghosts.get(cast);
  if (made === undefined) {
    made = new Map<number, Actor>();
    ghosts.set(cast, made);
  }
  let h = made.get(pidSerial);
  if (h === undefined) {
    // A namespace's reaped init stands in as an init (dead_init.ts); anyone else by a plain helper.
    h = ghostInit(cast, pidSerial, [...made.values()], out, creating) ?? ghost(cast, pidSerial, out, cast.bySeq.get(cast.n.json.init)!);
    // Made outside the creation phase's schedule (or in it, for a child born holding its pidfd): nothing waits on it.
    h.created = true;
    h.settled = true;
    made.set(pidSerial, h);
  }
  return h;
}

/** A helper with a reaped pid's numbers, created by ns0's init, to be opened and let die. */
function ghost(cast: Cast, pidSerial: number, out: Out, init: Actor): Actor {
  const n = cast.n;
  const pid = n.pids.get(pidSerial)!;
  const nums = n.numbersOf(pid);
  const ns = pid.numbers[pid.numbers.length - 1]![0];
  const what = `reaped pid ${nums.join(' ')}`;
  for (const [level, nr] of pid.numbers) if (cast.taken(level, nr)) refuse(what, 'number reused', `its number ${nr} is held again by another task, so it cannot come back for its pidfds to be opened`);
  const handle = ns === n.base.serial ? init : cast.initOf.get(ns);
  if (handle === undefined || nums.length === 0) refuse(what, 'namespace', 'the namespace it lived in has no task the plan rebuilds');
  if (!handle!.created) refuse(what, 'namespace', 'a child is born holding a pidfd of it before the plan has made its namespace');
  const h = cast.add({ name: cast.helperName('gone'), kind: 'pidfd helper', task: null, ns, nums, creator: init, why: '', newPid: false, exitSignal: 17, sid: null, pgid: null });
  if (init.pfc !== ns) {
    out.step(step.setnsTo(init.name, handle!.name), `the helper goes into ${n.nsName(ns)}`);
    init.pfc = ns;
  }
  out.step(step.clone3(init.name, h.name, [], [...nums].reverse(), 17), `stands in for ${what}, which pidfds still name`);
  return h;
}
