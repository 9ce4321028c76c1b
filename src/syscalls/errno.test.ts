// Errno tables: each row a situation, a call, and the exact errno Linux gives
// (the reason cites the kernel function that chooses it). Every row also
// checks that the failing call changed nothing and the invariants hold.

import { describe, expect, it } from 'vitest';
import { CLONE_NEWNS, CLONE_FS, CLONE_NEWPID, CLONE_NEWUSER, CLONE_PARENT, CLONE_SIGHAND, CLONE_THREAD, CLONE_VM, CLONE_CLEAR_SIGHAND, CLONE_DETACHED } from '../abi/clone.js';
import { PIDFD_THREAD } from '../abi/pidfd.js';
import { PR_SET_CHILD_SUBREAPER } from '../abi/prctl.js';
import { Signal } from '../abi/signal.js';
import { IdType, WEXITED, WNOHANG } from '../abi/wait.js';
import { checkInvariants } from '../kernel/invariants.js';
import { Kernel } from '../kernel/kernel.js';
import { snapshot } from '../kernel/snapshot.js';
import type { Snapshot } from '../kernel/snapshot.js';
import type { Task } from '../kernel/task.js';
import type { SysResult } from './result.js';
import { orThrow, TaskApi } from './task_api.js';

interface World {
  readonly k: Kernel;
  readonly init: TaskApi;
  /** A child of init in ns0 (pid 2). */
  readonly a: TaskApi;
  spawn(parent: TaskApi, flags?: number): TaskApi;
}

function world(): World {
  const k = new Kernel();
  const init = new TaskApi(k, k.init);
  const spawn = (parent: TaskApi, flags = 0): TaskApi => new TaskApi(k, orThrow(flags === 0 ? parent.fork() : parent.clone(flags | (flags & CLONE_THREAD ? 0 : Signal.SIGCHLD))).child);
  const a = spawn(init);
  return { k, init, a, spawn };
}

type Row = readonly [string, (w: World) => SysResult<unknown>, string];

function table(name: string, rows: readonly Row[]): void {
  describe(name, () => {
    it.each(rows)('%s', (_what, call, errno) => {
      const w = world();
      const r = call(w);
      expect(r.ok ? 'ok' : r.code).toBe(errno);
      checkInvariants(w.k);
    });
  });
}

/** Runs setup, then the call, and asserts the call left no trace. */
function last(w: World, setup: () => void, call: () => SysResult<unknown>, cursorsMayMove = false): SysResult<unknown> {
  setup();
  const strip = (s: Snapshot): Snapshot => (cursorsMayMove ? { ...s, namespaces: s.namespaces.map((n) => ({ ...n, cursor: 0 })) } : s);
  const before = strip(snapshot(w.k));
  const r = call();
  if (!r.ok) expect(strip(snapshot(w.k))).toEqual(before);
  return r;
}

