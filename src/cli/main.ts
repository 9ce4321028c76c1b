// The `pidns` command: `run` prints one scenario's transcript, `check` runs
// many and reports the expectations they fail. Exit status: 0 all well,
// 1 an expectation failed, 2 the input is wrong (usage, an unreadable file,
// a scenario error, a backend that cannot start), 3 an internal error.

import { ScenarioError, type Script } from '../scenario/ast.js';
import type { Backend } from '../scenario/backend.js';
import { parseScenario } from '../scenario/parser.js';
import { runScenario, type Mismatch, type RunResult } from '../scenario/run.js';
import type { TranscriptEntry } from '../scenario/transcript.js';
import { backendFactory, backendNames } from './backends.js';
import { diffCommand } from './diff.js';
import { answerParse, Exit, isParseOutcome } from './exit.js';
import { fuzzCommand } from './fuzz.js';
import { hostCommand } from './host.js';
import { loadSnapshot } from './snapshot_file.js';
import { formatSnapshotError, fromJSON, toJSON } from '../snapshot/index.js';
import { ModelBackend } from '../scenario/model_backend.js';
import { nodeIo, readFailure, type Io } from './io.js';
import { LiveBackends } from './live.js';
import { mismatchReport } from './report.js';
import { vizCommand } from './viz.js';
import { importCommand, replayCommand, traceCommand } from './trace.js';

export { Exit } from './exit.js';

const HELP_MAIN = `pidns: scenarios of Linux PID namespaces, run on the model or the real kernel

Usage:
  pidns run FILE [--json] [--backend NAME] [--from-snapshot S]
                                             print FILE's transcript
  pidns check FILE... [--backend NAME]       run the files, report failed expectations
  pidns diff FILE|DIR... [--backends A,B]    compare two backends' transcripts
  pidns fuzz [--seed S] [--count N] [--out DIR] [--backends A,B]
                                             compare them on random scenarios
  pidns viz [FILE] [--port N] | --out DIR    the visualizer, on 127.0.0.1
  pidns host tree|ps|translate [--json]      the live machine's PID namespaces
  pidns trace [-o FILE] -- CMD [ARG...]      record CMD with strace in a fresh PID namespace
  pidns import TRACE [-o FILE.pidns]         an strace log as a scenario
  pidns replay TRACE... [--json]             run traces on the model, compare with the trace
  pidns COMMAND --help                       help on one command

Backends: model (default), kernel (the real kernel; needs root).
Exit status: 0 ok, 1 an expectation failed or transcripts differ, 2 bad input,
3 internal error, 130/143 interrupted (SIGINT/SIGTERM).
`;

const HELP_RUN = `Usage: pidns run FILE [--json] [--backend NAME]

Runs the scenario FILE and prints its transcript on standard output.
Failed expectations are reported on standard error.

  --json            one JSON object per line instead of the transcript
  --backend NAME    model (default) or kernel
  --from-snapshot FILE
                    start the model from a snapshot (pidns host snapshot);
                    its tasks are actors hN, N their number in the root namespace

Exit status: 0 ok, 1 an expectation failed, 2 bad input, 3 internal error.
`;

const HELP_CHECK = `Usage: pidns check FILE... [--backend NAME]

Runs each scenario FILE, prints a diff for every file whose written
expectations fail, then a line "N passed, N failed".

  --backend NAME    model (default) or kernel
  --from-snapshot FILE
                    start the model from a snapshot (see pidns run --help)

Exit status: 0 all passed, 1 an expectation failed, 2 bad input, 3 internal error.
`;

interface Options {
  readonly command: 'run' | 'check';
  readonly files: readonly string[];
  readonly json: boolean;
  readonly backend: string;
  /** --from-snapshot FILE: start the model from a snapshot instead of the default start state. */
  readonly fromSnapshot: string | null;
}

type Parsed = Options | { readonly help: string } | { readonly usageError: string };

