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
import { DIFF_SPEC, diffCommand, expandPath } from './diff.js';
import { answerParse, Exit } from './exit.js';
import { isParseOutcome, parseCommand, quoteArg, usageError, type CommandSpec, type ParseOutcome } from './args.js';
import { colorsFor, summaryLine } from './color.js';
import { JSON_VERSION, resultFields } from './json.js';
import { Progress } from './progress.js';
import { readFileSync } from 'node:fs';
import { FUZZ_SPEC, fuzzCommand } from './fuzz.js';
import { HOST_COMMANDS, HOST_SPEC } from './host.js';
import { loadSnapshot } from './snapshot_file.js';
import { captureEndState, saveEndState, snapshotOutWritable } from './snapshot_out.js';
import { formatSnapshotError, fromJSON, toJSON } from '../snapshot/index.js';
import { ModelBackend } from '../scenario/model_backend.js';
import { nodeIo, readFailure, STDIN, type Io } from './io.js';
import { LiveBackends } from './live.js';
import { mismatchReport, reportLine } from './report.js';
import { VIZ_SPEC, vizCommand } from './viz.js';
import { IMPORT_SPEC, importCommand, REPLAY_SPEC, replayCommand, TRACE_SPEC, traceCommand } from './trace.js';
import { RESTORE_COMMANDS } from './restore.js';

export { Exit } from './exit.js';

const RUN = {
  name: 'run',
  usage: 'pidns run [OPTIONS] FILE',
  help: `Usage: pidns run [OPTIONS] FILE

Runs the scenario FILE (- for standard input) and prints its transcript on
standard output. Failed expectations are reported on standard error.

  --json            one JSON object per line instead of the transcript
                    (docs/cli.md, "JSON output")
  --backend NAME    model (default) or kernel
  --from-snapshot S start the model from the snapshot S (pidns host snapshot);
                    its tasks are actors hN, N a task's number in the root
                    namespace
  --snapshot-out F  save the state the run ends in as snapshot F, atomically
                    (kernel: what /proc shows of ns0 and below, docs/restore.md)

Exit status: 0 ok, 1 an expectation failed, 2 bad input, 3 internal error.
`,
  options: { json: { type: 'boolean' }, backend: { type: 'string' }, 'from-snapshot': { type: 'string' }, 'snapshot-out': { type: 'string' } },
  positionals: { min: 1, max: 1, name: 'FILE' },
} as const satisfies CommandSpec;

const CHECK = {
  name: 'check',
  usage: 'pidns check [--json] [--backend NAME] [--from-snapshot S] FILE|DIR...',
  help: `Usage: pidns check [--json] [--backend NAME] [--from-snapshot S] FILE|DIR...

Runs each scenario FILE (a DIR: every *.pidns below it, sorted; - for
standard input), prints a diff for every file whose written expectations
fail, then a line "N passed, N failed".

  --json            one JSON object per file, then a summary (docs/cli.md)
  --backend NAME    model (default) or kernel
  --from-snapshot S start the model from the snapshot S (pidns run --help)

Exit status: 0 all passed, 1 an expectation failed, 2 bad input,
3 internal error.
`,
  options: { json: RUN.options.json, backend: RUN.options.backend, 'from-snapshot': RUN.options['from-snapshot'] },
  positionals: { min: 1, max: Infinity, name: 'FILE|DIR' },
} as const satisfies CommandSpec;

interface Options {
  readonly files: readonly string[];
  readonly json: boolean;
  readonly backend: string;
  /** --from-snapshot FILE: start the model from a snapshot instead of the default start state. */
  readonly fromSnapshot: string | null;
  readonly snapshotOut: string | null; // run --snapshot-out OUT: where to save the end state
}

function parseRunArgs(spec: typeof RUN | typeof CHECK, argv: readonly string[]): Options | ParseOutcome {
  const parsed = parseCommand(spec, argv);
  if (isParseOutcome(parsed)) return parsed;
  const { values, positionals } = parsed;
  const backend = values.backend ?? 'model';
  if (backendFactory(backend) === undefined) return usageError(spec, `unknown backend ${quoteArg(backend)} (${backendNames().join(', ')})`);
  const fromSnapshot = values['from-snapshot'] ?? null;
  if (fromSnapshot !== null && backend !== 'model') return usageError(spec, '--from-snapshot runs on the model backend only');
  if (positionals.filter((f) => f === STDIN).length + (fromSnapshot === STDIN ? 1 : 0) > 1) return usageError(spec, 'standard input (-) can be read once');
  const snapshotOut = 'snapshot-out' in values && typeof values['snapshot-out'] === 'string' ? values['snapshot-out'] : null;
  if (snapshotOut === STDIN) return usageError(spec, '--snapshot-out needs a file: standard output carries the transcript');
  return { files: positionals, json: values.json === true, backend, fromSnapshot, snapshotOut };
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

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
    return parseScenario(text, file === STDIN ? '<stdin>' : file);
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    io.err(`error: ${e.message}\n`);
    return Exit.BadInput;
  }
}

