import { memoryIo } from './test_io.js';
import { describe, expect, it, vi } from 'vitest';

/** The invariant checker, counted, and able to fail on demand. */
const checks = vi.hoisted(() => ({ calls: 0, plant: false }));
vi.mock('../kernel/invariants.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../kernel/invariants.js')>();
  return {
    ...real,
    checkInvariants: (k: Parameters<typeof real.checkInvariants>[0]): void => {
      checks.calls++;
      if (checks.plant) throw new real.InvariantError(['planted']);
      real.checkInvariants(k);
    },
  };
});
import { createModelBackend } from '../scenario/model_backend.js';
import { generateScenario } from '../scenario/fuzz.js';
import { parseScenario } from '../scenario/parser.js';
import { registerBackend } from './backends.js';
import type { Io } from './io.js';
import { FUZZ_SPEC } from './fuzz.js';
import { main } from './main.js';
import { buggyModel, wrapBackend } from './test_backends.js';

registerBackend('buggy', buggyModel);
registerBackend('nokernel', () => {
  throw new Error('kernel backend unavailable: not root');
});
/** The model, except that setsid() throws. */
registerBackend('crashy', () => {
  const model = createModelBackend();
  return wrapBackend(model, { call: (actor, call, child) => (call.name === 'setsid' ? Promise.reject(new Error('boom')) : model.call(actor, call, child)) });
});

/** The model, except that its first, third, ... instances answer every call with ENOSYS: a race. */
let flakyRuns = 0;
registerBackend('flaky', () => {
  const model = createModelBackend();
  const odd = flakyRuns++ % 2 === 0;
  return wrapBackend(model, { call: (actor, call, child) => (odd ? Promise.resolve({ result: { kind: 'errno', errno: 'ENOSYS' }, events: [] }) : model.call(actor, call, child)) });
});

interface Result {
  code: number;
  out: string;
  err: string;
  files: Map<string, string>;
}

async function cli(argv: string[], extra: Partial<Io> = {}, files = new Map<string, string>()): Promise<Result> {
  const { io, output } = memoryIo(files, { extra });
  const code = await main(argv, io);
  return { code, ...output(), files };
}

const steps = (text: string): string[] => text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));

