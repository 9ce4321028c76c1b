// `pidns fuzz`: random scenarios (generated with the model as a guide) run on
// two backends; each one whose transcripts differ is shrunk to a small
// reproducer and written out as a scenario file, ready for `pidns diff`.

import { ScenarioError, type Script } from '../scenario/ast.js';
import { generateScenario } from '../scenario/fuzz.js';
import { shrink } from '../scenario/shrink.js';
import { parseScenario } from '../scenario/parser.js';
import { Comparer, type Comparison } from './compare.js';
import { integerValue, isParseOutcome, parseCommand, usageError, type CommandSpec, type ParseOutcome } from './args.js';
import { colorsFor, diffLine } from './color.js';
import { parseBackendPair } from './diff.js';
import { answerParse, Exit } from './exit.js';
import { writeFailure, type Io } from './io.js';
import { JSON_VERSION } from './json.js';
import { Progress } from './progress.js';
import type { LiveBackends } from './live.js';

export const FUZZ_SPEC = {
  name: 'fuzz',
  usage: 'pidns fuzz [--json] [--seed S] [--count N] [--out DIR] [--backends A,B]',
  help: `Usage: pidns fuzz [--json] [--seed S] [--count N] [--out DIR] [--backends A,B]

Generates N random scenarios (seeds S, S+1, ..., S+N-1; the same seed always
gives the same scenario) and runs each on two backends. Every scenario whose
transcripts differ is shrunk to a minimal one that still differs and written
to DIR/fuzz-SEED.pidns, with its diff printed. The last line is
"N generated, N differ". On a terminal a progress line (count, rate,
estimate) is drawn on standard error.

  --seed S          the first seed (default 1)
  --count N         how many scenarios (default 100)
  --out DIR         where reproducers go (default fuzz-failures)
  --backends A,B    the two backends (default model,kernel)
  --json            one JSON object per finding, then a summary (docs/cli.md)

A backend that is unavailable here ("kernel backend unavailable: ...") skips
the run; with PIDNS_REQUIRE_KERNEL=1 it fails.

Exit status: 0 none differ, 1 some differ, 2 bad input (usage, a backend that
cannot start), 3 a backend crashed. Interrupted: 130 (SIGINT), 143 (SIGTERM).
`,
  options: { seed: { type: 'string' }, count: { type: 'string' }, out: { type: 'string' }, backends: { type: 'string' }, json: { type: 'boolean' } },
  positionals: { min: 0, max: 0, name: 'argument' },
} as const satisfies CommandSpec;

interface FuzzOptions {
  readonly seed: number;
  readonly count: number;
  readonly out: string;
  readonly backends: readonly [string, string];
  readonly json: boolean;
}

function parseFuzzArgs(args: readonly string[]): FuzzOptions | ParseOutcome {
  const parsed = parseCommand(FUZZ_SPEC, args);
  if (isParseOutcome(parsed)) return parsed;
  const { values } = parsed;
  const seed = integerValue(FUZZ_SPEC, 'seed', values.seed ?? '1', 0);
  if (typeof seed !== 'number') return seed;
  const count = integerValue(FUZZ_SPEC, 'count', values.count ?? '100', 1);
  if (typeof count !== 'number') return count;
  // Seeds past MAX_SAFE_INTEGER would repeat: refuse the run rather than lie about its seeds.
  if (seed > Number.MAX_SAFE_INTEGER - (count - 1)) return usageError(FUZZ_SPEC, `--seed ${seed} with --count ${count} goes past ${Number.MAX_SAFE_INTEGER}`);
  const backends = parseBackendPair(FUZZ_SPEC, values.backends ?? 'model,kernel');
  if ('usageError' in backends) return backends;
  return { seed, count, out: values.out ?? 'fuzz-failures', backends, json: values.json === true };
}

function parse(text: string, file: string): Script | null {
  try {
    return parseScenario(text, file);
  } catch (e) {
    if (e instanceof ScenarioError) return null;
    throw e;
  }
}

/** A finding worth a reproducer: the transcripts differ, or a backend crashed mid-run. */
function isFinding(c: Comparison): boolean {
  return c.kind === 'differ' || (c.kind === 'broken' && !c.startup);
}

function stepCount(text: string): number {
  return text.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#')).length;
}

/** A reproducer: its steps, the comparison that it shows, and a note on how it was found. */
interface Found {
  readonly text: string;
  readonly comparison: Comparison;
  readonly note: string;
}

/**
 * Confirms a finding and shrinks it. A scenario that agrees when run again is
 * nondeterministic (a race in a backend, or a scenario the kernel may order
 * either way): shrinking it would chase noise, so it is kept whole. A shrunk
 * scenario that no longer fails when checked is dropped for the original.
 */
