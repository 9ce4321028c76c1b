// A snapshot that says it left state out is never planned as if it were
// whole, and a load and save keeps saying so. Terminals are no longer left
// out (version 4 carries them), and the planner rebuilds them (ttys.ts).

import { describe, expect, it } from 'vitest';
import { O_NOCTTY, O_RDWR } from '../abi/tty.js';
import { Kernel } from '../kernel/kernel.js';
import { fromJSON, toJSON } from '../snapshot/index.js';
import { sysPosixOpenpt } from '../syscalls/tty.js';
import { planRestore, restoreOnModel } from './index.js';

describe('a snapshot with omitted state', () => {
  it('keeps its omitted note through a load and a save, and the planner refuses it', () => {
    const json = { ...toJSON(new Kernel()), version: 3 as const, omitted: ['terminals: an older file that left them out'] };
    const loaded = fromJSON(JSON.parse(JSON.stringify(json)));
    if (!loaded.ok) throw new Error('load');
    const again = toJSON(loaded.kernel);
    expect(again.omitted).toEqual(json.omitted);
    const plan = planRestore(again);
    expect(plan.ok).toBe(false);
    if (!plan.ok) expect(plan.refusal.constraint).toBe('state the snapshot left out');
  });

  it('a kernel with a pty is saved whole (no omitted note), and the planner opens the pair again', async () => {
    const k = new Kernel();
    expect(sysPosixOpenpt(k, k.init, O_RDWR | O_NOCTTY).ok).toBe(true);
    const json = toJSON(k);
    expect(json.omitted).toBeUndefined();
    const plan = planRestore(json);
    if (!plan.ok) throw new Error(plan.refusal.why);
    expect(plan.text).toMatch(/^init: posix_openpt\(O_RDWR\|O_NOCTTY\) -> f1 /m);
    const outcome = await restoreOnModel(json, plan.text, 'plan.pidns', 'model');
    expect(outcome.ok && outcome.differences).toEqual([]);
  });
});
