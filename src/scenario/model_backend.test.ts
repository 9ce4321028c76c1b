import { resolvedCall } from './calls/index.js';
import { describe, expect, it } from 'vitest';
import { CLONE_NEWPID, CLONE_THREAD, CLONE_SIGHAND, CLONE_VM } from '../abi/clone.js';
import { Signal } from '../abi/signal.js';
import { WNOHANG, WEXITED, IdType, WUNTRACED } from '../abi/wait.js';
import { checkInvariants } from '../kernel/invariants.js';
import { taskRef } from './backend.js';
import type { ResolvedCall, TaskRef } from './backend.js';
import { ModelBackend } from './model_backend.js';

function harness() {
  const b = new ModelBackend({ afterStep: checkInvariants });
  let next = 1;
  const call = async (actor: TaskRef, c: ResolvedCall, comm = 'x') => {
    const ref = taskRef(next);
    const out = await b.call(actor, c, { ref, comm });
    if (out.result.kind === 'value' && out.result.value > 0 && (c.name === 'fork' || c.name === 'clone' || c.name === 'clone3')) next++;
    return { ...out, ref };
  };
  return { b, call };
}

const init = taskRef(0);

describe('model backend', () => {
  it('plays the nested namespaces of multi_pidns 5', async () => {
    const { b, call } = harness();
    await b.start();
    const p4 = await call(init, resolvedCall('clone', {flags: CLONE_NEWPID}), 'p4');
    expect(p4.result).toEqual({ kind: 'value', value: 2 });
    const p3 = await call(p4.ref, resolvedCall('clone', {flags: CLONE_NEWPID}), 'p3');
    const p2 = await call(p3.ref, resolvedCall('clone', {flags: CLONE_NEWPID}), 'p2');
    const p1 = await call(p2.ref, resolvedCall('clone', {flags: CLONE_NEWPID}), 'p1');
    const p0 = await call(p1.ref, resolvedCall('clone', {flags: CLONE_NEWPID}), 'p0');
    expect(p0.result).toEqual({ kind: 'value', value: 2 });
    expect((await call(p0.ref, resolvedCall('getpid'))).result).toEqual({ kind: 'value', value: 1 });
    expect((await call(p0.ref, resolvedCall('getppid'))).result).toEqual({ kind: 'value', value: 0 });
    expect(await b.ps(p4.ref)).toEqual([
      { pid: 1, ppid: 0, pgid: 0, sid: 0, state: 'S', name: 'p4' },
      { pid: 2, ppid: 1, pgid: 0, sid: 0, state: 'S', name: 'p3' },
      { pid: 3, ppid: 2, pgid: 0, sid: 0, state: 'S', name: 'p2' },
      { pid: 4, ppid: 3, pgid: 0, sid: 0, state: 'S', name: 'p1' },
      { pid: 5, ppid: 4, pgid: 0, sid: 0, state: 'S', name: 'p0' },
    ]);
    const st = await b.status(p4.ref, p0.ref);
    expect(st?.nspid).toEqual([5, 4, 3, 2, 1]);
    expect(st?.nspgid).toEqual([0, 0, 0, 0, 0]);
    expect(await b.ns(p0.ref)).toEqual({ pid: 5, pidForChildren: 5 });
  });

  it('kills a namespace when its init dies and refuses later forks with ENOMEM', async () => {
    const { b, call } = harness();
    await b.start();
    const a = await call(init, resolvedCall('fork'), 'a');
    expect((await call(a.ref, resolvedCall('unshare', {flags: CLONE_NEWPID}))).result).toEqual({ kind: 'value', value: 0 });
    expect((await call(a.ref, resolvedCall('unshare', {flags: CLONE_NEWPID}))).result).toEqual({ kind: 'errno', errno: 'EINVAL' });
    expect(await b.ns(a.ref)).toEqual({ pid: 0, pidForChildren: null });
    const i = await call(a.ref, resolvedCall('fork'), 'i');
    expect(i.result).toEqual({ kind: 'value', value: 3 });
    expect((await call(i.ref, resolvedCall('getpid'))).result).toEqual({ kind: 'value', value: 1 });
    const c = await call(i.ref, resolvedCall('fork'), 'c');
    expect(c.result).toEqual({ kind: 'value', value: 2 });
    const w = await call(a.ref, resolvedCall('wait4', {pid: -1, options: 0}));
    expect(w.result).toEqual({ kind: 'unfinished' });
    const k = await call(a.ref, resolvedCall('kill', {pid: 3, sig: Signal.SIGKILL}));
    expect(k.result).toEqual({ kind: 'value', value: 0 });
    expect(k.events).toContainEqual({ task: c.ref, event: { kind: 'killed', signal: Signal.SIGKILL } });
    expect(k.events).toContainEqual({ task: i.ref, event: { kind: 'killed', signal: Signal.SIGKILL } });
    expect(k.events).toContainEqual({ task: a.ref, event: { kind: 'resumed', call: 'wait4', result: { kind: 'wait4', pid: 3, status: { kind: 'killed', signal: 9, core: false } } } });
    expect((await call(a.ref, resolvedCall('fork'))).result).toEqual({ kind: 'errno', errno: 'ENOMEM' });
  });

  it('wraps to 300 after pid_max in a new namespace', async () => {
    const { b, call } = harness();
    await b.start();
    const n = await call(init, resolvedCall('clone', {flags: CLONE_NEWPID}), 'n');
    expect((await call(n.ref, resolvedCall('sysctl', {key: 'kernel.pid_max', value: 400}))).result).toEqual({ kind: 'value', value: 0 });
    expect((await call(n.ref, resolvedCall('sysctl', {key: 'kernel.ns_last_pid', value: 398}))).result).toEqual({ kind: 'value', value: 0 });
    expect((await call(n.ref, resolvedCall('fork'))).result).toEqual({ kind: 'value', value: 399 });
    expect((await call(n.ref, resolvedCall('fork'))).result).toEqual({ kind: 'value', value: 300 });
    expect((await call(n.ref, resolvedCall('clone3', {flags: 0, setTid: [300], exitSignal: Signal.SIGCHLD}))).result).toEqual({ kind: 'errno', errno: 'EEXIST' });
  });

  it('threads, waitid and stop/continue', async () => {
    const { b, call } = harness();
    await b.start();
    const a = await call(init, resolvedCall('fork'), 'a');
    const t = await call(a.ref, resolvedCall('clone', {flags: CLONE_THREAD | CLONE_SIGHAND | CLONE_VM}), 't');
    expect(t.result).toEqual({ kind: 'value', value: 3 });
    expect(await b.threads(init, a.ref)).toEqual([2, 3]);
    const s = await call(init, resolvedCall('kill', {pid: 2, sig: Signal.SIGSTOP}));
    expect(s.events.map((e) => e.event.kind)).toEqual(['stopped', 'stopped']);
    expect((await call(init, resolvedCall('wait4', {pid: -1, options: WUNTRACED}))).result).toEqual({ kind: 'wait4', pid: 2, status: { kind: 'stopped', signal: Signal.SIGSTOP } });
    await call(init, resolvedCall('kill', {pid: 2, sig: Signal.SIGCONT}));
    await call(t.ref, resolvedCall('exit_group', {code: 3}));
    expect((await call(init, resolvedCall('waitid', {idtype: IdType.P_ALL, id: 0, options: WEXITED | WNOHANG}))).result).toEqual({
      kind: 'waitid',
      info: { pid: 2, code: 'CLD_EXITED', status: 3 },
    });
  });
});
