// A parent that founded its session after forking (setsid.ts): its children
// are created before its setsid, in the session it was born in, and the
// state matches; a child adopted from another session is still handed over
// by a nursery, not taken for a child born before a setsid.

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { planRestore } from './plan.js';
import { formatDifference } from './same.js';
import { modelEndState, restoreOnModel } from './verify.js';

describe('a parent that founded its session after forking', () => {
  it('creates the children first, then founds the session', async () => {
    const target = await modelEndState(readFileSync(join(import.meta.dirname, '..', '..', 'restore', 'parent_setsid.pidns'), 'utf8'));
    const plan = planRestore(target);
    if (!plan.ok) throw new Error(plan.refusal.why);
    const at = (re: RegExp): number => plan.text.split('\n').findIndex((l) => re.test(l));
    expect(at(/-> a /)).toBeLessThan(at(/^p: setsid/));
    expect(at(/-> b /)).toBeLessThan(at(/^p: setsid/));
    expect(at(/-> c /)).toBeLessThan(at(/^n: setsid/));
    const r = await restoreOnModel(target, plan.text);
    expect(r.ok && r.differences.map(formatDifference)).toEqual([]);
  });

  it('leaves an adopted child to a nursery: its parent was never in its session', async () => {
    // c is born in p's session 2 and adopted by init (x dies): init leads session 1 from the start, no setsid explains c.
    const target = await modelEndState('init: fork() -> p\np: setsid()\np: fork() -> x\nx: fork() -> c\nx: exit(0)\n');
    const plan = planRestore(target);
    expect(plan.ok && plan.text).toMatch(/-> nurse\d+ /);
    expect(plan.ok && plan.text).not.toMatch(/before founding its own session/);
  });
});
