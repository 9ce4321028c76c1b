// Direct checks of the kernel backend that scenario files cannot express:
// clean-up, and the bookkeeping behind ids and views.

import { resolvedCall } from '../scenario/calls/index.js';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLONE_NEWPID } from '../abi/clone.js';
import { Signal } from '../abi/signal.js';
import { taskRef } from '../scenario/backend.js';
import { kernelBackendAvailable } from './availability.js';
import { createKernelBackend, KernelBackend } from './kernel_backend.js';

const available = kernelBackendAvailable();

describe('kernel backend availability', () => {
  it('says why it cannot run, or runs', () => {
    if (available.ok) expect(() => createKernelBackend()).not.toThrow();
    else expect(() => createKernelBackend()).toThrow(/^kernel backend unavailable: /);
  });
});

describe.runIf(available.ok)('kernel backend', () => {
  it('runs init as pid 1 of a fresh namespace and leaves nothing behind', async () => {
    const b = new KernelBackend();
    await b.start();
    const init = taskRef(0);
    expect((await b.call(init, resolvedCall('getpid'), { ref: taskRef(1), comm: 'init' })).result).toEqual({ kind: 'value', value: 1 });
    expect((await b.call(init, resolvedCall('getppid'), { ref: taskRef(1), comm: 'init' })).result).toEqual({ kind: 'value', value: 0 });
    const c = await b.call(init, resolvedCall('clone', {flags: CLONE_NEWPID}), { ref: taskRef(1), comm: 'c' });
    expect(c.result).toEqual({ kind: 'value', value: 2 });
    expect(await b.idOf(taskRef(1), init)).toBe(2);
    expect(await b.idOf(taskRef(1), taskRef(1))).toBe(1);
    expect(await b.idOf(init, taskRef(1))).toBe(0);
    expect((await b.status(init, taskRef(1)))?.nspid).toEqual([2, 1]);
    expect(await b.ns(taskRef(1))).toEqual({ pid: 1, pidForChildren: 1 });
    const w = await b.call(init, resolvedCall('wait4', {pid: -1, options: 0}), { ref: taskRef(2), comm: 'init' });
    expect(w.result).toEqual({ kind: 'unfinished' });
    expect(await b.life(init)).toBe('blocked');
    const k = await b.call(taskRef(1), resolvedCall('exit_group', {code: 4}), { ref: taskRef(2), comm: 'c' });
    expect(k.result).toEqual({ kind: 'noreturn' });
    expect(k.events).toContainEqual({ task: taskRef(1), event: { kind: 'exited', code: 4 } });
    expect(k.events).toContainEqual({ task: init, event: { kind: 'resumed', call: 'wait4', result: { kind: 'wait4', pid: 2, status: { kind: 'exited', code: 4 } } } });
    const pid = b.runnerPid;
    expect(existsSync(`/proc/${pid}`)).toBe(true);
    await b.close();
    await b.close();
    // close() waited for the runner's exit; it killed and reaped the scenario's pid 1 first.
    expect(existsSync(`/proc/${pid}`)).toBe(false);
  });

  it('reports a signal that stops its own sender as delivered', async () => {
    const b = new KernelBackend();
    await b.start();
    try {
      const a = await b.call(taskRef(0), resolvedCall('fork'), { ref: taskRef(1), comm: 'a' });
      expect(a.result).toEqual({ kind: 'value', value: 2 });
      const s = await b.call(taskRef(1), resolvedCall('kill', {pid: 2, sig: Signal.SIGSTOP}), { ref: taskRef(2), comm: 'a' });
      expect(s.result).toEqual({ kind: 'value', value: 0 });
      expect(s.events).toEqual([{ task: taskRef(1), event: { kind: 'stopped', signal: Signal.SIGSTOP } }]);
      expect(await b.life(taskRef(1))).toBe('stopped');
      const c = await b.call(taskRef(0), resolvedCall('kill', {pid: 2, sig: Signal.SIGCONT}), { ref: taskRef(2), comm: 'init' });
      expect(c.events).toEqual([{ task: taskRef(1), event: { kind: 'continued' } }]);
      expect(await b.life(taskRef(1))).toBe('running');
    } finally {
      await b.close();
    }
  });
});
