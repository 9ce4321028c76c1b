// The signal calls on the model: errno tables (each failing call leaves the
// model as it was, invariants hold) and the delivery rules of kernel/signal.c
// that the scenario language cannot yet write (sigsuspend, pause,
// sigtimedwait, signalfd, handler frames and their masks).

import { describe, expect, it } from 'vitest';
import { CLONE_NEWPID, CLONE_SIGHAND, CLONE_THREAD, CLONE_VM } from '../abi/clone.js';
import { PIDFD_SIGNAL_PROCESS_GROUP, PIDFD_SIGNAL_THREAD, PIDFD_SIGNAL_THREAD_GROUP } from '../abi/pidfd.js';
import { PR_GET_PDEATHSIG, PR_SET_PDEATHSIG } from '../abi/prctl.js';
import { LINUX_REBOOT_CMD_CAD_ON, LINUX_REBOOT_CMD_RESTART } from '../abi/reboot.js';
import {
  formatSigset,
  parseSignal,
  SA_NODEFER,
  SA_RESTART,
  SA_SIGINFO,
  SFD_NONBLOCK,
  SIG_BLOCK,
  SIG_SETMASK,
  SIG_UNBLOCK,
  SiCode,
  Signal,
  signalName,
  sigmask,
  sigsetOf,
  SIGRTMIN,
} from '../abi/signal.js';
import type { KernelEvent } from '../kernel/events.js';
import { checkInvariants } from '../kernel/invariants.js';
import { Kernel } from '../kernel/kernel.js';
import { snapshot } from '../kernel/snapshot.js';
import { fromJSON } from '../snapshot/load.js';
import { toJSON } from '../snapshot/save.js';
import type { SysResult } from './result.js';
import { sysSetresuid } from './sys.js';
import { orThrow, TaskApi } from './task_api.js';

interface World {
  readonly k: Kernel;
  readonly init: TaskApi;
  readonly a: TaskApi;
  readonly events: KernelEvent[];
  spawn(parent: TaskApi, flags?: number): TaskApi;
}

function world(): World {
  const k = new Kernel();
  const events: KernelEvent[] = [];
  k.subscribe((e) => events.push(e));
  const init = new TaskApi(k, k.init);
  const spawn = (parent: TaskApi, flags = 0): TaskApi =>
    new TaskApi(k, orThrow(flags === 0 ? parent.fork() : parent.clone(flags | ((flags & CLONE_THREAD) !== 0 ? 0 : Signal.SIGCHLD))).child);
  return { k, init, a: spawn(init), events, spawn };
}

const caught = (w: World, t: TaskApi): string[] =>
  w.events.filter((e): e is Extract<KernelEvent, { type: 'caught' }> => e.type === 'caught' && e.task === t.task.seq).map((e) => `${signalName(e.signal)}:${e.siPid}:${e.siValue ?? ''}`);

/** Runs the call after setup and asserts that a failure left the model as it was. */
function failsCleanly<T>(w: World, setup: () => T, call: (x: T) => SysResult<unknown>): string {
  const x = setup();
  const before = JSON.stringify(snapshot(w.k));
  const r = call(x);
  if (!r.ok) expect(JSON.stringify(snapshot(w.k))).toBe(before);
  checkInvariants(w.k);
  return r.ok ? 'ok' : r.code;
}

type Row = readonly [string, (w: World) => string, string];

