// The conformance test: every scenario file runs on the model and on the real
// kernel, and the two transcripts must be identical. Without a usable kernel
// backend (not root, no PID namespaces, Linux older than 6.14) the files are
// skipped with the reason, unless PIDNS_REQUIRE_KERNEL=1 (CI), where that fails.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kernelBackendAvailable } from '../src/native/availability.js';
import { KernelBackend } from '../src/native/kernel_backend.js';
import type { Backend } from '../src/scenario/backend.js';
import { ModelBackend } from '../src/scenario/model_backend.js';
import { parseScenario } from '../src/scenario/parser.js';
import { runScenario } from '../src/scenario/run.js';
import { ScenarioError } from '../src/scenario/ast.js';

function scenarioFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? scenarioFiles(p) : p.endsWith('.pidns') ? [p] : [];
    });
}

/** The transcript, with a scenario error as its last line (both backends must fail alike). */
async function transcript(file: string, backend: Backend): Promise<string[]> {
  const script = parseScenario(readFileSync(file, 'utf8'), file);
  const lines: string[] = [];
  try {
    await runScenario(script, backend, { onLine: (l) => lines.push(l) });
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    lines.push(`error: ${e.message}`);
  }
  return lines;
}

const files = [...scenarioFiles('examples'), ...scenarioFiles('conformance')];
const available = kernelBackendAvailable();
const required = process.env.PIDNS_REQUIRE_KERNEL === '1';

describe('the kernel backend', () => {
  it('is available where CI requires it', () => {
    if (!available.ok) {
      if (required) expect.fail(`PIDNS_REQUIRE_KERNEL=1 but the kernel backend is unavailable: ${available.reason}`);
      console.warn(`kernel backend unavailable, conformance skipped: ${available.reason} (it needs root, Linux 6.14 or later and gcc: README, "What npm test needs")`);
    }
    expect(files.length).toBeGreaterThan(0);
  });
});

describe.runIf(available.ok)('model and kernel transcripts are identical', () => {
  it.each(files)('%s', async (file) => {
    const model = await transcript(file, new ModelBackend());
    const kernel = await transcript(file, new KernelBackend());
    expect(model.join('\n')).toBe(kernel.join('\n'));
  });
});
