// The imported corpus on the real kernel: each trace's scenario runs on the
// model and on the kernel backend, and the transcripts must be identical, so
// the steps the importer writes mean on Linux what the trace recorded. Skipped
// without a usable kernel backend unless PIDNS_REQUIRE_KERNEL=1 (CI).

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kernelBackendAvailable } from '../src/native/availability.js';
import { KernelBackend } from '../src/native/kernel_backend.js';
import { ModelBackend, parseScenario, runScenario, ScenarioError, type Backend } from '../src/scenario/index.js';
import { traceSource } from '../src/cli/trace_files.js';
import { importTrace } from '../src/trace/index.js';

const corpus = readdirSync('traces').filter((f) => f.endsWith('.strace')).map((f) => join('traces', f));

async function transcript(text: string, file: string, backend: Backend): Promise<string[]> {
  const lines: string[] = [];
  try {
    await runScenario(parseScenario(text, file), backend, { onLine: (l) => lines.push(l) });
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    lines.push(`error: ${e.message}`);
  }
  return lines;
}

const available = kernelBackendAvailable();

describe.runIf(available.ok || process.env.PIDNS_REQUIRE_KERNEL === '1')('imported traces on the model and the kernel', () => {
  it.each(corpus)('%s', async (file) => {
    const { scenario } = importTrace(traceSource(file)!);
    const name = file.replace(/\.strace$/, '.pidns');
    const model = await transcript(scenario, name, new ModelBackend());
    const kernel = await transcript(scenario, name, new KernelBackend());
    // Every trace, signals 32 and 33 included: the runner sets dispositions with the raw rt_sigaction (glibc's sigaction refuses them).
    expect(kernel.join('\n')).toBe(model.join('\n'));
  }, 60_000);
});
