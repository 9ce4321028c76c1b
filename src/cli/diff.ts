// `pidns diff`: runs scenario files on two backends (the model and the real
// kernel by default) and prints a unified diff of the transcripts wherever
// they differ. The kernel is the oracle; a file that differs is a bug in one
// of them (or a nondeterministic scenario).

import { ScenarioError, type Script } from '../scenario/ast.js';
import { parseScenario } from '../scenario/parser.js';
import { backendFactory, backendNames } from './backends.js';
import { Comparer, type Comparison } from './compare.js';
import { isParseOutcome, parseCommand, quoteArg, usageError, type CommandSpec, type ParseOutcome } from './args.js';
import { colorsFor, diffLine, summaryLine } from './color.js';
import { answerParse, Exit } from './exit.js';
import { readFailure, STDIN, type Io } from './io.js';
import { JSON_VERSION, resultFields, type ResultFields } from './json.js';
import { Progress } from './progress.js';
import type { LiveBackends } from './live.js';

export const DIFF_SPEC = {
  name: 'diff',
  usage: 'pidns diff [--json] [--backends A,B] FILE|DIR...',
  help: `Usage: pidns diff [--json] [--backends A,B] FILE|DIR...

Runs each scenario on two backends, each run on a fresh backend, and prints a
unified diff (--- A, +++ B) of the transcripts of every file where they differ.
Directories are searched recursively for *.pidns files; - is standard input.
A scenario error is part of the transcript: both sides stopping with the same
error agree.

  --backends A,B    the two backends (default model,kernel)
  --json            one JSON object per file, then a summary (docs/cli.md)

A backend that is unavailable here ("kernel backend unavailable: ...", e.g.
not root) makes the file skipped; with PIDNS_REQUIRE_KERNEL=1 it fails.
The last line is "N passed, N failed" (and ", N skipped"). On a terminal a
progress line (count, rate, estimate) is drawn on standard error.

Exit status: 0 none failed, 1 transcripts differ, 2 bad input (usage, an
unreadable path, a syntax error, a backend that cannot start), 3 a backend
crashed. Interrupted: 130 (SIGINT), 143 (SIGTERM), after closing the backend.
`,
  options: { backends: { type: 'string' }, json: { type: 'boolean' } },
  positionals: { min: 1, max: Infinity, name: 'FILE|DIR' },
} as const satisfies CommandSpec;

/** `--backends A,B`: exactly two registered names. */
export function parseBackendPair(spec: CommandSpec, value: string): readonly [string, string] | { readonly usageError: string } {
  const names = value.split(',');
  if (names.length !== 2 || names.some((n) => n === '')) return usageError(spec, `--backends takes two names A,B, got ${quoteArg(value)}`);
  for (const n of names) {
    if (backendFactory(n) === undefined) return usageError(spec, `unknown backend ${quoteArg(n)} (${backendNames().join(', ')})`);
  }
  return [names[0]!, names[1]!];
}

interface DiffOptions {
  readonly paths: readonly string[];
  readonly backends: readonly [string, string];
  readonly json: boolean;
}

function parseDiffArgs(args: readonly string[]): DiffOptions | ParseOutcome {
  const parsed = parseCommand(DIFF_SPEC, args);
  if (isParseOutcome(parsed)) return parsed;
  const pair = parseBackendPair(DIFF_SPEC, parsed.values.backends ?? 'model,kernel');
  if ('usageError' in pair) return pair;
  if (parsed.positionals.filter((p) => p === STDIN).length > 1) return usageError(DIFF_SPEC, 'standard input (-) can be read once');
  return { paths: parsed.positionals, backends: pair, json: parsed.values.json === true };
}

/** A path's scenario files: itself if a file, else every *.pidns below it, sorted. */
export async function expandPath(path: string, io: Io): Promise<string[]> {
  if (path === STDIN) return [path];
  const kind = io.stat === undefined ? 'file' : await io.stat(path);
  if (kind === 'file') return [path];
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const names = io.readDir === undefined ? [] : await io.readDir(dir);
    for (const name of names) {
      const child = `${dir.replace(/\/+$/, '')}/${name}`;
      const childKind = io.stat === undefined ? 'file' : await io.stat(child);
      if (childKind === 'dir') await walk(child);
      else if (name.endsWith('.pidns')) found.push(child);
    }
  };
  await walk(path);
  return found.sort();
}

