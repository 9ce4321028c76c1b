// The terminal model apart from the corpus (which checks it against Linux):
// the failed-call check sees terminal state, a snapshot says it leaves the
// terminals out, and the invariants catch a controlling terminal of another
// session.

import { describe, expect, it } from 'vitest';
import { O_NOCTTY, O_RDWR, TIOCGPTPEER, TIOCSCTTY, TIOCSPGRP } from '../abi/tty.js';
import { fromJSON, toJSON } from '../snapshot/index.js';
import { sysClose } from '../syscalls/pidfd.js';
import { sysIoctl, sysPosixOpenpt, sysTtyRead, sysWrite } from '../syscalls/tty.js';
import { sysSetsid } from '../syscalls/ids.js';
import { sysFork } from '../syscalls/process.js';
import { findViolations } from './invariants.js';
import { Kernel } from './kernel.js';
import { snapshot } from './snapshot.js';
import { failedCallView } from './test_random_history.js';

function withTerminal(): { k: Kernel; m: number; s: number } {
  const k = new Kernel();
  const m = sysPosixOpenpt(k, k.init, O_RDWR | O_NOCTTY);
  if (!m.ok) throw new Error('posix_openpt');
  const s = sysIoctl(k, k.init, m.value, TIOCGPTPEER, O_RDWR);
  if (!s.ok || s.value === 'block') throw new Error('TIOCGPTPEER');
  return { k, m: m.value, s: s.value };
}

describe('terminals in the model', () => {
  it('init, a session leader, acquires the slave it opens without O_NOCTTY', () => {
    const { k, s } = withTerminal();
    expect(sysIoctl(k, k.init, s, TIOCSCTTY, 0)).toEqual({ ok: true, value: 0 });
    expect(k.ttys?.ctty.get(k.init.group)?.session).toBe(k.init.group.session);
  });

  it('the failed-call check sees a change of the foreground group', () => {
    const { k } = withTerminal();
    const before = failedCallView(snapshot(k), false);
    k.ttys!.ttys[0]!.pgrp = null;
    expect(failedCallView(snapshot(k), false)).not.toEqual(before);
  });

  it('a failing TIOCSPGRP changes nothing', () => {
    const { k, s } = withTerminal();
    const before = snapshot(k);
    expect(sysIoctl(k, k.init, s, TIOCSPGRP, 999)).toMatchObject({ ok: false, code: 'ESRCH' });
    expect(sysIoctl(k, k.init, s, TIOCSPGRP, -1)).toMatchObject({ ok: false, code: 'EINVAL' });
    expect(snapshot(k)).toEqual(before);
  });

  it('a read with no line sleeps, and a snapshot carries it with the terminal (version 4)', () => {
    const { k, s } = withTerminal();
    expect(sysTtyRead(k, k.init, s)).toEqual({ ok: true, value: 'block' });
    const json = toJSON(k);
    expect(json.omitted).toBeUndefined();
    expect(json.fdTables.flatMap((t) => t.files)).toEqual([[3, 'pty', 0], [4, 'pty', 1]]);
    expect(json.ttyFiles?.map((f) => f.master)).toEqual([true, false]);
    expect(json.queues.blockedWaiters).toEqual([k.init.seq]);
    expect(json.tasks[0]!.blocked).toEqual({ syscall: 'read', file: 1, args: [], restarts: 0, fromStart: false });
    const loaded = fromJSON(JSON.parse(JSON.stringify(json)));
    if (!loaded.ok) throw new Error(loaded.error.reason);
    expect(toJSON(loaded.kernel)).toEqual(json);
    expect(snapshot(loaded.kernel)).toEqual(snapshot(k));
  });

  it('the invariants catch a controlling terminal that is not the session\'s', () => {
    const { k } = withTerminal();
    const child = sysFork(k, k.init);
    if (!child.ok) throw new Error('fork');
    expect(sysSetsid(k, child.value.child).ok).toBe(true);
    expect(findViolations(k)).toEqual([]);
    k.ttys!.ctty.set(child.value.child.group, k.ttys!.ttys[0]!);
    expect(findViolations(k).join('\n')).toMatch(/not its session's/);
  });

  it('the master\'s last close flushes the typed input (tty_ldisc_hangup), which the invariants check', () => {
    const { k, m, s } = withTerminal();
    for (const b of [97, 10, 98]) expect(sysWrite(k, k.init, m, b)).toEqual({ ok: true, value: 1 });
    const tty = k.ttys!.ttys[0]!;
    expect([tty.lines, tty.partial]).toEqual([[2], 1]);
    expect(sysClose(k, k.init, m).ok).toBe(true);
    expect([tty.hungUp, tty.lines, tty.partial]).toEqual([true, [], 0]);
    // The slave's file is hung up: end of file, whatever was typed.
    expect(sysTtyRead(k, k.init, s)).toEqual({ ok: true, value: 0 });
    expect(findViolations(k)).toEqual([]);
    tty.partial = 1;
    expect(findViolations(k).join('\n')).toMatch(/hung up but has typed input/);
  });
});