describe.each<[string, readonly Row[]]>([
  [
    'rt_sigprocmask / rt_sigaction',
    [
      ['a bad how', (w) => failsCleanly(w, () => 0, () => w.a.rtSigprocmask(9, sigmask(Signal.SIGUSR1))), 'EINVAL'],
      ['a bad how without a set only reads', (w) => failsCleanly(w, () => 0, () => w.a.rtSigprocmask(9, null)), 'ok'],
      ['changing SIGKILL', (w) => failsCleanly(w, () => 0, () => w.a.rtSigaction(Signal.SIGKILL, { handler: 'SIG_IGN', flags: 0, mask: 0n })), 'EINVAL'],
      ['reading SIGSTOP', (w) => failsCleanly(w, () => 0, () => w.a.rtSigaction(Signal.SIGSTOP, null)), 'ok'],
      ['signal 0', (w) => failsCleanly(w, () => 0, () => w.a.rtSigaction(0, null)), 'EINVAL'],
      ['signal 65', (w) => failsCleanly(w, () => 0, () => w.a.rtSigaction(65, { handler: 'catch', flags: 0, mask: 0n })), 'EINVAL'],
    ],
  ],
  [
    'rt_sigqueueinfo / rt_tgsigqueueinfo',
    [
      ['SI_USER to another process', (w) => failsCleanly(w, () => 0, () => w.init.rtSigqueueinfo(2, SIGRTMIN, { code: SiCode.SI_USER, pid: 0, value: 1 })), 'EPERM'],
      ['SI_TKILL to another process', (w) => failsCleanly(w, () => 0, () => w.init.rtSigqueueinfo(2, SIGRTMIN, { code: SiCode.SI_TKILL, pid: 0, value: 1 })), 'EPERM'],
      ['SI_KERNEL to a missing pid: EPERM before ESRCH', (w) => failsCleanly(w, () => 0, () => w.init.rtSigqueueinfo(99, SIGRTMIN, { code: SiCode.SI_KERNEL, pid: 0, value: 1 })), 'EPERM'],
      ['SI_QUEUE to a missing pid', (w) => failsCleanly(w, () => 0, () => w.init.rtSigqueueinfo(99, SIGRTMIN, { code: SiCode.SI_QUEUE, pid: 0, value: 1 })), 'ESRCH'],
      ['an invalid signal', (w) => failsCleanly(w, () => 0, () => w.init.rtSigqueueinfo(2, 65, { code: SiCode.SI_QUEUE, pid: 0, value: 1 })), 'EINVAL'],
      ['SI_QUEUE without permission', (w) => failsCleanly(w, () => orThrow(w.a.setuid(1000)), () => w.a.rtSigqueueinfo(1, SIGRTMIN, { code: SiCode.SI_QUEUE, pid: 0, value: 1 })), 'EPERM'],
      ['tgsigqueueinfo tgid 0', (w) => failsCleanly(w, () => 0, () => w.init.rtTgsigqueueinfo(0, 2, SIGRTMIN, { code: SiCode.SI_QUEUE, pid: 0, value: 1 })), 'EINVAL'],
      ['tgsigqueueinfo the wrong group', (w) => failsCleanly(w, () => 0, () => w.init.rtTgsigqueueinfo(1, 2, SIGRTMIN, { code: SiCode.SI_QUEUE, pid: 0, value: 1 })), 'ESRCH'],
    ],
  ],
  [
    'pidfd_send_signal flags and siginfo',
    [
      ['two scope flags', (w) => failsCleanly(w, () => orThrow(w.init.pidfdOpen(2, 0)), (fd) => w.init.pidfdSendSignal(fd, Signal.SIGUSR1, PIDFD_SIGNAL_THREAD | PIDFD_SIGNAL_THREAD_GROUP)), 'EINVAL'],
      ['an unknown flag', (w) => failsCleanly(w, () => orThrow(w.init.pidfdOpen(2, 0)), (fd) => w.init.pidfdSendSignal(fd, Signal.SIGUSR1, 8)), 'EINVAL'],
      ['PROCESS_GROUP of a process that leads none', (w) => failsCleanly(w, () => orThrow(w.init.pidfdOpen(2, 0)), (fd) => w.init.pidfdSendSignal(fd, Signal.SIGUSR1, PIDFD_SIGNAL_PROCESS_GROUP)), 'ESRCH'],
      ['a siginfo claiming SI_USER to another', (w) => failsCleanly(w, () => orThrow(w.init.pidfdOpen(2, 0)), (fd) => w.init.pidfdSendSignal(fd, Signal.SIGUSR1, 0, { code: SiCode.SI_USER, pid: 0, value: 0 })), 'EPERM'],
      ['a siginfo to one\'s own process group', (w) => failsCleanly(w, () => orThrow(w.init.pidfdOpen(1, 0)), (fd) => w.init.pidfdSendSignal(fd, Signal.SIGCHLD, PIDFD_SIGNAL_PROCESS_GROUP, { code: SiCode.SI_USER, pid: 0, value: 0 })), 'EPERM'],
    ],
  ],
  [
    'signalfd, sigtimedwait, prctl, reboot',
    [
      ['signalfd bad flags', (w) => failsCleanly(w, () => 0, () => w.a.signalfd(-1, sigmask(Signal.SIGUSR1), 1)), 'EINVAL'],
      ['signalfd on a closed fd', (w) => failsCleanly(w, () => 0, () => w.a.signalfd(7, sigmask(Signal.SIGUSR1), 0)), 'EBADF'],
      ['signalfd on a pidfd', (w) => failsCleanly(w, () => orThrow(w.a.pidfdOpen(1, 0)), (fd) => w.a.signalfd(fd, sigmask(Signal.SIGUSR1), 0)), 'EINVAL'],
      ['read of a pidfd', (w) => failsCleanly(w, () => orThrow(w.a.pidfdOpen(1, 0)), (fd) => w.a.read(fd)), 'EINVAL'],
      ['a nonblocking signalfd with nothing', (w) => failsCleanly(w, () => orThrow(w.a.signalfd(-1, sigmask(Signal.SIGUSR1), SFD_NONBLOCK)), (fd) => w.a.read(fd)), 'EAGAIN'],
      ['pidfd_send_signal through a signalfd', (w) => failsCleanly(w, () => orThrow(w.a.signalfd(-1, sigmask(Signal.SIGUSR1), 0)), (fd) => w.a.pidfdSendSignal(fd, Signal.SIGUSR1)), 'EBADF'],
      ['sigtimedwait polls', (w) => failsCleanly(w, () => 0, () => w.a.rtSigtimedwait(sigmask(Signal.SIGUSR1), 0)), 'EAGAIN'],
      ['PR_SET_PDEATHSIG 65', (w) => failsCleanly(w, () => 0, () => w.a.prctl(PR_SET_PDEATHSIG, 65)), 'EINVAL'],
      ['reboot without CAP_SYS_BOOT', (w) => failsCleanly(w, () => orThrow(w.a.setuid(1000)), () => w.a.reboot(LINUX_REBOOT_CMD_RESTART)), 'EPERM'],
      ['reboot with a command a namespace has not', (w) => failsCleanly(w, () => 0, () => w.a.reboot(LINUX_REBOOT_CMD_CAD_ON)), 'EINVAL'],
      ['reboot with bad magic', (w) => failsCleanly(w, () => 0, () => w.a.reboot(LINUX_REBOOT_CMD_RESTART, 1, 2)), 'EINVAL'],
      ['setpgid(-1, 0)', (w) => failsCleanly(w, () => 0, () => w.a.setpgid(-1, 0)), 'EINVAL'],
    ],
  ],
])('%s', (_name, rows) => {
  it.each(rows)('%s', (_what, run, expected) => {
    expect(run(world())).toBe(expected);
  });
});