async function loadScript(file: string, io: Io): Promise<Script | string> {
  let text: string;
  try {
    text = await io.readFile(file);
  } catch (e) {
    return `${file}: ${readFailure(e)}`;
  }
  try {
    return parseScenario(text, file);
  } catch (e) {
    if (e instanceof ScenarioError) return e.message;
    throw e;
  }
}

/** One file's result under diff --json. */
function jsonComparison(file: string, backends: readonly [string, string], c: Comparison): Record<string, unknown> {
  const base = { version: JSON_VERSION, type: 'file', file, backends };
  switch (c.kind) {
    case 'same':
      return { ...base, status: 'same' };
    case 'differ': {
      // The first line where they part, and each side's result there as fields when it is a call's.
      const outcome = (line: string | null): ResultFields | null => {
        const m = line === null ? null : / = (.*)$/.exec(line);
        return m === null ? null : resultFields(m[1]!);
      };
      return { ...base, status: 'differ', first: { ...c.first, aOutcome: outcome(c.first.a), bOutcome: outcome(c.first.b) }, diff: c.diff };
    }
    case 'skipped':
      return { ...base, status: 'skipped', backend: c.backend, reason: c.reason };
    case 'broken':
      return { ...base, status: 'error', backend: c.backend, startup: c.startup, message: c.message };
  }
}

export async function diffCommand(args: readonly string[], io: Io, live: LiveBackends): Promise<Exit> {
  const parsed = parseDiffArgs(args);
  if (isParseOutcome(parsed)) return answerParse(parsed, io);
  const c = colorsFor(io);
  const json = (value: Record<string, unknown>): void => {
    io.out(`${JSON.stringify(value)}\n`);
  };
  let worst: Exit = Exit.Ok;
  const fail = (status: Exit): void => {
    if (status > worst) worst = status;
  };
  let failed = 0;
  const files: string[] = [];
  for (const path of parsed.paths) {
    try {
      files.push(...(await expandPath(path, io)));
    } catch (e) {
      const message = `${path}: ${readFailure(e)}`;
      io.err(`error: ${message}\n`);
      if (parsed.json) json({ version: JSON_VERSION, type: 'file', file: path, status: 'error', message });
      failed++;
      fail(Exit.BadInput);
    }
  }
  const comparer = new Comparer(parsed.backends, { requireAvailable: io.env?.['PIDNS_REQUIRE_KERNEL'] === '1', live });
  const progress = new Progress(io);
  let passed = 0;
  let skipped = 0;
  for (const [index, file] of files.entries()) {
    progress.show(index, files.length, file);
    const script = await loadScript(file, io);
    if (typeof script === 'string') {
      progress.clear();
      io.err(`error: ${script}\n`);
      if (parsed.json) json({ version: JSON_VERSION, type: 'file', file, status: 'error', message: script });
      failed++;
      fail(Exit.BadInput);
      continue;
    }
    const cmp: Comparison = await comparer.compare(script);
    progress.clear();
    if (parsed.json) json(jsonComparison(file, parsed.backends, cmp));
    switch (cmp.kind) {
      case 'same':
        passed++;
        break;
      case 'differ':
        failed++;
        fail(Exit.Mismatch);
        if (parsed.json) break;
        io.out(`${c.red(`FAIL ${file}`)}\n`);
        for (const line of cmp.diff) io.out(`${diffLine(c, line)}\n`);
        break;
      case 'skipped':
        skipped++;
        if (!parsed.json) io.out(`${c.yellow(`SKIP ${file}`)}: ${cmp.reason}\n`);
        break;
      case 'broken':
        failed++;
        fail(cmp.startup ? Exit.BadInput : Exit.Internal);
        io.err(`error: ${file}: backend ${cmp.backend}: ${cmp.message}\n`);
        break;
    }
  }
  progress.clear();
  if (parsed.json) json({ version: JSON_VERSION, type: 'summary', passed, failed, skipped });
  else io.out(`${summaryLine(c, passed, failed, skipped)}\n`);
  return worst;
}
