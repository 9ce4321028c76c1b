// The trace commands (docs/trace.md): `pidns trace` records a program with
// strace in a fresh PID namespace, `pidns import` turns a trace into a
// scenario, `pidns replay` runs traces on the model and compares every
// result and event with the trace. Each parses its own options (node:util
// parseArgs); exit statuses as docs/cli.md: 0 ok, 1 a mismatch or a call not
// expressible, 2 bad input.

import { existsSync } from 'node:fs';
import { importTrace, replayImport, TraceError, type ImportResult, type ReplayReport, type TraceSource } from '../trace/index.js';
import { parseCommand, usageError, type CommandSpec } from './args.js';
import { answerParse, Exit, isParseOutcome } from './exit.js';
import type { Io } from './io.js';
import { traceSource, tracesUnder } from './trace_files.js';
import { findOnPath, record } from './trace_record.js';

export const TRACE_SPEC = {
  name: 'trace',
  usage: 'pidns trace [-o FILE] -- CMD [ARG...]',
  help: `Usage: pidns trace [-o FILE] -- CMD [ARG...]

Records CMD with strace inside a fresh PID namespace, as
  unshare --pid --fork --mount-proc strace -f -qq -o FILE -- CMD [ARG...]
does (root needed). FILE defaults to trace.strace. Then: pidns replay FILE.

  -o, --out FILE    where the trace goes

Exit status: CMD's, or 2 when strace or unshare is missing.
`,
  options: { out: { type: 'string', short: 'o' } },
  positionals: { min: 0, max: 0, name: 'CMD' },
} as const satisfies CommandSpec;

export const IMPORT_SPEC = {
  name: 'import',
  usage: 'pidns import [-o FILE] TRACE',
  help: `Usage: pidns import [-o FILE] TRACE

Turns an strace log (strace -f, or the PREFIX of strace -ff files recorded
with -tt) into a scenario: one actor per traced task, a step per identity
call in the order the calls began, the trace's results as expectations.
Calls the language cannot express yet are listed at the top by trace line.

  -o, --out FILE    write the scenario there (only when the import succeeds)

Exit status: 0 ok, 2 bad input (a line that is not strace's, named by number).
`,
  options: { out: { type: 'string', short: 'o' } },
  positionals: { min: 1, max: 1, name: 'TRACE' },
} as const satisfies CommandSpec;

export const REPLAY_SPEC = {
  name: 'replay',
  usage: 'pidns replay [--json] TRACE|DIR...',
  help: `Usage: pidns replay [--json] TRACE|DIR...

Imports each trace, runs it on the model and compares every result and
event with the trace. Prints, per trace, the calls compared, the mismatches
(trace line, call, the trace's result, the model's) and the calls not
expressible yet; then "N passed, N failed". A DIR means every *.strace
file (and strace -ff prefix) under it: pidns replay traces/

  --json            one JSON object per trace, then a summary object

Exit status: 0 every trace matched with nothing left unexpressed,
1 otherwise, 2 bad input.
`,
  options: { json: { type: 'boolean' } },
  positionals: { min: 1, max: Infinity, name: 'TRACE' },
} as const satisfies CommandSpec;

function usage(io: Io, spec: CommandSpec, message: string): Exit {
  return answerParse(usageError(spec, message), io);
}

export async function traceCommand(argv: readonly string[], io: Io): Promise<Exit | number> {
  const dash = argv.indexOf('--');
  const own = dash < 0 ? argv : argv.slice(0, dash);
  const command = dash < 0 ? [] : argv.slice(dash + 1);
  const p = parseCommand({ ...TRACE_SPEC, positionals: { min: 0, max: Infinity, name: 'CMD' } }, own);
  if (isParseOutcome(p)) return answerParse(p, io);
  const extra = p.positionals;
  const cmd = command.length > 0 ? command : extra;
  if (dash < 0 && extra.length > 0) return usage(io, TRACE_SPEC, `unexpected argument ${extra[0]!.slice(0, 60)}: put the command after --`);
  if (cmd.length === 0) return usage(io, TRACE_SPEC, 'trace needs a command after --');
  const env = io.env ?? {};
  const strace = findOnPath('strace', env.PATH);
  if (strace === null) return usage(io, TRACE_SPEC, 'strace is not installed (Debian: apt-get install strace)');
  const unshare = findOnPath('unshare', env.PATH);
  if (unshare === null) return usage(io, TRACE_SPEC, 'unshare is not installed (Debian: apt-get install util-linux)');
  const file = p.values.out ?? 'trace.strace';
  const status = await record(unshare, file, cmd);
  if (!existsSync(file)) {
    // unshare or strace failed before tracing anything (unshare --pid needs root: CAP_SYS_ADMIN).
    io.err(`error: no trace written to ${file} (exit ${status}; recording needs root for unshare --pid)\n`);
    return Exit.BadInput;
  }
  io.err(`pidns trace: ${cmd.join(' ')} exited with ${status}; the trace is ${file} (pidns replay ${file})\n`);
  return status;
}

