// Saving terminals (version 4, docs/snapshot.md): the pty pairs, their open
// files (one struct file may sit in several fd tables, as fork shares it, so
// files are listed once and tables refer to them by index), each thread
// group's controlling terminal and tty_old_pgrp, and a call sleeping in a
// terminal. Only what the rest of the snapshot holds is named: a released
// group's entries are gone with it (release_task).

import type { Kernel } from '../kernel/kernel.js';
import type { TtyRequest } from '../kernel/n_tty.js';
import type { Pid } from '../kernel/pid.js';
import type { ThreadGroup } from '../kernel/thread_group.js';
import type { PtyFile } from '../kernel/tty.js';
import type { ThreadGroupJson, TtyFileJson, TtyJson, TtyWaitJson } from './schema.js';

/** The terminal part of a save: files get their index on first sight. */
export class TtySaver {
  private readonly files = new Map<PtyFile, number>();
  private readonly fileList: TtyFileJson[] = [];
  constructor(private readonly k: Kernel) {}

  /** The Pids the terminals name (session, foreground group, tty_old_pgrp), for the snapshot to hold. */
  pids(): Pid[] {
    const s = this.k.ttys;
    if (s === null) return [];
    const out: Pid[] = [];
    for (const t of s.ttys) {
      if (t.session !== null) out.push(t.session);
      if (t.pgrp !== null) out.push(t.pgrp);
    }
    for (const p of s.oldPgrp.values()) out.push(p);
    return out;
  }

  /** The index of an open file in `ttyFiles`. */
  file(f: PtyFile): number {
    let i = this.files.get(f);
    if (i === undefined) {
      i = this.fileList.length;
      this.files.set(f, i);
      this.fileList.push({ tty: f.tty.index, master: f.master, readable: f.readable, writable: f.writable, hungUp: f.hungUp });
    }
    return i;
  }

  /** A group's v4 keys: its controlling terminal and old foreground group, each only when set. */
  group(g: ThreadGroup): Pick<ThreadGroupJson, 'ctty' | 'ttyOldPgrp'> {
    const s = this.k.ttys;
    if (s === null) return {};
    const tty = s.ctty.get(g);
    const old = s.oldPgrp.get(g);
    return { ...(tty === undefined ? {} : { ctty: tty.index }), ...(old === undefined ? {} : { ttyOldPgrp: old.serial }) };
  }

  blocked(b: TtyRequest): TtyWaitJson {
    return { syscall: b.syscall, file: this.file(b.file), args: [...b.args], restarts: b.restarts, fromStart: b.fromStart };
  }

  /** The top-level keys, written last (after every table named its files). */
  top(): { ttys?: TtyJson[]; ttyFiles?: TtyFileJson[] } {
    const s = this.k.ttys;
    if (s === null || s.ttys.length === 0) return {};
    return {
      ttys: s.ttys.map((t) => ({ index: t.index, session: t.session?.serial ?? null, pgrp: t.pgrp?.serial ?? null, tostop: t.tostop, hungUp: t.hungUp, lines: [...t.lines], partial: t.partial })),
      ttyFiles: this.fileList,
    };
  }
}