table('clone / clone3', [
  ['CLONE_THREAD without CLONE_SIGHAND', (w) => last(w, () => 0, () => w.a.clone(CLONE_THREAD)), 'EINVAL'],
  ['CLONE_SIGHAND without CLONE_VM', (w) => last(w, () => 0, () => w.a.clone(CLONE_SIGHAND | Signal.SIGCHLD)), 'EINVAL'],
  ['CLONE_NEWNS with CLONE_FS', (w) => last(w, () => 0, () => w.a.clone(CLONE_NEWNS | CLONE_FS)), 'EINVAL'],
  ['CLONE_NEWUSER with CLONE_FS', (w) => last(w, () => 0, () => w.a.clone(CLONE_NEWUSER | CLONE_FS)), 'EINVAL'],
  ['CLONE_PARENT from a namespace init', (w) => last(w, () => 0, () => w.init.clone(CLONE_PARENT | Signal.SIGCHLD)), 'EINVAL'],
  ['CLONE_PARENT from an ordinary task', (w) => w.a.clone(CLONE_PARENT | Signal.SIGCHLD), 'ok'],
  ['CLONE_NEWPID with CLONE_THREAD', (w) => last(w, () => 0, () => w.a.clone(CLONE_NEWPID | CLONE_THREAD | CLONE_SIGHAND | CLONE_VM)), 'EINVAL'],
  ['CLONE_THREAD after unshare(CLONE_NEWPID)', (w) => last(w, () => orThrow(w.a.unshare(CLONE_NEWPID)), () => w.a.clone(CLONE_THREAD | CLONE_SIGHAND | CLONE_VM)), 'EINVAL'],
  ['CLONE_NEWPID after unshare(CLONE_NEWPID)', (w) => last(w, () => orThrow(w.a.unshare(CLONE_NEWPID)), () => w.a.clone(CLONE_NEWPID)), 'EINVAL'],
  ['CLONE_NEWPID without CAP_SYS_ADMIN', (w) => last(w, () => orThrow(w.a.setuid(1000)), () => w.a.clone(CLONE_NEWPID)), 'EPERM'],
  ['CLONE_NEWUSER|CLONE_NEWPID without CAP_SYS_ADMIN', (w) => last(w, () => orThrow(w.a.setuid(1000)), () => w.a.clone(CLONE_NEWUSER | CLONE_NEWPID)), 'ok'],
  ['nesting past MAX_PID_NS_LEVEL (ns0 is level 1)', (w) => {
    let t = w.a;
    for (let i = 0; i < 31; i++) t = w.spawn(t, CLONE_NEWPID);
    return last(w, () => 0, () => t.clone(CLONE_NEWPID));
  }, 'ENOSPC'],
  ['clone3 set_tid empty', (w) => last(w, () => 0, () => w.a.clone3({ flags: 0, setTid: [] })), 'EINVAL'],
  ['clone3 set_tid longer than 32', (w) => last(w, () => 0, () => w.a.clone3({ flags: 0, setTid: Array.from({ length: 33 }, () => 5) })), 'EINVAL'],
  ['clone3 set_tid longer than level + 1', (w) => last(w, () => 0, () => w.a.clone3({ flags: 0, setTid: [5, 5, 5] })), 'EINVAL'],
  ['clone3 set_tid 0', (w) => last(w, () => 0, () => w.a.clone3({ flags: 0, setTid: [0] })), 'EINVAL'],
  ['clone3 set_tid ≥ pid_max', (w) => last(w, () => 0, () => w.a.clone3({ flags: 0, setTid: [32768] })), 'EINVAL'],
  ['clone3 set_tid in use', (w) => last(w, () => 0, () => w.a.clone3({ flags: 0, setTid: [2] })), 'EEXIST'],
  ['clone3 set_tid without the capability', (w) => last(w, () => orThrow(w.a.setuid(1000)), () => w.a.clone3({ flags: 0, setTid: [50] })), 'EPERM'],
  ['clone3 set_tid ≠ 1 in a namespace with no init yet', (w) => last(w, () => orThrow(w.a.unshare(CLONE_NEWPID)), () => w.a.clone3({ flags: 0, setTid: [5] })), 'EINVAL'],
  ['clone3 set_tid = 1 in a namespace with no init yet', (w) => last(w, () => orThrow(w.a.unshare(CLONE_NEWPID)), () => w.a.clone3({ flags: 0, setTid: [1] })), 'ok'],
  ['clone3 exit_signal with CLONE_PARENT', (w) => last(w, () => 0, () => w.a.clone3({ flags: CLONE_PARENT, exitSignal: Signal.SIGCHLD })), 'EINVAL'],
  ['clone3 exit_signal 65', (w) => last(w, () => 0, () => w.a.clone3({ flags: 0, exitSignal: 65 })), 'EINVAL'],
  ['clone3 CLONE_DETACHED', (w) => last(w, () => 0, () => w.a.clone3({ flags: CLONE_DETACHED })), 'EINVAL'],
  ['clone3 CLONE_SIGHAND|CLONE_CLEAR_SIGHAND', (w) => last(w, () => 0, () => w.a.clone3({ flags: CLONE_SIGHAND + CLONE_VM + CLONE_CLEAR_SIGHAND })), 'EINVAL'],
  ['clone3 a CSIGNAL bit in flags', (w) => last(w, () => 0, () => w.a.clone3({ flags: Signal.SIGCHLD })), 'EINVAL'],
  ['fork into a namespace whose init died', (w) => last(w, () => {
    orThrow(w.a.unshare(CLONE_NEWPID));
    const i = w.spawn(w.a);
    orThrow(i.exit(0));
    // alloc_pid took numbers at every level before finding the namespace dead: the cursors moved, as in Linux.
  }, () => w.a.fork(), true), 'ENOMEM'],
  ['fork when pid_max is exhausted', (w) => {
    const n = w.spawn(w.a, CLONE_NEWPID);
    orThrow(n.sysctl('kernel.pid_max', 301));
    for (let i = 2; i < 301; i++) orThrow(n.fork());
    return last(w, () => 0, () => n.fork());
  }, 'EAGAIN'],
]);

