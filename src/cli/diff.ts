// `pidns diff`: runs scenario files on two backends (the model and the real
// kernel by default) and prints a unified diff of the transcripts wherever
// they differ. The kernel is the oracle; a file that differs is a bug in one
// of them (or a nondeterministic scenario).

import { ScenarioError, type Script } from '../scenario/ast.js';
import { parseScenario } from '../scenario/parser.js';
import { backendFactory, backendNames } from './backends.js';
import { Comparer, type Comparison } from './compare.js';
import { answerParse, Exit, isParseOutcome } from './exit.js';
import { readFailure, type Io } from './io.js';
import type { LiveBackends } from './live.js';

export const HELP_DIFF = `Usage: pidns diff FILE|DIR... [--backends A,B]

Runs each scenario on two backends, each run on a fresh backend, and prints a
unified diff (--- A, +++ B) of the transcripts of every file where they differ.
Directories are searched recursively for *.pidns files. A scenario error is
part of the transcript: both sides stopping with the same error agree.

  --backends A,B    the two backends (default model,kernel)

A backend that is unavailable here ("kernel backend unavailable: ...", e.g.
not root) makes the file skipped; with PIDNS_REQUIRE_KERNEL=1 it fails.
The last line is "N passed, N failed" (and ", N skipped").

Exit status: 0 none failed, 1 transcripts differ, 2 bad input (usage, an
unreadable path, a syntax error, a backend that cannot start), 3 a backend
crashed. Interrupted: 130 (SIGINT), 143 (SIGTERM), after closing the backend.
`;

/** `--backends A,B`: exactly two registered names. */
export function parseBackendPair(value: string | undefined): readonly [string, string] | { readonly usageError: string } {
  if (value === undefined || value === '') return { usageError: '--backends needs two names, e.g. --backends model,kernel' };
  const names = value.split(',');
  if (names.length !== 2 || names.some((n) => n === '')) return { usageError: `--backends takes two names A,B, got ${value}` };
  for (const n of names) {
    if (backendFactory(n) === undefined) return { usageError: `unknown backend ${n} (${backendNames().join(', ')})` };
  }
  return [names[0]!, names[1]!];
}

/** Reads an option's value: `--name VALUE` or `--name=VALUE`; undefined when missing. */
export function optionValue(args: readonly string[], i: number, name: string): { value: string | undefined; next: number } {
  const arg = args[i]!;
  if (arg === name) return { value: args[i + 1], next: i + 1 };
  return { value: arg.slice(name.length + 1), next: i };
}

/** Whether args[i] is the option `name`, alone or as `name=VALUE`. */
export function isOption(arg: string, name: string): boolean {
  return arg === name || arg.startsWith(`${name}=`);
}

interface DiffOptions {
  readonly paths: readonly string[];
  readonly backends: readonly [string, string];
}

function parseDiffArgs(args: readonly string[]): DiffOptions | { readonly help: string } | { readonly usageError: string } {
  const paths: string[] = [];
  let backends: readonly [string, string] = ['model', 'kernel'];
  let onlyPaths = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (onlyPaths || !arg.startsWith('-') || arg === '-') {
      paths.push(arg);
    } else if (arg === '--') {
      onlyPaths = true;
    } else if (arg === '--help' || arg === '-h') {
      return { help: HELP_DIFF };
    } else if (isOption(arg, '--backends')) {
      const { value, next } = optionValue(args, i, '--backends');
      i = next;
      const pair = parseBackendPair(value);
      if ('usageError' in pair) return pair;
      backends = pair;
    } else {
      return { usageError: `unknown option ${arg} for diff (pidns diff --help)` };
    }
  }
  if (paths.length === 0) return { usageError: 'diff needs at least one FILE or DIR (pidns diff --help)' };
  return { paths, backends };
}

/** A path's scenario files: itself if a file, else every *.pidns below it, sorted. */
export async function expandPath(path: string, io: Io): Promise<string[]> {
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

/** A progress line, drawn over itself; only on a terminal. */
export class Progress {
  private shown = false;

  constructor(private readonly io: Io) {}

  show(text: string): void {
    if (this.io.stdoutIsTTY !== true) return;
    this.io.out(`\r\x1b[K${text}`);
    this.shown = true;
  }

  /** Erases the line before other output. */
  clear(): void {
    if (!this.shown) return;
    this.io.out('\r\x1b[K');
    this.shown = false;
  }
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

export async function diffCommand(args: readonly string[], io: Io, live: LiveBackends): Promise<Exit> {
  const parsed = parseDiffArgs(args);
  if (isParseOutcome(parsed)) return answerParse(parsed, io);
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
      io.err(`error: ${path}: ${readFailure(e)}\n`);
      failed++;
      fail(Exit.BadInput);
    }
  }
  const comparer = new Comparer(parsed.backends, { requireAvailable: io.env?.['PIDNS_REQUIRE_KERNEL'] === '1', live });
  const progress = new Progress(io);
  let passed = 0;
  let skipped = 0;
  for (const [index, file] of files.entries()) {
    progress.show(`[${index + 1}/${files.length}] ${file}`);
    const script = await loadScript(file, io);
    if (typeof script === 'string') {
      progress.clear();
      io.err(`error: ${script}\n`);
      failed++;
      fail(Exit.BadInput);
      continue;
    }
    const c: Comparison = await comparer.compare(script);
    if (c.kind !== 'same') progress.clear();
    switch (c.kind) {
      case 'same':
        passed++;
        break;
      case 'differ':
        failed++;
        fail(Exit.Mismatch);
        io.out(`FAIL ${file}\n`);
        for (const line of c.diff) io.out(`${line}\n`);
        break;
      case 'skipped':
        skipped++;
        io.out(`SKIP ${file}: ${c.reason}\n`);
        break;
      case 'broken':
        failed++;
        fail(c.startup ? Exit.BadInput : Exit.Internal);
        io.err(`error: ${file}: backend ${c.backend}: ${c.message}\n`);
        break;
    }
  }
  progress.clear();
  io.out(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}\n`);
  return worst;
}
