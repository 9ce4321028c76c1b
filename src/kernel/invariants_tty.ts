// The terminals' invariants (kernel/tty.ts), run by findViolations once a pty
// exists. Each is what every path that changes a terminal keeps: procSetTty
// sets session, foreground group and the leader's signal->tty together;
// setsid, a steal, disassociate_ctty and a hangup clear the members'
// signal->tty; a session leader's group death disassociates it; the
// master's last close (of a live holder) hangs the pair up and flushes its
// typed input.
//
// Not an invariant: that the foreground group is of the terminal's session.
// TIOCSPGRP checks it (session_of_pgrp), but the group may empty afterwards
// and its pid's task then found a session of its own (setsid only asks that
// no group has its number): tty->ctrl.pgrp keeps the struct pid.

import type { Kernel } from './kernel.js';
import type { ThreadGroup } from './thread_group.js';
import { sessionLeader, type PtyFile, type Tty } from './tty.js';

/** Every terminal violation found (findViolations' part for k.ttys). */
export function ttyViolations(k: Kernel): string[] {
  const bad: string[] = [];
  const s = k.ttys!;
  const v = (cond: boolean, msg: () => string): void => {
    if (!cond) bad.push(msg());
  };
  const name = (tty: Tty): string => `pts/${tty.index}`;
  const who = (g: ThreadGroup): string => `group of task ${g.leader.seq}`;
  for (const [g, tty] of s.ctty) {
    if (g.leader.exitState === 'dead') continue;
    v(tty.session === g.session, () => `${who(g)} has ${name(tty)} as its controlling terminal, which is not its session's`);
  }
  for (const [g] of s.oldPgrp) {
    if (g.leader.exitState === 'dead') continue;
    // Set by a hangup for the session leader whose terminal it took; a new terminal (procSetTty) and the exit clear it.
    v(sessionLeader(g), () => `${who(g)} has a tty_old_pgrp but leads no session`);
    v(!s.ctty.has(g), () => `${who(g)} has a tty_old_pgrp and a controlling terminal`);
  }
  // The groups holding each pair's files: masters by live groups, and every file object of a master.
  const liveMasters = new Map<Tty, number>();
  const masterFiles = new Map<Tty, Set<PtyFile>>();
  for (const t of k.liveTasks()) {
    if (!t.isLeader) continue;
    for (const [fd, f] of t.group.filesRef?.entries() ?? []) {
      if (f.kind !== 'pty') continue;
      v(!f.hungUp || (!f.master && f.tty.hungUp), () => `task ${t.seq}: fd ${fd} is hung up but ${f.master ? 'is a master' : `${name(f.tty)} is not`}`);
      if (f.master) {
        const set = masterFiles.get(f.tty) ?? new Set<PtyFile>();
        set.add(f);
        masterFiles.set(f.tty, set);
        if (t.group.live > 0) liveMasters.set(f.tty, (liveMasters.get(f.tty) ?? 0) + 1);
      } else if (t.group.live > 0) v(!f.tty.hungUp || f.hungUp, () => `task ${t.seq}: fd ${fd} is open on hung-up ${name(f.tty)} but not hung up`);
    }
  }
  for (const tty of s.ttys) {
    v((tty.session === null) === (tty.pgrp === null), () => `${name(tty)} has ${tty.session === null ? 'a foreground group but no session' : 'a session but no foreground group'}`);
    // ptmx_open() makes the one master file a pair has; fork and CLONE_FILES share it.
    v((masterFiles.get(tty)?.size ?? 0) <= 1, () => `${name(tty)} has more than one master file`);
    if (tty.hungUp) {
      v(tty.session === null, () => `${name(tty)} is hung up but is a session's controlling terminal`);
      v(!liveMasters.has(tty), () => `${name(tty)} is hung up but a live process holds its master`);
      // tty_ldisc_hangup() flushed the input, and no master is left to type more.
      v(tty.lines.length === 0 && tty.partial === 0, () => `${name(tty)} is hung up but has typed input`);
    } else v(liveMasters.has(tty), () => `${name(tty)}: no live process holds its master, yet it was not hung up (the last close hangs it up)`);
    if (tty.session === null) continue;
    // disassociate_ctty(1) at the leader's group death clears the session's terminal: its leader lives, and has it.
    const leader = tty.session.tgidOf;
    v(leader !== null && leader.session === tty.session && leader.live > 0, () => `${name(tty)} is the terminal of session ${tty.session!.serial}, whose leader's group is dead`);
    if (leader !== null && leader.session === tty.session) v(s.ctty.get(leader) === tty, () => `${name(tty)} is the terminal of session ${tty.session!.serial}, but its leader's controlling terminal is not it`);
  }
  for (const t of k.liveTasks()) {
    const b = t.blocked;
    if (b !== null && 'run' in b && !k.blockedWaiters.has(t)) bad.push(`task ${t.seq} sleeps in a terminal ${b.syscall} but is not in the blocked list`);
  }
  return bad;
}
