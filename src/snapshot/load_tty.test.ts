// Terminals in snapshots (version 4): saving then loading is the identity,
// older versions still load, and the loader refuses terminal states Linux
// cannot be in, each with its path and reason.

import { describe, expect, it } from 'vitest';
import { O_NOCTTY, O_RDWR, TIOCGPTPEER, TIOCSCTTY, TIOCSPGRP } from '../abi/tty.js';
import { Kernel } from '../kernel/kernel.js';
import { snapshot } from '../kernel/snapshot.js';
import { sysSetpgid, sysSetsid } from '../syscalls/ids.js';
import { sysFork } from '../syscalls/process.js';
import { sysIoctl, sysPosixOpenpt } from '../syscalls/tty.js';
import { fromJSON, toJSON } from './index.js';

type Json = Record<string, unknown>;
type Snap = { ttys: Json[]; ttyFiles: Json[]; threadGroups: Json[]; tasks: Json[]; fdTables: { serial: number; files: unknown[][] }[] } & Json;

/** A session leader with its pty (master and slave), a child in a group of its own in the foreground. */
function shell(): { k: Kernel; json: Snap } {
  const k = new Kernel();
  const sh = sysFork(k, k.init);
  if (!sh.ok) throw new Error('fork');
  const me = sh.value.child;
  expect(sysSetsid(k, me).ok).toBe(true);
  const m = sysPosixOpenpt(k, me, O_RDWR | O_NOCTTY);
  if (!m.ok) throw new Error('posix_openpt');
  const s = sysIoctl(k, me, m.value, TIOCGPTPEER, O_RDWR);
  expect(s.ok).toBe(true);
  const job = sysFork(k, me);
  if (!job.ok) throw new Error('fork');
  expect(sysSetpgid(k, job.value.child, 0, 0).ok).toBe(true);
  expect(sysIoctl(k, me, m.value, TIOCSPGRP, job.value.child.tidIn(me.activeNs))).toEqual({ ok: true, value: 0 });
  return { k, json: JSON.parse(JSON.stringify(toJSON(k))) as Snap };
}

function refusal(json: unknown): string {
  const r = fromJSON(json);
  return r.ok ? 'accepted' : `${r.error.path}: ${r.error.reason}`;
}

const groupOf = (j: Snap, seq: number): Json => j.threadGroups.find((g) => g.leader === seq)!;

/** The job (task 2) as if asleep in a terminal call on the master file (ttyFiles[0]). */
function asleep(j: Snap, syscall: string, args: number[]): void {
  j.tasks[2]!.blocked = { syscall, file: 0, args, restarts: 0, fromStart: false };
  (j.queues as { blockedWaiters: number[] }).blockedWaiters.push(2);
}

describe('terminals in snapshots', () => {
  it('save then load is the identity, and the state is carried (no omitted note)', () => {
    const { k, json } = shell();
    expect(json.version).toBe(4);
    expect(json.omitted).toBeUndefined();
    expect(json.ttys).toHaveLength(1);
    // The shell and its job both have the terminal (the job inherited it); the job's group is in the foreground.
    expect(json.threadGroups.filter((g) => g.ctty === 0)).toHaveLength(2);
    const r = fromJSON(json);
    if (!r.ok) throw new Error(r.error.reason);
    expect(toJSON(r.kernel)).toEqual(json);
    expect(snapshot(r.kernel)).toEqual(snapshot(k));
    // And the loaded terminal works: the job may not take it back from the shell's group (EPERM: not a leader).
    const job = r.kernel.liveTasks().find((t) => t.seq === 2)!;
    expect(sysIoctl(r.kernel, job, 3, TIOCSCTTY, 0)).toMatchObject({ ok: false, code: 'EPERM' });
  });

  it('one master file shared by fork stays one file (its last close, not the first, hangs up)', () => {
    const { json } = shell();
    const masters = json.fdTables.flatMap((t) => t.files.filter((f) => f[1] === 'pty' && json.ttyFiles[f[2] as number]!.master === true).map((f) => f[2]));
    expect(masters.length).toBe(2);
    expect(new Set(masters).size).toBe(1);
  });

  it('refuses impossible terminal states with a path and a reason', () => {
    const cases: [string, (j: Snap) => void, RegExp][] = [
      ['a controlling terminal of another session', (j) => { groupOf(j, 0).ctty = 0; }, /not its session's/],
      ['a foreground group without a session', (j) => { j.ttys[0]!.session = null; }, /has a foreground group but no session/],
      ['a session\'s terminal its leader does not have', (j) => { delete groupOf(j, 1).ctty; }, /its leader's controlling terminal is not it/],
      ['a hung-up terminal still a session\'s', (j) => { j.ttys[0]!.hungUp = true; }, /is hung up but is a session's controlling terminal/],
      ['a hung-up master file', (j) => { j.ttyFiles[0]!.hungUp = true; }, /^ttyFiles\[0\]\.hungUp: a master's file is never hung up/],
      ['an index out of place', (j) => { j.ttys[0]!.index = 3; }, /^ttys\[0\]\.index: 3 is not its place/],
      ['a file of a pty that is not there', (j) => { j.ttyFiles[0]!.tty = 9; }, /^ttyFiles\[0\]\.tty: no pty 9/],
      ['an fd naming no open file', (j) => { j.fdTables[0]!.files[0]![2] = 7; }, /files\[0\]\[2\]: no open file 7/],
      // The job asleep in a read of the shell's master: a master's read is ENOSYS and its write types at once.
      ['a terminal read asleep on a master', (j) => { asleep(j, 'read', []); }, /^tasks\[2\]\.blocked\.file: a terminal read on a master never sleeps/],
      ['a terminal write asleep on a master', (j) => { asleep(j, 'write', [120]); }, /^tasks\[2\]\.blocked\.file: a terminal write on a master never sleeps/],
      ['a tty_old_pgrp of a process that leads no session', (j) => { groupOf(j, 2).ttyOldPgrp = groupOf(j, 2).pgrp; delete groupOf(j, 2).ctty; }, /has a tty_old_pgrp but leads no session/],
    ];
    for (const [what, corrupt, want] of cases) {
      const { json } = shell();
      corrupt(json);
      expect(refusal(json), what).toMatch(want);
    }
  });

  it('a version 3 file (no terminal keys) still loads', () => {
    const k = new Kernel();
    const json = { ...toJSON(k), version: 3 };
    expect(fromJSON(json).ok).toBe(true);
  });
});
