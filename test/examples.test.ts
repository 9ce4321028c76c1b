// Every scenario file in examples/ (and later the conformance corpus) runs on
// the model with the invariant checker after every step and the failing-call
// check on, and every written expectation must hold.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkInvariants } from '../src/kernel/invariants.js';
import { ModelBackend } from '../src/scenario/model_backend.js';
import { parseScenario } from '../src/scenario/parser.js';
import { runScenario } from '../src/scenario/run.js';

const dirs = ['examples'];
const files = dirs.flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.pidns')).map((f) => join(d, f)));

describe('scenario files on the model', () => {
  it.each(files)('%s', async (file) => {
    const script = parseScenario(readFileSync(file, 'utf8'), file);
    const backend = new ModelBackend({ afterStep: checkInvariants, verifyFailingCalls: true });
    const result = await runScenario(script, backend);
    expect(result.mismatches).toEqual([]);
  });
});