/** Snapshots already read by one command: check starts every file from the snapshot, and standard input can be read only once. */
type SnapshotCache = Map<string, ReturnType<typeof loadSnapshot>>;

async function makeBackend(name: string, io: Io, live: LiveBackends, fromSnapshot: string | null = null, cache: SnapshotCache = new Map()): Promise<Backend | Exit> {
  if (fromSnapshot !== null) {
    const loading = cache.get(fromSnapshot) ?? loadSnapshot(fromSnapshot, io);
    cache.set(fromSnapshot, loading);
    const first = await loading;
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

/** The --json form of an entry: positions as line and col; a call's result also as fields (`outcome`). */
function jsonEntry(entry: TranscriptEntry): Record<string, unknown> {
  const { type, pos, ...rest } = entry;
  const out: Record<string, unknown> = { version: JSON_VERSION, type, line: pos.line, col: pos.col, ...rest };
  if (entry.type === 'step') out['outcome'] = resultFields(entry.result);
  else if (entry.type === 'event') {
    const resumed = /^<\.\.\. \w+ resumed> = (.*)$/.exec(entry.text);
    if (resumed !== null) out['outcome'] = resultFields(resumed[1]!);
  }
  return out;
}

function jsonMismatch(m: Mismatch): Record<string, unknown> {
  const one = m.expected.length === 1 && m.actual.length === 1;
  return {
    type: 'mismatch',
    line: m.pos.line,
    col: m.pos.col,
    step: m.step,
    rounds: m.rounds.map((r) => ({ index: r.index, count: r.count, line: r.pos.line })),
    expected: m.expected,
    actual: m.actual,
    // A call step's expectation is one result: given as fields too, when it reads as one.
    ...(one && !m.step.startsWith('@') ? { expectedOutcome: resultFields(m.expected[0]!), actualOutcome: resultFields(m.actual[0]!) } : {}),
  };
}

async function runCommand(argv: readonly string[], io: Io, live: LiveBackends): Promise<Exit> {
  const opts = parseRunArgs(RUN, argv);
  if (isParseOutcome(opts)) return answerParse(opts, io);
  const file = opts.files[0]!;
  const script = await load(file, io);
  if (typeof script === 'number') return script;
  if (opts.snapshotOut !== null && !(await snapshotOutWritable(opts.snapshotOut, io))) return Exit.BadInput;
  const made = await makeBackend(opts.backend, io, live, opts.fromSnapshot);
  if (typeof made === 'number') return made;
  const capture = opts.snapshotOut === null ? null : captureEndState(made);
  const backend = capture?.backend ?? made;
  const json = (value: Record<string, unknown>): void => { io.out(`${JSON.stringify(value)}\n`); };
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
          json({ version: JSON_VERSION, type: 'error', file: e.file, line: e.pos.line, col: e.pos.col, message: e.detail });
        },
      )
    : await execute(script, backend, io, {
        onLine: (l) => {
          io.out(`${l}\n`);
        },
      });
  live.release(made);
  if (typeof result === 'number') return result;
  const saved = capture === null ? Exit.Ok : await saveEndState(opts.snapshotOut!, capture, io);
  if (saved !== Exit.Ok) return saved;
  if (opts.json) {
    for (const m of result.mismatches) json({ version: JSON_VERSION, ...jsonMismatch(m) });
    json({ version: JSON_VERSION, type: 'summary', mismatches: result.mismatches.length });
  } else if (result.mismatches.length > 0) {
    const c = colorsFor({ ...io, stdoutIsTTY: io.stderrIsTTY === true });
    for (const line of mismatchReport(result.mismatches)) io.err(`${reportLine(c, line)}\n`);
    const n = result.mismatches.length;
    io.err(`${c.red(`${n} expectation${n === 1 ? '' : 's'} failed`)}\n`);
  }
  return result.mismatches.length > 0 ? Exit.Mismatch : Exit.Ok;
}