describe('pidns fuzz', () => {
  it('model against itself: nothing differs, exit 0', async () => {
    const r = await cli(['fuzz', '--seed', '1', '--count', '25', '--backends', 'model,model']);
    expect(r).toMatchObject({ code: 0, out: '25 generated, 0 differ\n', err: '' });
    expect(r.files.size).toBe(0);
  });

  it('model against a model whose getpid is off by one: small reproducers that still differ, exit 1', async () => {
    const r = await cli(['fuzz', '--seed=1', '--count=30', '--backends=model,buggy', '--out', 'found/']);
    expect(r.code).toBe(1);
    const found = [...r.out.matchAll(/^FAIL seed (\d+): transcripts differ; reproducer (\S+)$/gm)];
    expect(found.length).toBeGreaterThan(0);
    expect(r.out).toMatch(new RegExp(`^30 generated, ${found.length} differ\\n$`, 'm'));
    expect([...r.files.keys()].sort()).toEqual(found.map((m) => `found/fuzz-${m[1]!}.pidns`).sort());
    for (const [path, text] of r.files) {
      const seed = /fuzz-(\d+)/.exec(path)![1]!;
      expect(text.startsWith(`# pidns fuzz: seed ${seed}, backends model,buggy\n# shrunk from `)).toBe(true);
      // Shrunk to the getpid() call and at most the steps that make its caller.
      const s = steps(text);
      expect(s.at(-1)).toMatch(/^\w+: getpid\(\)$/);
      // Every other step makes the next caller in a chain from init (ddmin's result is 1-minimal).
      let caller = 'init';
      for (const line of s.slice(0, -1)) {
        const m = /^(\w+): \w+\(.*\) -> (\w+)(?:, pidfd=\w+)?$/.exec(line);
        expect(m?.[1], line).toBe(caller);
        caller = m![2]!;
      }
      expect(s.at(-1)!.startsWith(`${caller}: `)).toBe(true);
      expect(() => parseScenario(text, path)).not.toThrow();
    }
    // The hunk shows the off-by-one.
    expect(r.out).toMatch(/^-\w+: getpid\(\) = (\d+)\n\+\w+: getpid\(\) = \d+$/m);
    // A reproducer is a file `pidns diff` fails on.
    const [path] = [...r.files.keys()];
    const again = await cli(['diff', '--backends', 'model,buggy', path!], {}, r.files);
    expect(again.code).toBe(1);
    expect(again.out.endsWith('0 passed, 1 failed\n')).toBe(true);
  });

  it('the same seeds find the same reproducers', async () => {
    const a = await cli(['fuzz', '--seed', '5', '--count', '10', '--backends', 'model,buggy']);
    const b = await cli(['fuzz', '--seed', '5', '--count', '10', '--backends', 'model,buggy']);
    expect(b.out).toBe(a.out);
    expect([...b.files]).toEqual([...a.files]);
  });

  it('a backend that crashes mid-run: a reproducer, exit 3', async () => {
    const r = await cli(['fuzz', '--seed', '1', '--count', '20', '--backends', 'model,crashy']);
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/^FAIL seed \d+: backend crashy crashed: boom; reproducer fuzz-failures\/fuzz-\d+\.pidns$/m);
    for (const text of r.files.values()) expect(steps(text).at(-1)).toMatch(/: setsid\(\)$/);
  });

  it('a difference that does not come again is reported whole, not shrunk', async () => {
    flakyRuns = 0;
    const r = await cli(['fuzz', '--seed', '1', '--count', '1', '--backends', 'model,flaky']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL seed 1: transcripts differ; reproducer fuzz-failures\/fuzz-1.pidns\n--- model\n\+\+\+ flaky\n/);
    const text = r.files.get('fuzz-failures/fuzz-1.pidns')!;
    expect(text).toMatch(/^# pidns fuzz: seed 1, backends model,flaky\n# nondeterministic: differed, then agreed when run again; not shrunk \(\d+ steps\)/);
    expect(text.endsWith(await generateScenario(1))).toBe(true);
  });

  it('an unavailable backend: skipped (once), exit 0; PIDNS_REQUIRE_KERNEL=1: exit 2', async () => {
    expect(await cli(['fuzz', '--count', '5', '--backends', 'model,nokernel'])).toMatchObject({
      code: 0,
      out: 'SKIP kernel backend unavailable: not root\n0 generated, 0 differ, 5 skipped\n',
      err: '',
    });
    expect(await cli(['fuzz', '--count', '5', '--backends', 'model,nokernel'], { env: { PIDNS_REQUIRE_KERNEL: '1' } })).toMatchObject({
      code: 2,
      out: '0 generated, 0 differ, 5 skipped\n',
      err: 'error: backend nokernel: kernel backend unavailable: not root (PIDNS_REQUIRE_KERNEL=1)\n',
    });
  });

  it('without a place to write, the reproducer is printed', async () => {
    let out = '';
    const io: Io = {
      out: (t) => {
        out += t;
      },
      err: () => undefined,
      readFile: () => Promise.reject(new Error('unused')),
    };
    expect(await main(['fuzz', '--seed', '1', '--count', '30', '--backends', 'model,buggy'], io)).toBe(1);
    expect(out).toMatch(/^FAIL seed \d+: transcripts differ\n# pidns fuzz: seed \d+, backends model,buggy\n/m);
  });

  it.each([
    [['fuzz', '--seed'], 'option --seed needs a value'],
    [['fuzz', '--seed', 'x'], '--seed needs an integer from 0 to 9007199254740991, got x'],
    [['fuzz', '--count', '0'], '--count needs an integer from 1 to 9007199254740991, got 0'],
    [['fuzz', '--count', '-3'], 'option --count needs a value, got the option -3 (write --count=-3 if it is one)'],
    [['fuzz', '--seed', '9007199254740991', '--count', '2'], '--seed 9007199254740991 with --count 2 goes past 9007199254740991'],
    [['fuzz', '--out='], 'option --out needs a value'],
    [['fuzz', 'file.pidns'], 'unexpected argument file.pidns'],
    [['fuzz', '--fast'], 'unknown option --fast'],
    [['fuzz', '--backends', 'model,qemu'], 'unknown backend qemu (model, kernel, buggy, nokernel, crashy, flaky)'],
  ])('%j: usage error, exit 2', async (argv, reason) => {
    expect(await cli(argv)).toMatchObject({ code: 2, out: '', err: `error: ${reason}; usage: ${FUZZ_SPEC.usage} (pidns fuzz --help)\n` });
  });

  it('--json: findings and the summary as objects with a version', async () => {
    const r = await cli(['fuzz', '--json', '--seed', '1', '--count', '30', '--backends', 'model,buggy']);
    const objects = r.out.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objects.every((o) => o['version'] === 1)).toBe(true);
    const findings = objects.filter((o) => o['type'] === 'finding');
    expect(findings.length).toBeGreaterThan(0);
    expect(findings[0]).toMatchObject({ kind: 'differ', reproducer: expect.stringMatching(/^fuzz-failures\/fuzz-\d+\.pidns$/) as unknown });
    expect(objects.at(-1)).toEqual({ version: 1, type: 'summary', generated: 30, differ: findings.length, skipped: 0 });
  });

  it('--help', async () => {
    const r = await cli(['fuzz', '-h']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Usage: pidns fuzz/);
  });
});

describe('pidns fuzz checks the model', () => {
  it('runs the invariant checker and the failed-call check on every generated scenario, and a violation is exit 3 with the seed', async () => {
    checks.calls = 0;
    const ok = await cli(['fuzz', '--seed', '1', '--count', '3', '--backends', 'model,model']);
    expect(ok.code).toBe(0);
    expect(checks.calls).toBeGreaterThan(30); // at least 10 steps per scenario
    checks.plant = true;
    try {
      const bad = await cli(['fuzz', '--seed', '7', '--count', '3', '--backends', 'model,model']);
      expect(bad.code).toBe(3);
      expect(bad.err).toBe('error: seed 7: internal error: the model failed its own checks: invariant violated:   planted\n');
    } finally {
      checks.plant = false;
    }
  });
});