async function reduce(text: string, file: string, first: Comparison, comparer: Comparer): Promise<Found> {
  const script = parse(text, file)!;
  const second = await comparer.compare(script);
  if (!isFinding(second)) return { text, comparison: first, note: `nondeterministic: differed, then agreed when run again; not shrunk (${stepCount(text)} steps)` };
  const small = await shrink(
    text,
    async (t) => {
      const s = parse(t, file);
      return s !== null && isFinding(await comparer.compare(s));
    },
    { file },
  );
  const check = parse(small, file);
  const final = check === null ? null : await comparer.compare(check);
  if (final === null || !isFinding(final)) return { text, comparison: second, note: `the shrunk form did not fail again; not shrunk (${stepCount(text)} steps)` };
  return { text: small, comparison: final, note: `shrunk from ${stepCount(text)} steps to ${stepCount(small)}` };
}

export async function fuzzCommand(args: readonly string[], io: Io, live: LiveBackends): Promise<Exit> {
  const opts = parseFuzzArgs(args);
  if (isParseOutcome(opts)) return answerParse(opts, io);
  const c = colorsFor(io);
  const json = (value: Record<string, unknown>): void => {
    io.out(`${JSON.stringify({ version: JSON_VERSION, ...value })}\n`);
  };
  const comparer = new Comparer(opts.backends, { requireAvailable: io.env?.['PIDNS_REQUIRE_KERNEL'] === '1', live });
  const progress = new Progress(io);
  const pair = opts.backends.join(',');
  let generated = 0;
  let differ = 0;
  let skipped = 0;
  let worst: Exit = Exit.Ok;
  for (let i = 0; i < opts.count; i++) {
    const seed = opts.seed + i;
    const file = `fuzz-${seed}.pidns`;
    progress.show(i, opts.count, `seed ${seed}`);
    const text = await generateScenario(seed, { file });
    const script = parse(text, file);
    if (script === null) throw new Error(`fuzz: the generator wrote a scenario that does not parse (seed ${seed})`);
    const cmp = await comparer.compare(script);
    if (cmp.kind === 'skipped') {
      // The backend will not come back: the rest are skipped too.
      progress.clear();
      skipped = opts.count - i;
      if (opts.json) json({ type: 'skipped', backend: cmp.backend, reason: cmp.reason });
      else io.out(`SKIP ${cmp.reason}\n`);
      break;
    }
    if (cmp.kind === 'broken' && cmp.startup) {
      progress.clear();
      io.err(`error: backend ${cmp.backend}: ${cmp.message}\n`);
      worst = Exit.BadInput;
      skipped = opts.count - i;
      break;
    }
    generated++;
    if (!isFinding(cmp)) continue;
    differ++;
    progress.clear();
    const found = await reduce(text, file, cmp, comparer);
    const path = `${opts.out.replace(/\/+$/, '')}/${file}`;
    const header = [`# pidns fuzz: seed ${seed}, backends ${pair}`, `# ${found.note}; reproduce with: pidns diff ${path} --backends ${pair}`, ''];
    const reproducer = header.map((l) => `${l}\n`).join('') + found.text;
    const shown = found.comparison;
    const kind = shown.kind === 'broken' ? `backend ${shown.backend} crashed: ${shown.message}` : 'transcripts differ';
    let written: string | null = null;
    if (io.writeFile !== undefined) {
      try {
        await io.writeFile(path, reproducer);
        written = path;
      } catch (e) {
        // The finding still counts: it is printed whole instead, and the run goes on.
        io.err(`error: --out ${opts.out}: ${writeFailure(e)}; the reproducer is printed instead\n`);
      }
    }
    if (opts.json) {
      json({
        type: 'finding',
        seed,
        kind: shown.kind === 'broken' ? 'crashed' : 'differ',
        note: found.note,
        reproducer: written,
        text: found.text,
        ...(shown.kind === 'broken' ? { backend: shown.backend, message: shown.message } : shown.kind === 'differ' ? { first: shown.first, diff: shown.diff } : {}),
      });
    } else {
      if (written === null) io.out(`${c.red(`FAIL seed ${seed}`)}: ${kind}\n${reproducer}`);
      else io.out(`${c.red(`FAIL seed ${seed}`)}: ${kind}; reproducer ${written}\n`);
      if (shown.kind === 'differ') for (const line of shown.diff) io.out(`${diffLine(c, line)}\n`);
    }
    const status = shown.kind === 'broken' ? Exit.Internal : Exit.Mismatch;
    if (status > worst) worst = status;
  }
  progress.clear();
  if (opts.json) json({ type: 'summary', generated, differ, skipped });
  else io.out(`${generated} generated, ${differ} differ${skipped > 0 ? `, ${skipped} skipped` : ''}\n`);
  return worst;
}
