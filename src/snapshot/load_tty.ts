// Loading terminals (version 4, docs/snapshot.md): the pty pairs, their open
// files, a group's controlling terminal and tty_old_pgrp, a task sleeping in
// a terminal call. Shapes and references are checked here, each refusal with
// its path; whether the whole is a state Linux can be in (a controlling
// terminal of another session, a session's terminal whose leader is dead, a
// hung-up terminal whose master is still open) is the invariant checker's
// (kernel/invariants_tty.ts), which fromJSON runs on the result.

import { ttyCallRun, type TtyRequest } from '../kernel/n_tty.js';
import type { Pid } from '../kernel/pid.js';
import type { ThreadGroup } from '../kernel/thread_group.js';
import { Tty, TtyState, type PtyFile } from '../kernel/tty.js';

type Obj = Readonly<Record<string, unknown>>;

/** The loader's readers (load.ts), passed in so that both files refuse alike. */
export interface Readers {
  readonly refuse: (path: string, reason: string) => never;
  readonly obj: (v: unknown, path: string) => Obj;
  readonly arr: (v: unknown, path: string) => readonly unknown[];
  readonly int: (v: unknown, path: string, min?: number, max?: number) => number;
  readonly bool: (v: unknown, path: string) => boolean;
  readonly pid: (serial: number, path: string) => Pid;
}

/** The terminals of a snapshot, read before the fd tables that hold their files. */
export class TtyLoader {
  readonly state = new TtyState();
  private readonly files: PtyFile[] = [];
  private readonly groups: [ThreadGroup, Obj, string][] = [];

  constructor(private readonly r: Readers, root: Obj) {
    const { refuse, obj, arr, int, bool } = r;
    if (root.ttys === undefined) {
      if (root.ttyFiles !== undefined) refuse('ttyFiles', 'open pty files but no `ttys`');
      return;
    }
    arr(root.ttys, 'ttys').forEach((v, i) => {
      const p = `ttys[${i}]`;
      const o = obj(v, p);
      // The model numbers a pair by its place in the order posix_openpt made it (ptmx_open's devpts_new_index on a fresh devpts).
      if (int(o.index, `${p}.index`, 0) !== i) refuse(`${p}.index`, `${String(o.index)} is not its place in the list (${i})`);
      const tty = new Tty(i);
      tty.session = o.session === null ? null : r.pid(int(o.session, `${p}.session`, 0), `${p}.session`);
      tty.pgrp = o.pgrp === null ? null : r.pid(int(o.pgrp, `${p}.pgrp`, 0), `${p}.pgrp`);
      tty.tostop = bool(o.tostop, `${p}.tostop`);
      tty.hungUp = bool(o.hungUp, `${p}.hungUp`);
      tty.lines = arr(o.lines, `${p}.lines`).map((x, j) => int(x, `${p}.lines[${j}]`, 1));
      tty.partial = int(o.partial, `${p}.partial`, 0);
      this.state.ttys.push(tty);
    });
    arr(root.ttyFiles ?? [], 'ttyFiles').forEach((v, i) => {
      const p = `ttyFiles[${i}]`;
      const o = obj(v, p);
      const master = bool(o.master, `${p}.master`);
      const hungUp = bool(o.hungUp, `${p}.hungUp`);
      // __tty_hangup() swaps the fops of files open on the slave; the master's are never hung_up_tty_fops.
      if (master && hungUp) refuse(`${p}.hungUp`, "a master's file is never hung up (only the slave's files get hung_up_tty_fops)");
      const readable = bool(o.readable, `${p}.readable`);
      const writable = bool(o.writable, `${p}.writable`);
      if (!readable && !writable) refuse(p, 'an open file is readable, writable or both (O_ACCMODE 3 is EINVAL)');
      this.files.push({ kind: 'pty', tty: this.tty(o.tty, `${p}.tty`), master, readable, writable, hungUp, cloexec: false });
    });
  }

  private tty(v: unknown, path: string): Tty {
    const i = this.r.int(v, path, 0);
    const tty = this.state.ttys[i];
    if (tty === undefined) return this.r.refuse(path, `no pty ${i} in \`ttys\``);
    return tty;
  }

  /** A pty entry of an fd table: [fd, 'pty', file index]. */
  file(a: readonly unknown[], path: string): PtyFile {
    if (a.length !== 3) this.r.refuse(path, "expected [fd, 'pty', file index]");
    const i = this.r.int(a[2], `${path}[2]`, 0);
    const f = this.files[i];
    if (f === undefined) return this.r.refuse(`${path}[2]`, `no open file ${i} in \`ttyFiles\``);
    return f;
  }

  /** A group's keys, linked once every group exists. */
  group(g: ThreadGroup, o: Obj, path: string): void {
    if (o.ctty !== undefined || o.ttyOldPgrp !== undefined) this.groups.push([g, o, path]);
  }

  /** A task's blocked terminal call: {syscall, file, args, restarts, fromStart}. */
  blocked(o: Obj, path: string, syscall: TtyRequest['syscall']): TtyRequest {
    const { refuse, arr, int, bool } = this.r;
    const i = int(o.file, `${path}.file`, 0);
    const file = this.files[i];
    if (file === undefined) return refuse(`${path}.file`, `no open file ${i} in \`ttyFiles\``);
    // n_tty.ts: a read of a master is ENOSYS (not modeled) and a write to one types at once; neither sleeps.
    if (file.master && syscall !== 'ioctl') refuse(`${path}.file`, `a terminal ${syscall} on a master never sleeps`);
    const want = syscall === 'read' ? 0 : syscall === 'write' ? 1 : 2;
    const args = arr(o.args, `${path}.args`).map((x, j) => int(x, `${path}.args[${j}]`, syscall === 'write' ? 0 : undefined, syscall === 'write' ? 255 : undefined));
    if (args.length !== want) refuse(`${path}.args`, `a terminal ${syscall} has ${want} argument${want === 1 ? '' : 's'} past its fd`);
    return { syscall, tty: file.tty, file, args, run: ttyCallRun(syscall, file, args), restarts: int(o.restarts, `${path}.restarts`, 0), fromStart: bool(o.fromStart, `${path}.fromStart`) };
  }

  /** The kernel's TtyState, or null when the snapshot never had a pty. */
  finish(): TtyState | null {
    for (const [g, o, p] of this.groups) {
      if (o.ctty !== undefined) this.state.ctty.set(g, this.tty(o.ctty, `${p}.ctty`));
      if (o.ttyOldPgrp !== undefined) this.state.oldPgrp.set(g, this.r.pid(this.r.int(o.ttyOldPgrp, `${p}.ttyOldPgrp`, 0), `${p}.ttyOldPgrp`));
    }
    return this.state.ttys.length === 0 ? null : this.state;
  }
}
