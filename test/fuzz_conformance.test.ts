// Differential fuzzing in CI: 200 generated scenarios from fixed seeds run on
// the model and on the real kernel; their transcripts must be identical.
// (Skipped without a kernel backend, unless PIDNS_REQUIRE_KERNEL=1; see
// conformance.test.ts, which fails in that case.)

import { describe, expect, it } from 'vitest';
import { kernelBackendAvailable } from '../src/native/availability.js';
import { KernelBackend } from '../src/native/kernel_backend.js';
import type { Backend } from '../src/scenario/backend.js';
import { ScenarioError } from '../src/scenario/ast.js';
import { generateScenario } from '../src/scenario/fuzz.js';
import { ModelBackend } from '../src/scenario/model_backend.js';
import { parseScenario } from '../src/scenario/parser.js';
import { runScenario } from '../src/scenario/run.js';

async function transcript(text: string, backend: Backend): Promise<string> {
  const lines: string[] = [];
  try {
    await runScenario(parseScenario(text, 'fuzz.pidns'), backend, { onLine: (l) => lines.push(l) });
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    lines.push(`error: ${e.message}`);
  }
  return lines.join('\n');
}

const SEEDS = Array.from({ length: 200 }, (_, i) => 1000 + i);

describe.runIf(kernelBackendAvailable().ok)('generated scenarios diff clean against the kernel', () => {
  it('seeds 1000..1199', async () => {
    const differ: string[] = [];
    for (const seed of SEEDS) {
      const text = await generateScenario(seed);
      const model = await transcript(text, new ModelBackend());
      const kernel = await transcript(text, new KernelBackend());
      if (model !== kernel) differ.push(`seed ${seed}:\n${text}`);
    }
    expect(differ).toEqual([]);
  }, 600_000);
});
