// docs/CONFORMANCE.md is generated from the corpus and must not go stale.

import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('docs/CONFORMANCE.md', () => {
  it('matches the corpus (npm run conformance-doc regenerates it)', () => {
    expect(() => execFileSync(process.execPath, ['scripts/conformance_doc.js', '--check'], { stdio: 'pipe' })).not.toThrow();
  });
});
