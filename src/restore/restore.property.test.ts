// The planner's property test (issue 16): random histories from the fuzz
// generator (every call kind it draws) run on the model; each end state is
// planned, the plan run on a fresh model (the invariant checker after every
// step), and the state it ends in compared with the snapshot by the sameness
// rule. No difference and no scenario error is allowed; a refusal is counted
// by its constraint (docs/restore.md lists them). At least 1,000 histories
// must restore exactly. PIDNS_RESTORE_HISTORIES raises the count.

import { describe, expect, it } from 'vitest';
import { checkInvariants } from '../kernel/invariants.js';
import { generateScenario } from '../scenario/fuzz.js';
import { ModelBackend } from '../scenario/model_backend.js';
import { parseScenario } from '../scenario/parser.js';
import { runScenario } from '../scenario/run.js';
import { toJSON } from '../snapshot/save.js';
import { planRestore } from './plan.js';
import { formatDifference } from './same.js';
import { restoreOnModel } from './verify.js';

const WANTED = Number(process.env.PIDNS_RESTORE_HISTORIES ?? 1000);
/** Seeds tried at most: the refusals leave fewer histories than seeds. */
const SEEDS = WANTED * 4;

describe('restore planner on random histories', () => {
  it(`restores ${WANTED} fuzz histories on the model with no difference`, async () => {
    const refused = new Map<string, number>();
    let restored = 0;
    let seed = 1;
    for (; seed <= SEEDS && restored < WANTED; seed++) {
      const history = await generateScenario(seed);
      const original = new ModelBackend();
      await runScenario(parseScenario(history, `fuzz-${seed}.pidns`), original);
      const snapshot = toJSON(original.kernel);
      const plan = planRestore(snapshot);
      if (!plan.ok) {
        const kind = plan.refusal.constraint.replace(/\d+/g, 'N');
        refused.set(kind, (refused.get(kind) ?? 0) + 1);
        continue;
      }
      const outcome = await restoreOnModel(snapshot, plan.text, `plan-${seed}.pidns`, 'model', { afterStep: checkInvariants });
      if (!outcome.ok) throw new Error(`seed ${seed}: the plan has a scenario error: ${outcome.error}\n${history}\n--- plan:\n${plan.text}`);
      if (outcome.differences.length > 0) throw new Error(`seed ${seed}: ${outcome.differences.map(formatDifference).join('\n')}\n${history}\n--- plan:\n${plan.text}`);
      restored++;
    }
    const summary = [...refused].sort((a, b) => b[1] - a[1]).map(([k, c]) => `${c} ${k}`);
    console.log(`restored ${restored} of ${seed - 1} histories; refused: ${summary.join('; ')}`);
    expect(restored).toBe(WANTED);
  }, 600_000);
});
