// `pidns fuzz`: random scenarios (generated with the model as a guide) run on
// two backends; each one whose transcripts differ is shrunk to a small
// reproducer and written out as a scenario file, ready for `pidns diff`.

import { ScenarioError, type Script } from '../scenario/ast.js';
import { generateScenario } from '../scenario/fuzz.js';
import { shrink } from '../scenario/shrink.js';
import { parseScenario } from '../scenario/parser.js';
import { Comparer, type Comparison } from './compare.js';
import { isOption, optionValue, parseBackendPair, Progress } from './diff.js';
import { answerParse, Exit, isParseOutcome } from './exit.js';
import type { Io } from './io.js';
import type { LiveBackends } from './live.js';

export const HELP_FUZZ = `Usage: pidns fuzz [--seed S] [--count N] [--out DIR] [--backends A,B]

Generates N random scenarios (seeds S, S+1, ..., S+N-1; the same seed always
gives the same scenario) and runs each on two backends. Every scenario whose
transcripts differ is shrunk to a minimal one that still differs and written
to DIR/fuzz-SEED.pidns, with its diff printed. The last line is
"N generated, N differ".

  --seed S          the first seed (default 1)
  --count N         how many scenarios (default 100)
  --out DIR         where reproducers go (default fuzz-failures)
  --backends A,B    the two backends (default model,kernel)

A backend that is unavailable here ("kernel backend unavailable: ...") skips
the run; with PIDNS_REQUIRE_KERNEL=1 it fails.

Exit status: 0 none differ, 1 some differ, 2 bad input (usage, a backend that
cannot start), 3 a backend crashed. Interrupted: 130 (SIGINT), 143 (SIGTERM).
`;

interface FuzzOptions {
  readonly seed: number;
  readonly count: number;
  readonly out: string;
  readonly backends: readonly [string, string];
}

function integerOption(name: string, value: string | undefined, min: number): number | { usageError: string } {
  if (value === undefined || !/^-?[0-9]+$/.test(value)) return { usageError: `${name} needs an integer${value === undefined ? '' : `, got ${value}`}` };
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) return { usageError: `${name} must be at least ${min}, got ${value}` };
  return n;
}

function parseFuzzArgs(args: readonly string[]): FuzzOptions | { readonly help: string } | { readonly usageError: string } {
  let seed = 1;
  let count = 100;
  let out = 'fuzz-failures';
  let backends: readonly [string, string] = ['model', 'kernel'];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--help' || arg === '-h') return { help: HELP_FUZZ };
    if (isOption(arg, '--seed') || isOption(arg, '--count')) {
      const name = arg.startsWith('--seed') ? '--seed' : '--count';
      const { value, next } = optionValue(args, i, name);
      i = next;
      const n = integerOption(name, value, name === '--seed' ? 0 : 1);
      if (typeof n !== 'number') return n;
      if (name === '--seed') seed = n;
      else count = n;
    } else if (isOption(arg, '--out')) {
      const { value, next } = optionValue(args, i, '--out');
      i = next;
      if (value === undefined || value === '') return { usageError: '--out needs a directory' };
      out = value;
    } else if (isOption(arg, '--backends')) {
      const { value, next } = optionValue(args, i, '--backends');
      i = next;
      const pair = parseBackendPair(value);
      if ('usageError' in pair) return pair;
      backends = pair;
    } else {
      return { usageError: `unknown ${arg.startsWith('-') ? 'option' : 'argument'} ${arg} for fuzz (pidns fuzz --help)` };
    }
  }
  return { seed, count, out, backends };
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
    progress.show(`[${i + 1}/${opts.count}] seed ${seed}`);
    const text = await generateScenario(seed, { file });
    const script = parse(text, file);
    if (script === null) throw new Error(`fuzz: the generator wrote a scenario that does not parse (seed ${seed})`);
    const c = await comparer.compare(script);
    if (c.kind === 'skipped') {
      // The backend will not come back: the rest are skipped too.
      progress.clear();
      skipped = opts.count - i;
      io.out(`SKIP ${c.reason}\n`);
      break;
    }
    if (c.kind === 'broken' && c.startup) {
      progress.clear();
      io.err(`error: backend ${c.backend}: ${c.message}\n`);
      worst = Exit.BadInput;
      skipped = opts.count - i;
      break;
    }
    generated++;
    if (!isFinding(c)) continue;
    differ++;
    progress.clear();
    const found = await reduce(text, file, c, comparer);
    const path = `${opts.out.replace(/\/+$/, '')}/${file}`;
    const header = [`# pidns fuzz: seed ${seed}, backends ${pair}`, `# ${found.note}; reproduce with: pidns diff ${path} --backends ${pair}`, ''];
    const reproducer = header.map((l) => `${l}\n`).join('') + found.text;
    const shown = found.comparison;
    const kind = shown.kind === 'broken' ? `backend ${shown.backend} crashed: ${shown.message}` : 'transcripts differ';
    if (io.writeFile === undefined) {
      io.out(`FAIL seed ${seed}: ${kind}\n${reproducer}`);
    } else {
      await io.writeFile(path, reproducer);
      io.out(`FAIL seed ${seed}: ${kind}; reproducer ${path}\n`);
    }
    if (shown.kind === 'differ') for (const line of shown.diff) io.out(`${line}\n`);
    const status = shown.kind === 'broken' ? Exit.Internal : Exit.Mismatch;
    if (status > worst) worst = status;
  }
  progress.clear();
  io.out(`${generated} generated, ${differ} differ${skipped > 0 ? `, ${skipped} skipped` : ''}\n`);
  return worst;
}