/** Opens a trace; reports one that does not exist. */
function openTrace(path: string, io: Io, progress: boolean): TraceSource | Exit {
  let shown = 0;
  const onLine = progress
    ? (n: number): void => {
        if (n - shown >= 200_000) {
          shown = n;
          io.err(`\r${path}: ${n} lines`);
        }
      }
    : undefined;
  const source = traceSource(path, onLine);
  if (source === null) {
    io.err(`error: ${path}: no such file (nor strace -ff files ${path}.PID)\n`);
    return Exit.BadInput;
  }
  return source;
}

function imported(source: TraceSource, io: Io): ImportResult | Exit {
  try {
    return importTrace(source);
  } catch (e) {
    if (e instanceof TraceError) {
      io.err(`error: ${e.message}\n`);
      return Exit.BadInput;
    }
    if (e instanceof Error && 'code' in e) {
      io.err(`error: ${source.name}: ${e.message}\n`);
      return Exit.BadInput;
    }
    throw e;
  }
}

export async function importCommand(argv: readonly string[], io: Io): Promise<Exit> {
  const p = parseCommand(IMPORT_SPEC, argv);
  if (isParseOutcome(p)) return answerParse(p, io);
  const files = p.positionals;
  const source = openTrace(files[0]!, io, io.stdoutIsTTY === true);
  if (typeof source === 'number') return source;
  const r = imported(source, io);
  if (typeof r === 'number') return r;
  const out = p.values.out;
  if (out === undefined) {
    io.out(r.scenario);
  } else {
    if (io.writeFile === undefined) return usage(io, IMPORT_SPEC, 'cannot write files here');
    await io.writeFile(out, r.scenario);
    io.err(`${out}: ${r.stats.steps} steps from ${r.stats.lines} trace lines; ${count(r.unexpressed)} calls not expressible yet\n`);
  }
  return Exit.Ok;
}

function count(list: ImportResult['unexpressed']): number {
  let n = 0;
  for (const l of list) n += l.lines.length;
  return n;
}

function lineList(lines: readonly number[]): string {
  const shown = lines.slice(0, 12).join(' ');
  return lines.length > 12 ? `${shown} ... (${lines.length})` : shown;
}

function textReport(r: ReplayReport): string[] {
  const unexpressed = count(r.unexpressed);
  const verdict = r.passed ? 'ok' : 'FAIL';
  const out = [`${verdict} ${r.file}: ${r.lines} lines, ${r.compared} compared, ${r.mismatches.length} mismatch${r.mismatches.length === 1 ? '' : 'es'}, ${unexpressed} not expressible`];
  if (r.stopped !== null) out.push(`  replay stopped: ${r.stopped}`);
  for (const m of r.mismatches) out.push(`  line ${m.traceLine}: ${m.actor}: ${m.what}: trace ${m.trace}, model ${m.model}`);
  for (const u of r.unexpressed) out.push(`  not expressible: ${u.why}: lines ${lineList(u.lines)}`);
  for (const a of r.approximated) out.push(`  approximated: ${a.why}: lines ${lineList(a.lines)}`);
  return out;
}

export async function replayCommand(argv: readonly string[], io: Io): Promise<Exit> {
  const p = parseCommand(REPLAY_SPEC, argv);
  if (isParseOutcome(p)) return answerParse(p, io);
  const files = p.positionals.flatMap(tracesUnder);
  const json = p.values.json === true;
  let passed = 0;
  let failed = 0;
  let worst: Exit = Exit.Ok;
  for (const file of files) {
    const source = openTrace(file, io, io.stdoutIsTTY === true && !json);
    const r = typeof source === 'number' ? source : imported(source, io);
    if (typeof r === 'number') {
      failed++;
      worst = Exit.BadInput;
      if (json) io.out(`${JSON.stringify({ type: 'error', file })}\n`);
      continue;
    }
    const report = await replayImport(file, r);
    if (io.stdoutIsTTY === true && !json && r.stats.lines >= 200_000) io.err('\r\x1b[K');
    if (report.passed) passed++;
    else {
      failed++;
      if (worst < Exit.Mismatch) worst = Exit.Mismatch;
    }
    if (json) io.out(`${JSON.stringify({ type: 'trace', ...report })}\n`);
    else for (const line of textReport(report)) io.out(`${line}\n`);
  }
  if (json) io.out(`${JSON.stringify({ type: 'summary', passed, failed })}\n`);
  else io.out(`${passed} passed, ${failed} failed\n`);
  return worst;
}