describe('signal names', () => {
  it('numbers real-time signals as the kernel does and prints one canonical form', () => {
    expect(SIGRTMIN).toBe(32);
    expect([32, 33, 48, 49, 63, 64].map(signalName)).toEqual(['SIGRTMIN', 'SIGRTMIN+1', 'SIGRTMIN+16', 'SIGRTMAX-15', 'SIGRTMAX-1', 'SIGRTMAX']);
    for (let s = 1; s <= 64; s++) expect(parseSignal(signalName(s))).toBe(s);
    expect(parseSignal('SIGRTMAX-0')).toBe(64);
    expect(parseSignal('SIGRTMIN+33')).toBeUndefined();
    expect(parseSignal('SIGRTMAX-33')).toBeUndefined();
    expect(parseSignal('12')).toBe(12);
    expect(parseSignal('SIGBOGUS')).toBeUndefined();
    expect(formatSigset(sigsetOf([10, 32]))).toBe('[SIGUSR1 SIGRTMIN]');
  });
});

describe('masks and pending sets', () => {
  it('SIGKILL and SIGSTOP never enter a mask; fork and threads inherit it; sigpending shows blocked pending', () => {
    const w = world();
    orThrow(w.a.rtSigprocmask(SIG_BLOCK, sigsetOf([Signal.SIGKILL, Signal.SIGSTOP, Signal.SIGUSR1])));
    expect(orThrow(w.a.rtSigprocmask(SIG_BLOCK, null))).toBe(sigmask(Signal.SIGUSR1));
    const child = w.spawn(w.a);
    const thread = w.spawn(w.a, CLONE_THREAD | CLONE_SIGHAND | CLONE_VM);
    expect(child.task.sigBlocked).toBe(sigmask(Signal.SIGUSR1));
    expect(thread.task.sigBlocked).toBe(sigmask(Signal.SIGUSR1));
    orThrow(thread.rtSigprocmask(SIG_UNBLOCK, sigmask(Signal.SIGUSR1)));
    orThrow(w.a.signal(Signal.SIGUSR1, 'catch'));
    orThrow(w.init.tgkill(2, 2, Signal.SIGUSR1));
    expect(orThrow(w.a.rtSigpending())).toBe(sigmask(Signal.SIGUSR1));
    expect(orThrow(thread.rtSigpending())).toBe(0n);
    expect(caught(w, w.a)).toEqual([]);
    orThrow(w.a.rtSigprocmask(SIG_SETMASK, 0n));
    expect(caught(w, w.a)).toEqual(['SIGUSR1:1:']);
    checkInvariants(w.k);
  });

  it('real-time signals queue every instance, lowest first, each with its si_value', () => {
    const w = world();
    orThrow(w.a.signal(SIGRTMIN, 'catch'));
    orThrow(w.a.signal(SIGRTMIN + 1, 'catch'));
    orThrow(w.a.rtSigprocmask(SIG_BLOCK, sigsetOf([SIGRTMIN, SIGRTMIN + 1])));
    for (const [sig, v] of [[SIGRTMIN + 1, 1], [SIGRTMIN, 2], [SIGRTMIN, 3]] as const) orThrow(w.init.rtSigqueueinfo(2, sig, { code: SiCode.SI_QUEUE, pid: 4242, value: v }));
    orThrow(w.a.rtSigprocmask(SIG_SETMASK, 0n));
    // Frames are set up lowest first and run newest first; each handler blocks its own signal,
    // so a second SIGRTMIN waits for the first frame's sigreturn.
    expect(caught(w, w.a)).toEqual(['SIGRTMIN+1:4242:1', 'SIGRTMIN:4242:2', 'SIGRTMIN:4242:3']);
  });

  it('SA_NODEFER lets the same signal stack frames', () => {
    const w = world();
    orThrow(w.a.rtSigaction(SIGRTMIN, { handler: 'catch', flags: SA_SIGINFO | SA_NODEFER, mask: 0n }));
    orThrow(w.a.rtSigprocmask(SIG_BLOCK, sigmask(SIGRTMIN)));
    for (const v of [1, 2]) orThrow(w.init.rtSigqueueinfo(2, SIGRTMIN, { code: SiCode.SI_QUEUE, pid: 1, value: v }));
    orThrow(w.a.rtSigprocmask(SIG_SETMASK, 0n));
    expect(caught(w, w.a)).toEqual(['SIGRTMIN:1:2', 'SIGRTMIN:1:1']);
  });

  it('SIG_IGN discards a pending signal even while blocked', () => {
    const w = world();
    orThrow(w.a.signal(Signal.SIGUSR1, 'catch'));
    orThrow(w.a.rtSigprocmask(SIG_BLOCK, sigmask(Signal.SIGUSR1)));
    orThrow(w.init.kill(2, Signal.SIGUSR1));
    orThrow(w.a.signal(Signal.SIGUSR1, 'SIG_IGN'));
    expect(orThrow(w.a.rtSigpending())).toBe(0n);
  });
});

