// restoreOnModel names every plan step that failed, even when the end state matches (verify.ts failedSteps).

import { describe, expect, it } from 'vitest';
import { ModelBackend } from '../scenario/model_backend.js';
import { parseScenario } from '../scenario/parser.js';
import { runScenario } from '../scenario/run.js';
import { toJSON } from '../snapshot/save.js';
import { planRestore } from './plan.js';
import { formatDifference } from './same.js';
import { restoreOnModel } from './verify.js';

describe('restoreOnModel', () => {
  it('a plan whose step fails is a difference at that step, though the state it ends in matches', async () => {
    const b = new ModelBackend();
    await runScenario(parseScenario('init: fork() -> a\na: setsid()\n', 'history.pidns'), b);
    const target = toJSON(b.kernel);
    const plan = planRestore(target);
    if (!plan.ok) throw new Error('planned before');
    const good = await restoreOnModel(target, plan.text);
    expect(good.ok && good.differences).toEqual([]);
    // kill(999, 0) changes nothing, and fails with ESRCH.
    const lines = plan.text.split('\n').length;
    const bad = await restoreOnModel(target, `${plan.text}init: kill(999, 0)\n`, 'p.pidns');
    expect(bad.ok && bad.differences.map(formatDifference)).toEqual([`p.pidns:${lines}:1: init: kill(999, 0): expected success, got -1 ESRCH`]);
  });
});
