// Terminals in the sameness rule (docs/restore.md): a pty pair is named by
// what refers to it — the session it is the terminal of, else its first
// holder's fd — never by its index. The model numbers pairs by the order
// they were opened since the start (closed ones included); Linux frees an
// index on the last close, and the kernel backend opens its ptys on the
// host's /dev/ptmx, whose devpts numbers them among the host's own. So the
// index is history on one backend and the host's choice on the other.

import type { KernelJson, TtyFileJson, TtyJson } from '../snapshot/schema.js';
import { byNumber, type Names } from './same.js';

/** Names for the snapshot's ptys, and the fields each pair and each group's terminal state has. */
export class TtyNames {
  private readonly names = new Map<number, string>();
  private readonly ttys: readonly TtyJson[];
  private readonly files: readonly TtyFileJson[];

  constructor(private readonly n: Names) {
    this.ttys = n.json.ttys ?? [];
    this.files = n.json.ttyFiles ?? [];
    for (const t of this.ttys) if (t.session !== null) this.names.set(t.index, `pty of session ${n.pidName(t.session)}`);
    // The rest by their first holder (tasks in number order, then fd order).
    const holders: [string, number, number][] = [];
    for (const t of n.liveTasks()) {
      const g = n.groups.get(t.group)!;
      if (g.leader !== t.seq || g.files === null) continue;
      for (const f of n.fdTables.get(g.files)?.files ?? []) if (f[1] === 'pty') holders.push([n.taskName(t.seq), f[0], this.files[f[2]]!.tty]);
    }
    holders.sort((a, b) => byNumber(a[0], b[0]) || a[1] - b[1]);
    for (const [who, fd, tty] of holders) if (!this.names.has(tty)) this.names.set(tty, `pty held by ${who} at fd ${fd}`);
  }

  /** A pair's canonical name; one nothing names (only a closed history) is `pty #index`, never compared. */
  name(index: number): string {
    return this.names.get(index) ?? `pty #${index}`;
  }

  /** An fd table's pty entry: `4:ptmx NAME`, `5:pts NAME rw hung up`. */
  fd(fd: number, file: number): string {
    const f = this.files[file]!;
    const mode = f.readable && f.writable ? '' : f.readable ? ' read-only' : ' write-only';
    return `${fd}:${f.master ? 'ptmx' : 'pts'} ${this.name(f.tty)}${mode}${f.hungUp ? ' hung up' : ''}`;
  }

  /** A blocked terminal call. */
  blocked(syscall: string, file: number, args: readonly number[]): string {
    const f = this.files[file]!;
    return `${syscall} ${f.master ? 'ptmx' : 'pts'} ${this.name(f.tty)}${args.length > 0 ? ` ${args.join(' ')}` : ''}`;
  }

  /** Each named pair's state: session, foreground group, TOSTOP, hangup, typed input. */
  pairs(put: (obj: string, field: string, value: string | number | boolean) => void): void {
    for (const t of this.ttys) {
      const name = this.names.get(t.index);
      if (name === undefined) continue;
      put(name, 'session', t.session === null ? 'none' : this.n.pidName(t.session));
      put(name, 'foreground group', t.pgrp === null ? 'none' : this.n.pidName(t.pgrp));
      put(name, 'TOSTOP', t.tostop);
      put(name, 'hung up', t.hungUp);
      put(name, 'typed input', `lines [${t.lines.join(',')}] partial ${t.partial}`);
    }
  }

  /** A group's controlling terminal and tty_old_pgrp. */
  group(json: KernelJson['threadGroups'][number]): { ctty: string; oldPgrp: string } {
    return {
      ctty: json.ctty === undefined ? 'none' : this.name(json.ctty),
      oldPgrp: json.ttyOldPgrp === undefined ? 'none' : this.n.pidName(json.ttyOldPgrp),
    };
  }
}

/**
 * What /proc/PID/stat shows of each process's terminal, by its name: `none`,
 * or `pty of session S, foreground G` (tty_nr's device is the host devpts's
 * number, so the pair is named by its session, a ctty being always its
 * holder's session's; tpgid as numbers from ns0 down). The kernel's side is
 * NsSnapshot.terminals (src/host/ns_snapshot.ts); a zombie shows its
 * signal->tty until it is reaped (__exit_signal drops it).
 */
export function procTerminals(n: Names): Map<string, string> {
  const out = new Map<string, string>();
  const ttys = n.json.ttys ?? [];
  for (const t of n.liveTasks()) {
    const g = n.groups.get(t.group)!;
    if (g.leader !== t.seq) continue;
    const y = g.ctty === undefined ? undefined : ttys[g.ctty];
    out.set(n.taskName(t.seq), terminalText(n, y === undefined ? null : g.session, y?.pgrp ?? null));
  }
  return out;
}

/** One process's terminal as procTerminals words it: its session's pty (a Pid serial, null for none) and the foreground group. */
export function terminalText(n: Names, session: number | null, foreground: number | null): string {
  return session === null ? 'none' : `pty of session ${n.pidName(session)}, foreground ${foreground === null ? 'none' : n.pidName(foreground)}`;
}