function parseArgs(argv: readonly string[]): Parsed {
  const [command, ...rest] = argv;
  if (command === undefined) return { usageError: 'no command (pidns --help)' };
  if (command === '--help' || command === '-h') return { help: HELP_MAIN };
  if (command !== 'run' && command !== 'check') return { usageError: `unknown command ${command} (pidns --help)` };
  const files: string[] = [];
  let json = false;
  let backend = 'model';
  let onlyFiles = false;
  let fromSnapshot: string | null = null;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (onlyFiles || !arg.startsWith('-') || arg === '-') {
      files.push(arg);
    } else if (arg === '--') {
      onlyFiles = true;
    } else if (arg === '--help' || arg === '-h') {
      return { help: command === 'run' ? HELP_RUN : HELP_CHECK };
    } else if (arg === '--json' && command === 'run') {
      json = true;
    } else if (arg === '--from-snapshot') {
      const value = rest[++i];
      if (value === undefined || value === '') return { usageError: '--from-snapshot needs a FILE' };
      fromSnapshot = value;
    } else if (arg === '--backend' || arg.startsWith('--backend=')) {
      const value = arg === '--backend' ? rest[++i] : arg.slice('--backend='.length);
      if (value === undefined || value === '') return { usageError: '--backend needs a name (model or kernel)' };
      if (backendFactory(value) === undefined) return { usageError: `unknown backend ${value} (${backendNames().join(', ')})` };
      backend = value;
    } else {
      return { usageError: `unknown option ${arg} for ${command} (pidns ${command} --help)` };
    }
  }
  if (command === 'run' && files.length !== 1) return { usageError: `run takes one FILE, got ${files.length} (pidns run --help)` };
  if (command === 'check' && files.length === 0) return { usageError: 'check needs at least one FILE (pidns check --help)' };
  if (fromSnapshot !== null && backend !== 'model') return { usageError: '--from-snapshot runs on the model backend only' };
  return { command, files, json, backend, fromSnapshot };
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Reads and parses a file; on failure reports it and says with which exit status. */
async function load(file: string, io: Io): Promise<Script | Exit> {
  let text: string;
  try {
    text = await io.readFile(file);
  } catch (e) {
    io.err(`error: ${file}: ${readFailure(e)}\n`);
    return Exit.BadInput;
  }
  try {
    return parseScenario(text, file);
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    io.err(`error: ${e.message}\n`);
    return Exit.BadInput;
  }
}

async function makeBackend(name: string, io: Io, live: LiveBackends, fromSnapshot: string | null = null): Promise<Backend | Exit> {
  if (fromSnapshot !== null) {
    const first = await loadSnapshot(fromSnapshot);
    if (!first.ok) {
      io.err(`error: ${first.message}\n`);
      return Exit.BadInput;
    }
    const json = toJSON(first.kernel);
    return live.add(
      new ModelBackend({
        startFrom: () => {
          const r = fromJSON(json);
          if (!r.ok) throw new Error(`snapshot ${fromSnapshot}: ${formatSnapshotError(r.error)}`);
          return r.kernel;
        },
      }),
    );
  }
  try {
    return live.add(backendFactory(name)!());
  } catch (e) {
    io.err(`error: backend ${name}: ${messageOf(e)}\n`);
    return Exit.BadInput;
  }
}

/** Runs a script; a scenario error or a crash is reported and turned into an exit status. */
async function execute(
  script: Script,
  backend: Backend,
  io: Io,
  opts: Parameters<typeof runScenario>[2],
  onScenarioError?: (e: ScenarioError) => void,
): Promise<RunResult | Exit> {
  try {
    return await runScenario(script, backend, opts);
  } catch (e) {
    if (e instanceof ScenarioError) {
      onScenarioError?.(e);
      io.err(`error: ${e.message}\n`);
      return Exit.BadInput;
    }
    io.err(`error: ${script.file}: internal error: ${messageOf(e)}\n`);
    return Exit.Internal;
  }
}

/** The --json form of an entry: positions as line and col. */
function jsonEntry(entry: TranscriptEntry): Record<string, unknown> {
  const { type, pos, ...rest } = entry;
  return { type, line: pos.line, col: pos.col, ...rest };
}

