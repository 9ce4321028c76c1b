// reboot(2) must never reach the host: the runner issues it only from a PID
// namespace provably other than the one it started in. `runner
// reboot-selftest` runs that check in the runner's own namespace, with magic
// numbers the kernel refuses anyway (EINVAL), so that a broken check shows as
// "issued -22" here and can never reboot the machine.

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ensureRunner } from './build.js';

describe.skipIf(process.platform !== 'linux')('the runner and reboot()', () => {
  it('refuses reboot in the namespace it started in', () => {
    const r = spawnSync(ensureRunner(), ['reboot-selftest'], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('refused');
    expect(r.status).toBe(0);
  });
});
