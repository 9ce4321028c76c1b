// Terminals in a plan (docs/restore.md). Version 4 snapshots carry them
// (pty pairs, controlling terminals, foreground groups, pty fds); the
// planner does not rebuild them yet, so a snapshot in which a task the plan
// rebuilds refers to a pty is refused by name rather than planned without it.

import { refuse } from './refusal.js';
import type { Names } from './same.js';

/** Refuses a snapshot whose rebuilt tasks hold a pty fd, have a controlling terminal or a tty_old_pgrp, or sleep in a terminal call. */
export function refuseTtys(n: Names): void {
  if ((n.json.ttys ?? []).length === 0) return;
  for (const t of n.liveTasks()) {
    const g = n.groups.get(t.group)!;
    const who = n.taskName(t.seq);
    const why = 'the planner does not rebuild terminals yet (posix_openpt, TIOCSCTTY, TIOCSPGRP and fds inherited at their numbers)';
    if (g.ctty !== undefined) refuse(who, 'controlling terminal', why);
    if (g.ttyOldPgrp !== undefined) refuse(who, 'tty_old_pgrp', why);
    if (t.blocked !== null && 'file' in t.blocked) refuse(who, `blocked in a terminal ${t.blocked.syscall}`, why);
    const fd = g.files === null ? undefined : n.fdTables.get(g.files)?.files.find((f) => f[1] === 'pty');
    if (fd !== undefined) refuse(who, `fd ${fd[0]}: a pty`, why);
  }
}