describe('calls that wait for a signal', () => {
  it('rt_sigsuspend returns EINTR after the handler and restores the mask', () => {
    const w = world();
    orThrow(w.a.signal(Signal.SIGUSR1, 'catch'));
    orThrow(w.a.rtSigprocmask(SIG_BLOCK, sigmask(Signal.SIGUSR1)));
    expect(orThrow(w.a.rtSigsuspend(0n))).toEqual({ kind: 'blocked' });
    orThrow(w.init.kill(2, Signal.SIGUSR1));
    expect(caught(w, w.a)).toEqual(['SIGUSR1:1:']);
    expect(w.events.some((e) => e.type === 'sigwait_resumed' && e.outcome.kind === 'error')).toBe(true);
    expect(w.a.task.sigBlocked).toBe(sigmask(Signal.SIGUSR1));
    expect(w.a.task.blocked).toBeNull();
    checkInvariants(w.k);
  });

  it('rt_sigsuspend with a pending signal it unblocks returns at once', () => {
    const w = world();
    orThrow(w.a.signal(Signal.SIGUSR1, 'catch'));
    orThrow(w.a.rtSigprocmask(SIG_BLOCK, sigmask(Signal.SIGUSR1)));
    orThrow(w.init.kill(2, Signal.SIGUSR1));
    const r = w.a.rtSigsuspend(0n);
    expect(r.ok ? 'ok' : r.code).toBe('EINTR');
    expect(caught(w, w.a)).toEqual(['SIGUSR1:1:']);
  });

  it('pause sleeps through an ignored signal and ends with a handler', () => {
    const w = world();
    orThrow(w.a.signal(Signal.SIGUSR1, 'catch'));
    expect(orThrow(w.a.pause())).toEqual({ kind: 'blocked' });
    orThrow(w.init.kill(2, Signal.SIGCHLD));
    expect(w.a.task.blocked?.syscall).toBe('pause');
    orThrow(w.init.kill(2, Signal.SIGUSR1));
    expect(w.a.task.blocked).toBeNull();
  });

  it('rt_sigtimedwait takes a blocked signal without its handler; a SIGCHLD not blocked before is discarded as ignored', () => {
    const w = world();
    orThrow(w.a.signal(Signal.SIGUSR1, 'catch'));
    orThrow(w.a.rtSigprocmask(SIG_BLOCK, sigmask(Signal.SIGUSR1)));
    orThrow(w.init.kill(2, Signal.SIGUSR1));
    const r = orThrow(w.a.rtSigtimedwait(sigmask(Signal.SIGUSR1), 0));
    expect(r.kind === 'signal' ? r.info.signo : r.kind).toBe(Signal.SIGUSR1);
    expect(caught(w, w.a)).toEqual([]);
    const c = w.spawn(w.a);
    orThrow(c.exit(0));
    const p = w.a.rtSigtimedwait(sigmask(Signal.SIGCHLD), 0);
    expect(p.ok ? 'ok' : p.code).toBe('EAGAIN');
    // Blocked first, the same signal waits for sigtimedwait.
    orThrow(w.a.rtSigprocmask(SIG_BLOCK, sigmask(Signal.SIGCHLD)));
    expect(orThrow(w.a.rtSigtimedwait(sigmask(Signal.SIGCHLD), null))).toEqual({ kind: 'blocked' });
    const c2 = w.spawn(w.a);
    orThrow(c2.exitGroup(3 << 8));
    const done = w.events.find((e) => e.type === 'sigwait_resumed' && e.syscall === 'rt_sigtimedwait');
    expect(done?.type === 'sigwait_resumed' && done.outcome.kind === 'signal' ? done.outcome.info.code : null).toBe(SiCode.CLD_EXITED);
    expect(w.a.task.sigBlocked).toBe(sigsetOf([Signal.SIGUSR1, Signal.SIGCHLD]));
    checkInvariants(w.k);
  });

  it('a signalfd read takes a queued siginfo; a blocking read wakes when one comes', () => {
    const w = world();
    orThrow(w.a.rtSigprocmask(SIG_BLOCK, sigsetOf([SIGRTMIN])));
    const fd = orThrow(w.a.signalfd(-1, sigmask(SIGRTMIN), 0));
    orThrow(w.init.rtSigqueueinfo(2, SIGRTMIN, { code: SiCode.SI_QUEUE, pid: 5, value: 9 }));
    const r = orThrow(w.a.read(fd));
    expect(r.kind === 'signal' ? [r.info.signo, r.info.value] : r.kind).toEqual([SIGRTMIN, 9]);
    expect(orThrow(w.a.read(fd))).toEqual({ kind: 'blocked' });
    orThrow(w.init.rtSigqueueinfo(2, SIGRTMIN, { code: SiCode.SI_QUEUE, pid: 5, value: 10 }));
    const done = w.events.find((e) => e.type === 'sigwait_resumed' && e.syscall === 'read');
    expect(done?.type === 'sigwait_resumed' && done.outcome.kind === 'signal' ? done.outcome.info.value : null).toBe(10);
    // Forks share the file; exec keeps a signalfd without SFD_CLOEXEC.
    orThrow(w.a.execve());
    expect(w.a.task.group.filesRef?.get(fd)?.kind).toBe('signalfd');
    checkInvariants(w.k);
  });

  it('SA_RESTART restarts a blocked wait; without it the wait is EINTR', () => {
    const w = world();
    orThrow(w.a.rtSigaction(Signal.SIGUSR1, { handler: 'catch', flags: SA_SIGINFO | SA_RESTART, mask: 0n }));
    orThrow(w.a.signal(Signal.SIGUSR2, 'catch'));
    w.spawn(w.a);
    expect(orThrow(w.a.wait4(-1, 0))).toEqual({ kind: 'blocked' });
    orThrow(w.init.kill(2, Signal.SIGUSR1));
    expect(w.a.task.blocked?.syscall).toBe('wait4');
    orThrow(w.init.kill(2, Signal.SIGUSR2));
    expect(w.a.task.blocked).toBeNull();
    expect(caught(w, w.a)).toEqual(['SIGUSR1:1:', 'SIGUSR2:1:']);
  });
});

