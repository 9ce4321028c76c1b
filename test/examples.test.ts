// Every scenario file in examples/ and the conformance corpus runs on the
// model with the invariant checker after every step and the failing-call
// check on, and every written expectation must hold (conformance.test.ts
// does the same against the kernel where one is available; this runs
// everywhere). A scenario may end in a scenario error: that is its transcript.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkInvariants } from '../src/kernel/invariants.js';
import { ModelBackend } from '../src/scenario/model_backend.js';
import { parseScenario } from '../src/scenario/parser.js';
import { runScenario } from '../src/scenario/run.js';
import { ScenarioError } from '../src/scenario/ast.js';

function scenarioFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? scenarioFiles(p) : p.endsWith('.pidns') ? [p] : [];
    });
}

const files = [...scenarioFiles('examples'), ...scenarioFiles('conformance')];

describe('scenario files on the model', () => {
  it.each(files)('%s', async (file) => {
    const script = parseScenario(readFileSync(file, 'utf8'), file);
    const backend = new ModelBackend({ afterStep: checkInvariants, verifyFailingCalls: true });
    const result = await runScenario(script, backend).catch((e: unknown) => {
      if (e instanceof ScenarioError) return null;
      throw e;
    });
    if (result !== null) expect(result.mismatches).toEqual([]);
  });
});