table('unshare / setns', [
  ['unshare(CLONE_NEWPID) twice', (w) => last(w, () => orThrow(w.a.unshare(CLONE_NEWPID)), () => w.a.unshare(CLONE_NEWPID)), 'EINVAL'],
  ['unshare an unknown flag', (w) => last(w, () => 0, () => w.a.unshare(0x1)), 'EINVAL'],
  ['unshare(CLONE_NEWPID) without CAP_SYS_ADMIN', (w) => last(w, () => orThrow(w.a.setuid(1000)), () => w.a.unshare(CLONE_NEWPID)), 'EPERM'],
  ['unshare(CLONE_NEWUSER) with threads', (w) => last(w, () => w.spawn(w.a, CLONE_THREAD | CLONE_SIGHAND | CLONE_VM), () => w.a.unshare(CLONE_NEWUSER)), 'EINVAL'],
  ['setns into a sibling namespace', (w) => {
    const b = w.spawn(w.a, CLONE_NEWPID);
    const c = w.spawn(w.a, CLONE_NEWPID);
    return last(w, () => 0, () => b.setns(c.task.activeNs, CLONE_NEWPID));
  }, 'EINVAL'],
  ['setns into the parent namespace', (w) => {
    const b = w.spawn(w.a, CLONE_NEWPID);
    return last(w, () => 0, () => b.setns(w.k.ns0, CLONE_NEWPID));
  }, 'EINVAL'],
  ['setns into a child namespace', (w) => {
    const b = w.spawn(w.a, CLONE_NEWPID);
    return w.a.setns(b.task.activeNs, CLONE_NEWPID);
  }, 'ok'],
  ['setns with the wrong type flag', (w) => last(w, () => 0, () => w.a.setns(w.k.ns0, CLONE_NEWUSER)), 'EINVAL'],
  ['setns without CAP_SYS_ADMIN', (w) => last(w, () => orThrow(w.a.setuid(1000)), () => w.a.setns(w.k.ns0, CLONE_NEWPID)), 'EPERM'],
  ['setns through an fd that is not open', (w) => last(w, () => 0, () => w.a.setnsPidfd(7, CLONE_NEWPID)), 'EBADF'],
  ['setns through a pidfd with flags 0', (w) => last(w, () => orThrow(w.a.pidfdOpen(1, 0)), () => w.a.setnsPidfd(3, 0)), 'EINVAL'],
]);

table('wait4 / waitid', [
  ['wait4 with no children', (w) => last(w, () => 0, () => w.a.wait4(-1, 0)), 'ECHILD'],
  ['wait4 of a task that is not a child', (w) => last(w, () => 0, () => w.a.wait4(1, 0)), 'ECHILD'],
  ['wait4 with an unknown option', (w) => last(w, () => 0, () => w.init.wait4(-1, 0x4000)), 'EINVAL'],
  ['wait4 of a pid that does not exist', (w) => last(w, () => 0, () => w.init.wait4(999, 0)), 'ECHILD'],
  ['wait4(INT_MIN)', (w) => last(w, () => 0, () => w.init.wait4(-2147483648, 0)), 'ESRCH'],
  ['wait4 of a thread id', (w) => {
    const t = w.spawn(w.a, CLONE_THREAD | CLONE_SIGHAND | CLONE_VM);
    return last(w, () => 0, () => w.init.wait4(t.task.tidIn(w.k.ns0), WNOHANG));
  }, 'ECHILD'],
  ['wait4 without __WCLONE for a clone child', (w) => {
    orThrow(w.a.clone3({ flags: 0, exitSignal: 0 }));
    return last(w, () => 0, () => w.a.wait4(-1, WNOHANG));
  }, 'ECHILD'],
  ['waitid without WEXITED/WSTOPPED/WCONTINUED', (w) => last(w, () => 0, () => w.init.waitid(IdType.P_ALL, 0, WNOHANG)), 'EINVAL'],
  ['waitid P_PID 0', (w) => last(w, () => 0, () => w.init.waitid(IdType.P_PID, 0, WEXITED)), 'EINVAL'],
  ['waitid P_PGID -1', (w) => last(w, () => 0, () => w.init.waitid(IdType.P_PGID, -1, WEXITED)), 'EINVAL'],
  ['waitid an unknown idtype', (w) => last(w, () => 0, () => w.init.waitid(7, 0, WEXITED)), 'EINVAL'],
  ['waitid P_PIDFD of a closed fd', (w) => last(w, () => 0, () => w.init.waitid(IdType.P_PIDFD, 3, WEXITED)), 'EBADF'],
  ['waitid P_PIDFD of a task not a child', (w) => last(w, () => orThrow(w.a.pidfdOpen(1, 0)), () => w.a.waitid(IdType.P_PIDFD, 3, WEXITED)), 'ECHILD'],
]);