/** One file's result under check --json. */
type CheckResult =
  | { readonly status: 'passed' }
  | { readonly status: 'failed'; readonly mismatches: readonly Mismatch[] }
  | { readonly status: 'error'; readonly exit: Exit; readonly message: string };

async function checkCommand(argv: readonly string[], io: Io, live: LiveBackends): Promise<Exit> {
  const opts = parseRunArgs(CHECK, argv);
  if (isParseOutcome(opts)) return answerParse(opts, io);
  const c = colorsFor(io);
  let passed = 0;
  let failed = 0;
  let worst: Exit = Exit.Ok;
  const files: string[] = [];
  const json = (value: Record<string, unknown>): void => { io.out(`${JSON.stringify({ version: JSON_VERSION, ...value })}\n`); };
  for (const path of opts.files) {
    try {
      files.push(...(await expandPath(path, io)));
    } catch (e) {
      const message = `${path}: ${readFailure(e)}`;
      io.err(`error: ${message}\n`);
      if (opts.json) json({ type: 'file', file: path, status: 'error', message });
      failed++;
      worst = Exit.BadInput;
    }
  }
  const progress = new Progress(io);
  const snapshots: SnapshotCache = new Map();
  for (const [index, file] of files.entries()) {
    progress.show(index, files.length, file);
    const r = await checkFile(file, opts.backend, io, live, opts.fromSnapshot, snapshots, () => {
      progress.clear();
    });
    progress.clear();
    const status = r.status === 'passed' ? Exit.Ok : r.status === 'failed' ? Exit.Mismatch : r.exit;
    if (status === Exit.Ok) passed++;
    else failed++;
    if (status > worst) worst = status;
    if (opts.json) {
      if (r.status === 'failed') json({ type: 'file', file, status: r.status, mismatches: r.mismatches.map(jsonMismatch) });
      else json({ type: 'file', file, ...r });
    } else if (r.status === 'failed') {
      io.out(`${c.red(`FAIL ${file}`)}\n`);
      for (const line of mismatchReport(r.mismatches)) io.out(`${reportLine(c, line)}\n`);
    }
  }
  if (opts.json) json({ type: 'summary', passed, failed });
  else io.out(`${summaryLine(c, passed, failed)}\n`);
  return worst;
}

async function checkFile(
  file: string,
  backendName: string,
  io: Io,
  live: LiveBackends,
  fromSnapshot: string | null,
  snapshots: SnapshotCache,
  beforeError: () => void,
): Promise<CheckResult> {
  // Errors still go to standard error as they happen (one line each); the
  // result carries the same text for --json.
  let message = '';
  const errIo: Io = {
    ...io,
    err: (t) => {
      beforeError();
      message += t;
      io.err(t);
    },
  };
  const text = (): string => message.replace(/^error: /, '').trimEnd();
  const script = await load(file, errIo);
  if (typeof script === 'number') return { status: 'error', exit: script, message: text() };
  const backend = await makeBackend(backendName, errIo, live, fromSnapshot, snapshots);
  if (typeof backend === 'number') return { status: 'error', exit: backend, message: text() };
  const result = await execute(script, backend, errIo, {});
  live.release(backend);
  if (typeof result === 'number') return { status: 'error', exit: result, message: text() };
  return result.mismatches.length === 0 ? { status: 'passed' } : { status: 'failed', mismatches: result.mismatches };
}

/** One command of the table: its grammar and what runs it (which parses argv against the grammar first). */
export interface Command {
  readonly spec: CommandSpec;
  readonly run: (argv: readonly string[], io: Io, live: LiveBackends) => Promise<number>;
}

/**
 * Every command, as typed after `pidns` (a group's commands, such as
 * `host ps`, have two words). Add new commands here: the --help, unknown
 * option and malformed-input tests walk this table.
 */
export const COMMANDS: readonly Command[] = [
  { spec: RUN, run: runCommand },
  { spec: CHECK, run: checkCommand },
  { spec: DIFF_SPEC, run: diffCommand },
  { spec: FUZZ_SPEC, run: fuzzCommand },
  { spec: VIZ_SPEC, run: (argv, io) => vizCommand(argv, io) },
  ...HOST_COMMANDS.map((h) => ({ spec: h.spec, run: (argv: readonly string[], io: Io) => h.run(argv, io) })),
  { spec: TRACE_SPEC, run: (argv, io) => traceCommand(argv, io) },
  { spec: IMPORT_SPEC, run: (argv, io) => importCommand(argv, io) },
  { spec: REPLAY_SPEC, run: (argv, io) => replayCommand(argv, io) },
  ...RESTORE_COMMANDS,
];

