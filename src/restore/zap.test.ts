// An init waiting in zap_pid_ns_processes (zap.ts) is rebuilt: its
// namespace with the zombie it waits for, then its death, last; ns0's own
// init in that state is refused, as is a task caught between exit and zombie.

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelBackend } from '../scenario/model_backend.js';
import { parseScenario } from '../scenario/parser.js';
import { runScenario } from '../scenario/run.js';
import { toJSON } from '../snapshot/save.js';
import { planRestore } from './plan.js';
import { formatDifference } from './same.js';
import { restoreOnModel } from './verify.js';

describe('an init waiting for its namespace to empty', () => {
  it('is rebuilt by its death after its zombie exists', async () => {
    const b = new ModelBackend();
    await runScenario(parseScenario(readFileSync(join(import.meta.dirname, '..', '..', 'restore', 'init_waiting_in_zap.pidns'), 'utf8'), 'zap.pidns'), b);
    const target = toJSON(b.kernel);
    expect(target.queues.zapWaiting.length).toBe(1);
    const plan = planRestore(target);
    if (!plan.ok) throw new Error(plan.refusal.why);
    const lines = plan.text.trimEnd().split('\n');
    expect(lines.findIndex((l) => l.startsWith('init: kill($z, SIGKILL)'))).toBeLessThan(lines.findIndex((l) => l.startsWith('init: kill($n, SIGKILL)')));
    const r = await restoreOnModel(target, plan.text);
    expect(r.ok && r.differences.map(formatDifference)).toEqual([]);
    // Without n's death, n is alive: the difference is named.
    const alive = await restoreOnModel(target, plan.text.replace(/^init: kill\(\$n, SIGKILL\).*\n/m, ''));
    expect(alive.ok && alive.differences.map((d) => `${d.task} ${d.field}`)).toContain('2 1 exit state');
  });

  it("refuses ns0's init in that state", async () => {
    const b = new ModelBackend();
    await runScenario(parseScenario('init: fork() -> a\n', 'x.pidns'), b);
    const j = toJSON(b.kernel);
    // The same shape with ns0 as the dying namespace: mark its init waiting (a snapshot taken from inside one).
    const dying = { ...j, queues: { ...j.queues, zapWaiting: [j.init] }, tasks: j.tasks.map((t) => (t.seq === j.init ? { ...t, exitState: 'exiting' as const } : t)) };
    const plan = planRestore(dying);
    expect(plan.ok ? '' : plan.refusal.why).toMatch(/ns0's init waits for its namespace to empty/);
  });
});