table('kill / tgkill / pidfd', [
  ['kill an invalid signal', (w) => last(w, () => 0, () => w.a.kill(1, 65)), 'EINVAL'],
  ['kill a pid that does not exist', (w) => last(w, () => 0, () => w.a.kill(999, 0)), 'ESRCH'],
  ['kill another uid without CAP_KILL', (w) => last(w, () => orThrow(w.a.setuid(1000)), () => w.a.kill(1, Signal.SIGTERM)), 'EPERM'],
  ['kill(-1) with nothing visible to signal', (w) => {
    const n = w.spawn(w.a, CLONE_NEWPID);
    return last(w, () => 0, () => n.kill(-1, Signal.SIGTERM));
  }, 'ESRCH'],
  ['kill a process group that does not exist', (w) => last(w, () => 0, () => w.a.kill(-999, Signal.SIGTERM)), 'ESRCH'],
  ['kill(INT_MIN)', (w) => last(w, () => 0, () => w.a.kill(-2147483648, 0)), 'ESRCH'],
  ['SIGKILL to the namespace init from inside is ignored, not refused', (w) => w.a.kill(1, Signal.SIGKILL), 'ok'],
  ['tgkill with tid 0', (w) => last(w, () => 0, () => w.a.tgkill(1, 0, 0)), 'EINVAL'],
  ['tgkill with a tgid that does not match', (w) => last(w, () => 0, () => w.a.tgkill(1, 2, 0)), 'ESRCH'],
  ['tgkill an invalid signal', (w) => last(w, () => 0, () => w.a.tgkill(2, 2, 65)), 'EINVAL'],
  ['pidfd_open with pid 0', (w) => last(w, () => 0, () => w.a.pidfdOpen(0, 0)), 'EINVAL'],
  ['pidfd_open with an unknown flag', (w) => last(w, () => 0, () => w.a.pidfdOpen(1, 0x7)), 'EINVAL'],
  ['pidfd_open of a pid that does not exist', (w) => last(w, () => 0, () => w.a.pidfdOpen(999, 0)), 'ESRCH'],
  ['pidfd_open of a thread without PIDFD_THREAD', (w) => {
    const t = w.spawn(w.a, CLONE_THREAD | CLONE_SIGHAND | CLONE_VM);
    return last(w, () => 0, () => w.a.pidfdOpen(t.task.tidIn(w.k.ns0), 0));
  }, 'ENOENT'],
  ['pidfd_open of a thread with PIDFD_THREAD', (w) => {
    const t = w.spawn(w.a, CLONE_THREAD | CLONE_SIGHAND | CLONE_VM);
    return w.a.pidfdOpen(t.task.tidIn(w.k.ns0), PIDFD_THREAD);
  }, 'ok'],
  ['close an fd that is not open', (w) => last(w, () => 0, () => w.a.close(3)), 'EBADF'],
  ['pidfd_send_signal through a closed fd', (w) => last(w, () => 0, () => w.a.pidfdSendSignal(3, 0)), 'EBADF'],
  ['pidfd_send_signal to a reaped process', (w) => {
    const c = w.spawn(w.a);
    orThrow(w.a.pidfdOpen(c.task.tidIn(w.k.ns0), 0));
    orThrow(c.exit(0));
    orThrow(w.a.wait4(-1, 0));
    return last(w, () => 0, () => w.a.pidfdSendSignal(3, 0));
  }, 'ESRCH'],
  ['pidfd_send_signal to an ancestor namespace', (w) => {
    orThrow(w.a.pidfdOpen(1, 0));
    // fds are copied at fork: a child forked after the open holds a pidfd for init, in ns0.
    const c = w.spawn(w.a, CLONE_NEWPID);
    return last(w, () => 0, () => c.pidfdSendSignal(3, 0));
  }, 'EINVAL'],
]);

