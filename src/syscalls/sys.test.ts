// prctl(PR_SET_CHILD_SUBREAPER) walks every descendant: the walk must not
// grow the call stack (or an argument list) with the number of children.

import { describe, expect, it } from 'vitest';
import { PR_SET_CHILD_SUBREAPER } from '../abi/prctl.js';
import { PID_MAX_LIMIT } from '../abi/limits.js';
import { Kernel } from '../kernel/kernel.js';
import { TaskApi } from './task_api.js';

describe('prctl(PR_SET_CHILD_SUBREAPER, 1)', () => {
  it('over a descendant with 150,000 children', () => {
    const k = new Kernel({ pidMax: PID_MAX_LIMIT });
    const init = new TaskApi(k, k.init);
    const p = init.fork();
    if (!p.ok) throw new Error('fork');
    const parent = new TaskApi(k, p.value.child);
    for (let i = 0; i < 150_000; i++) if (!parent.fork().ok) throw new Error(`fork ${i}`);
    expect(init.prctl(PR_SET_CHILD_SUBREAPER, 1)).toEqual({ ok: true, value: 0 });
    const kids = [...p.value.child.children];
    expect(kids.length).toBe(150_000);
    expect(kids.every((c) => c.group.hasChildSubreaper)).toBe(true);
  }, 60_000);
});
