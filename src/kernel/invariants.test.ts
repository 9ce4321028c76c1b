// Invariants as code (STYLE.md, habit 7): a state the kernel cannot be in is
// named by findViolations, so that the snapshot loader refuses it.

import { describe, expect, it } from 'vitest';
import { CLONE_NEWPID } from '../abi/clone.js';
import { Signal } from '../abi/signal.js';
import { sysClone, sysExit } from '../syscalls/process.js';
import { findViolations } from './invariants.js';
import { Kernel } from './kernel.js';

describe('the invariants', () => {
  it('a namespace whose init has died has allocation disabled (zap_pid_ns_processes), and a state where it is not is named', () => {
    const k = new Kernel();
    const r = sysClone(k, k.init, CLONE_NEWPID | Signal.SIGCHLD);
    if (!r.ok) throw new Error('clone');
    const init = r.value.child;
    const ns = init.activeNs;
    sysExit(k, init, 0);
    expect(ns.adding).toBe(false);
    expect(findViolations(k)).toEqual([]);
    ns.adding = true;
    expect(findViolations(k).join('\n')).toMatch(/its init's group has no live thread but allocation is enabled/);
  });
});
