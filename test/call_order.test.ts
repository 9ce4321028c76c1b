// The fuzzer draws its steps from the call table in table order, so a seed
// writes the same scenario only if the table has one order wherever it is
// loaded: the built ES modules (`pidns fuzz`) and vitest's transformed sources
// (the CI seeds in fuzz_conformance.test.ts) alike.

import { describe, expect, it } from 'vitest';
import { allCalls } from '../src/scenario/calls/index.js';

describe('the call table', () => {
  it('lists its calls in the same order in the sources and in the built package', async () => {
    const built = (await import('../dist/scenario/calls/index.js')) as { allCalls(): readonly { name: string }[] };
    expect(allCalls().map((c) => c.name)).toEqual(built.allCalls().map((c) => c.name));
  });
});