function jsonMismatch(m: Mismatch): Record<string, unknown> {
  return {
    type: 'mismatch',
    line: m.pos.line,
    col: m.pos.col,
    step: m.step,
    rounds: m.rounds.map((r) => ({ index: r.index, count: r.count, line: r.pos.line })),
    expected: m.expected,
    actual: m.actual,
  };
}

async function runCommand(opts: Options, io: Io, live: LiveBackends): Promise<Exit> {
  const file = opts.files[0]!;
  const script = await load(file, io);
  if (typeof script === 'number') return script;
  const backend = await makeBackend(opts.backend, io, live, opts.fromSnapshot);
  if (typeof backend === 'number') return backend;
  const json = (value: Record<string, unknown>): void => {
    io.out(`${JSON.stringify(value)}\n`);
  };
  const result = opts.json
    ? await execute(
        script,
        backend,
        io,
        {
          onEntry: (e) => {
            json(jsonEntry(e));
          },
        },
        (e) => {
          json({ type: 'error', file: e.file, line: e.pos.line, col: e.pos.col, message: e.detail });
        },
      )
    : await execute(script, backend, io, {
        onLine: (l) => {
          io.out(`${l}\n`);
        },
      });
  live.release(backend);
  if (typeof result === 'number') return result;
  if (opts.json) {
    for (const m of result.mismatches) json(jsonMismatch(m));
    json({ type: 'summary', mismatches: result.mismatches.length });
  } else if (result.mismatches.length > 0) {
    for (const line of mismatchReport(result.mismatches)) io.err(`${line}\n`);
    const n = result.mismatches.length;
    io.err(`${n} expectation${n === 1 ? '' : 's'} failed\n`);
  }
  return result.mismatches.length > 0 ? Exit.Mismatch : Exit.Ok;
}

async function checkCommand(opts: Options, io: Io, live: LiveBackends): Promise<Exit> {
  let passed = 0;
  let failed = 0;
  let worst: Exit = Exit.Ok;
  for (const file of opts.files) {
    const status = await checkFile(file, opts.backend, io, live, opts.fromSnapshot);
    if (status === Exit.Ok) passed++;
    else failed++;
    if (status > worst) worst = status;
  }
  io.out(`${passed} passed, ${failed} failed\n`);
  return worst;
}

async function checkFile(file: string, backendName: string, io: Io, live: LiveBackends, fromSnapshot: string | null): Promise<Exit> {
  const script = await load(file, io);
  if (typeof script === 'number') return script;
  const backend = await makeBackend(backendName, io, live, fromSnapshot);
  if (typeof backend === 'number') return backend;
  const result = await execute(script, backend, io, {});
  live.release(backend);
  if (typeof result === 'number') return result;
  if (result.mismatches.length === 0) return Exit.Ok;
  io.out(`FAIL ${file}\n`);
  for (const line of mismatchReport(result.mismatches)) io.out(`${line}\n`);
  return Exit.Mismatch;
}

/**
 * The CLI: returns the exit status; `io` is Node's by default. While a
 * command has a kernel backend open, SIGINT and SIGTERM close it before the
 * process ends (130, 143).
 */
export async function main(argv: readonly string[], io: Io = nodeIo): Promise<number> {
  const [command, ...rest] = argv;
  const live = new LiveBackends(io.onInterrupt?.bind(io));
  try {
    if (command === 'diff') return await diffCommand(rest, io, live);
    if (command === 'fuzz') return await fuzzCommand(rest, io, live);
    if (command === 'viz') return await vizCommand(rest, io);
    if (command === 'host') return await hostCommand(rest, io);
    if (command === 'trace') return await traceCommand(rest, io);
    if (command === 'import') return await importCommand(rest, io);
    if (command === 'replay') return await replayCommand(rest, io);
    const parsed = parseArgs(argv);
    if (isParseOutcome(parsed)) return answerParse(parsed, io);
    return await (parsed.command === 'run' ? runCommand(parsed, io, live) : checkCommand(parsed, io, live));
  } finally {
    live.dispose();
  }
}
