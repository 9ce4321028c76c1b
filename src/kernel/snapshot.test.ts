// What the failed-call check compares: a failing call that queued a signal,
// left a handler due or a task on a work list is caught; serials it used up
// are not state (withoutCounters says why).

import { describe, expect, it } from 'vitest';
import { Signal } from '../abi/signal.js';
import { Kernel } from './kernel.js';
import { snapshot } from './snapshot.js';
import { failedCallView } from './test_random_history.js';

const view = (k: Kernel): unknown => failedCallView(snapshot(k), false);

describe('snapshot() as the failed-call check sees it', () => {
  it.each([
    ['a private pending signal', (k: Kernel) => k.init.pending.push({ signo: Signal.SIGUSR1, code: 0, pid: 1, status: 0 })],
    ['a shared pending signal with another sender', (k: Kernel) => k.init.group.sharedPending.push({ signo: Signal.SIGCHLD, code: 1, pid: 7, status: 0 })],
    ['a blocked signal mask', (k: Kernel) => { k.init.sigBlocked = 1n << BigInt(Signal.SIGUSR1 - 1); }],
    ['a task on the signal-pending list', (k: Kernel) => k.sigPending.add(k.init)],
    ['a task on the zap list', (k: Kernel) => k.zapWaiting.add(k.init)],
    ['a queued exit', (k: Kernel) => { k.exitQueue.push(k.init, 9); }],
    ['a woken flag', (k: Kernel) => { k.init.woken = true; }],
  ])('sees %s', (_what, change) => {
    const k = new Kernel();
    k.init.group.sharedPending.push({ signo: Signal.SIGCHLD, code: 1, pid: 2, status: 0 });
    const before = view(k);
    change(k);
    expect(view(k)).not.toEqual(before);
  });

  it('does not count serials and task seqs a failed clone used up', () => {
    const k = new Kernel();
    const before = snapshot(k);
    k.nextSerial();
    k.nextTaskSeq();
    expect(snapshot(k)).not.toEqual(before);
    expect(failedCallView(snapshot(k), false)).toEqual(failedCallView(before, false));
  });
});