describe('parent death signals and reboot', () => {
  it('PR_SET_PDEATHSIG fires when the parent thread exits, is not inherited, and setuid clears it', () => {
    const w = world();
    const t = w.spawn(w.a, CLONE_THREAD | CLONE_SIGHAND | CLONE_VM);
    const c = w.spawn(t);
    orThrow(c.signal(Signal.SIGUSR1, 'catch'));
    orThrow(c.prctl(PR_SET_PDEATHSIG, Signal.SIGUSR1));
    expect(orThrow(c.prctl(PR_GET_PDEATHSIG))).toBe(Signal.SIGUSR1);
    expect(orThrow(w.spawn(c).prctl(PR_GET_PDEATHSIG))).toBe(0);
    orThrow(t.exit(0));
    expect(caught(w, c)).toEqual(['SIGUSR1:2:']);
    orThrow(c.setuid(1000));
    orThrow(c.prctl(PR_SET_PDEATHSIG, Signal.SIGUSR1));
    orThrow(c.setuid(1000));
    expect(orThrow(c.prctl(PR_GET_PDEATHSIG))).toBe(Signal.SIGUSR1);
  });

  it('an execve with euid other than the real uid (secureexec) clears PR_SET_PDEATHSIG; with them equal it is kept', () => {
    const w = world();
    const c = w.spawn(w.a);
    orThrow(sysSetresuid(w.k, c.task, -1, 2000, 0));
    orThrow(c.prctl(PR_SET_PDEATHSIG, Signal.SIGUSR1));
    orThrow(c.execve());
    expect(orThrow(c.prctl(PR_GET_PDEATHSIG))).toBe(0);
    const d = w.spawn(w.a);
    orThrow(sysSetresuid(w.k, d.task, 2000, 2000, 2000));
    orThrow(d.prctl(PR_SET_PDEATHSIG, Signal.SIGUSR1));
    orThrow(d.execve());
    expect(orThrow(d.prctl(PR_GET_PDEATHSIG))).toBe(Signal.SIGUSR1);
  });

  it('reboot(RESTART) in a child namespace: its parent sees the init killed by SIGHUP', () => {
    const w = world();
    const n = w.spawn(w.init, CLONE_NEWPID);
    const m = w.spawn(n);
    expect(m.reboot(LINUX_REBOOT_CMD_RESTART).ok).toBe(true);
    expect(orThrow(w.init.wait4(-1, 0))).toMatchObject({ kind: 'found', status: { kind: 'killed', signal: Signal.SIGHUP } });
    checkInvariants(w.k);
  });
});

describe('snapshots keep signal state', () => {
  it('masks, queued siginfo, actions, signalfds, pdeath and blocked signal waits survive save and load', () => {
    const w = world();
    orThrow(w.a.rtSigaction(Signal.SIGUSR1, { handler: 'catch', flags: SA_SIGINFO | SA_RESTART, mask: sigmask(Signal.SIGUSR2) }));
    orThrow(w.a.rtSigprocmask(SIG_BLOCK, sigsetOf([SIGRTMIN, Signal.SIGUSR1])));
    orThrow(w.init.rtSigqueueinfo(2, SIGRTMIN, { code: SiCode.SI_QUEUE, pid: 5, value: 9 }));
    orThrow(w.a.signalfd(-1, sigmask(SIGRTMIN), SFD_NONBLOCK));
    orThrow(w.a.prctl(PR_SET_PDEATHSIG, Signal.SIGTERM));
    const b = w.spawn(w.init);
    orThrow(b.rtSigtimedwait(sigmask(Signal.SIGUSR2), null));
    const r = fromJSON(JSON.parse(JSON.stringify(toJSON(w.k))));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(snapshot(r.kernel)).toEqual(snapshot(w.k));
    expect(toJSON(r.kernel)).toEqual(toJSON(w.k));
  });
});