/** The groups of commands (`host`): their help lists the group's commands. */
export const GROUPS: readonly CommandSpec[] = [HOST_SPEC];

const MAIN = {
  name: '',
  usage: 'pidns COMMAND [OPTIONS] [ARGS] (COMMAND: run, check, diff, fuzz, viz, host, trace, import, replay, plan, restore)',
  help: `pidns: scenarios of Linux PID namespaces, run on the model or the real kernel

Usage:
  pidns run [--json] [--backend NAME] [--from-snapshot S] FILE
                            print FILE's transcript
  pidns check [--json] [--backend NAME] FILE|DIR...
                            run the files, report failed expectations
  pidns diff [--json] [--backends A,B] FILE|DIR...
                            compare two backends' transcripts
  pidns fuzz [--json] [--seed S] [--count N] [--out DIR] [--backends A,B]
                            compare them on random scenarios
  pidns viz [--port N] [FILE] | --out DIR
                            the visualizer, on 127.0.0.1
  pidns host tree [-p]      the live machine's PID namespaces (or processes)
  pidns host ps [--ns NS | --pid PID]
                            processes as one namespace sees them
  pidns host translate PID --from NS --to NS
                            one number between namespaces
  pidns host snapshot [--ns NS] [-o FILE]
                            the live state as a pidns snapshot
  pidns trace [-o FILE] -- CMD [ARG...]
                            record CMD with strace in a fresh PID namespace
  pidns import [-o FILE] TRACE
                            an strace log as a scenario
  pidns replay [--json] TRACE|DIR...
                            run traces on the model, compare with the trace
  pidns plan [-o PLAN] SNAPSHOT   the scenario that rebuilds a snapshot
  pidns restore [--plan PLAN] SNAPSHOT   run it, compare with the snapshot
  pidns COMMAND --help      help on one command
  pidns --version           the version

FILE - is standard input. Backends: model (default), kernel (the real kernel;
needs root). Colour on a terminal; NO_COLOR=1 turns it off, FORCE_COLOR=1 on.
Exit status: 0 ok, 1 an expectation failed or transcripts differ, 2 bad input,
3 internal error, 130/143 interrupted (SIGINT/SIGTERM).
`,
  options: { version: { type: 'boolean' } },
  positionals: { min: 0, max: 0, name: 'COMMAND' },
} as const satisfies CommandSpec;

/** The package's version (package.json, two levels above src/cli and dist/cli). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

/** The command `argv` names, and the arguments after its name; or what to answer instead. */
function route(argv: readonly string[]): { command: Command; rest: readonly string[] } | ParseOutcome | { readonly version: string } {
  const [first, second] = argv;
  if (first === undefined) return usageError(MAIN, 'no command');
  const group = GROUPS.find((g) => g.name === first);
  if (group !== undefined) {
    const command = COMMANDS.find((c) => c.spec.name === `${first} ${second}`);
    if (command !== undefined) return { command, rest: argv.slice(2) };
    // `host`, `host --help`, `host --bogus`, `host frob`: the group's own grammar answers.
    const parsed = parseCommand(group, argv.slice(1));
    if (isParseOutcome(parsed)) return parsed;
    const sub = parsed.positionals[0];
    return usageError(group, sub === undefined ? `${first} needs a command` : `unknown ${first} command ${quoteArg(sub)}`);
  }
  const command = COMMANDS.find((c) => c.spec.name === first);
  if (command !== undefined) return { command, rest: argv.slice(1) };
  if (first.startsWith('-') && first !== '-') {
    const parsed = parseCommand(MAIN, argv);
    if (isParseOutcome(parsed)) return parsed;
    if (parsed.values.version === true) return { version: packageVersion() };
  }
  return usageError(MAIN, `unknown command ${quoteArg(first)}`);
}

/**
 * The CLI: returns the exit status; `io` is Node's by default. While a
 * command has a kernel backend open, SIGINT and SIGTERM close it before the
 * process ends (130, 143).
 */
export async function main(argv: readonly string[], io: Io = nodeIo): Promise<number> {
  const routed = route(argv);
  if ('version' in routed) {
    io.out(`${routed.version}\n`);
    return Exit.Ok;
  }
  if (isParseOutcome(routed)) return answerParse(routed, io);
  const live = new LiveBackends(io.onInterrupt?.bind(io));
  try {
    return await routed.command.run(routed.rest, io, live);
  } finally {
    live.dispose();
  }
}