table('setpgid / setsid / getpgid', [
  ['setpgid negative pgid', (w) => last(w, () => 0, () => w.a.setpgid(0, -1)), 'EINVAL'],
  ['setpgid of a pid that does not exist', (w) => last(w, () => 0, () => w.a.setpgid(999, 0)), 'ESRCH'],
  ['setpgid of a task that is not a child', (w) => last(w, () => 0, () => w.a.setpgid(1, 1)), 'ESRCH'],
  ['setpgid of a session leader', (w) => last(w, () => 0, () => w.init.setpgid(0, 0)), 'EPERM'],
  ['setpgid to a group that does not exist', (w) => last(w, () => 0, () => w.a.setpgid(0, 999)), 'EPERM'],
  ['setpgid of a child after it exec\'d', (w) => {
    const c = w.spawn(w.a);
    orThrow(c.execve());
    return last(w, () => 0, () => w.a.setpgid(c.task.tidIn(w.k.ns0), 0));
  }, 'EACCES'],
  ['setpgid of a thread id', (w) => {
    const t = w.spawn(w.a, CLONE_THREAD | CLONE_SIGHAND | CLONE_VM);
    return last(w, () => 0, () => w.a.setpgid(t.task.tidIn(w.k.ns0), 0));
  }, 'EINVAL'],
  ['setsid by a session leader', (w) => last(w, () => 0, () => w.init.setsid()), 'EPERM'],
  ['setsid by a process group leader', (w) => last(w, () => orThrow(w.a.setpgid(0, 0)), () => w.a.setsid()), 'EPERM'],
  ['getpgid of a pid that does not exist', (w) => last(w, () => 0, () => w.a.getpgid(999)), 'ESRCH'],
  ['getsid of a pid that does not exist', (w) => last(w, () => 0, () => w.a.getsid(999)), 'ESRCH'],
]);

table('sysctl / setuid / prctl / signal', [
  ['pid_max 300', (w) => last(w, () => 0, () => w.a.sysctl('kernel.pid_max', 300)), 'EINVAL'],
  ['pid_max above PID_MAX_LIMIT', (w) => last(w, () => 0, () => w.a.sysctl('kernel.pid_max', 4194305)), 'EINVAL'],
  ['pid_max as uid 1000', (w) => last(w, () => orThrow(w.a.setuid(1000)), () => w.a.sysctl('kernel.pid_max', 400)), 'EACCES'],
  ['ns_last_pid as uid 1000', (w) => last(w, () => orThrow(w.a.setuid(1000)), () => w.a.sysctl('kernel.ns_last_pid', 5)), 'EPERM'],
  ['ns_last_pid negative', (w) => last(w, () => 0, () => w.a.sysctl('kernel.ns_last_pid', -1)), 'EINVAL'],
  ['ns_last_pid above pid_max', (w) => last(w, () => 0, () => w.a.sysctl('kernel.ns_last_pid', 32769)), 'EINVAL'],
  ['setuid back to 0 after dropping', (w) => last(w, () => orThrow(w.a.setuid(1000)), () => w.a.setuid(0)), 'EPERM'],
  ['setuid inside a new user namespace (no uid map)', (w) => last(w, () => orThrow(w.a.unshare(CLONE_NEWUSER)), () => w.a.setuid(0)), 'EINVAL'],
  ['prctl of an option not modeled', (w) => last(w, () => 0, () => w.a.prctl(15, 0)), 'ENOSYS'],
  ['prctl(PR_SET_CHILD_SUBREAPER, 1)', (w) => w.a.prctl(PR_SET_CHILD_SUBREAPER, 1), 'ok'],
  ['signal(SIGKILL, SIG_IGN)', (w) => last(w, () => 0, () => w.a.signal(Signal.SIGKILL, 'SIG_IGN')), 'EINVAL'],
  ['signal(SIGSTOP, catch)', (w) => last(w, () => 0, () => w.a.signal(Signal.SIGSTOP, 'catch')), 'EINVAL'],
  ['signal(0, SIG_IGN)', (w) => last(w, () => 0, () => w.a.signal(0, 'SIG_IGN')), 'EINVAL'],
]);

describe('a Task API example', () => {
  it('sees its own ids through getpid/gettid', () => {
    const w = world();
    const t: Task = w.a.task;
    expect(orThrow(w.a.getpid())).toBe(2);
    expect(t.tidIn(w.k.ns0)).toBe(2);
  });
});
