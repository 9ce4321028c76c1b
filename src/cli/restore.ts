// `pidns plan SNAPSHOT`: the scenario that rebuilds a snapshot's identity
// state from the standard start (docs/restore.md). `pidns restore SNAPSHOT`:
// runs that plan (or --plan PLAN) on a backend and compares the state it ends
// in with the snapshot, by the sameness rule; every difference is printed.

import type { KernelJson } from '../snapshot/schema.js';
import { toJSON } from '../snapshot/index.js';
import { formatDifference, formatRefusal, planRestore, restoreOnModel, type RestoreOutcome } from '../restore/index.js';
import { isParseOutcome, parseCommand, quoteArg, usageError, type CommandSpec } from './args.js';
import { answerParse, Exit } from './exit.js';
import { readFailure, writeFailure, type Io } from './io.js';
import { loadSnapshot, writeFileAtomic } from './snapshot_file.js';
import { restoreOnKernel } from '../native/restore_kernel.js';

export const PLAN_SPEC = {
  name: 'plan',
  usage: 'pidns plan [-o PLAN] SNAPSHOT',
  help: `Usage: pidns plan [-o PLAN] SNAPSHOT

Writes the scenario that, run from the standard start state, rebuilds the
identity state of the snapshot SNAPSHOT (pidns run --snapshot-out, pidns host
snapshot): every task's numbers, parents, sessions, groups, zombies,
namespaces, signal state and pidfds (docs/restore.md). The plan is commented
step by step. A state the planner cannot rebuild exactly is refused: the
task, the constraint and why, on standard error; nothing is written.

  -o, --output PLAN   write the plan to PLAN (atomically) instead of
                      standard output

Exit status: 0 planned, 1 refused, 2 bad input.
`,
  options: { output: { type: 'string', short: 'o' } },
  positionals: { min: 1, max: 1, name: 'SNAPSHOT' },
} as const satisfies CommandSpec;

export const RESTORE_SPEC = {
  name: 'restore',
  usage: 'pidns restore [--plan PLAN] [--backend NAME] SNAPSHOT',
  help: `Usage: pidns restore [--plan PLAN] [--backend NAME] SNAPSHOT

Runs PLAN (by default the plan pidns plan makes for SNAPSHOT) on a backend
from the standard start state, then compares the state it ends in with
SNAPSHOT by the sameness rule (docs/restore.md) and prints each difference
(and each plan step that failed, by its line):
"task 5: pgid: expected 3, got 5".

  --plan PLAN      the scenario to run instead of a fresh plan
  --backend NAME   model (default), or kernel: the plan runs in a fresh PID
                   namespace of this machine, and what /proc shows of it
                   (NSpid, NStgid, NSpgid, NSsid, PPid, State, threads, ns/
                   links, SigIgn/SigCgt) is compared, before teardown

Exit status: 0 everything matched, 1 a difference (or the planner refused),
2 bad input (an unreadable snapshot or plan, a plan with a scenario error).
`,
  options: { plan: { type: 'string' }, backend: { type: 'string' } },
  positionals: { min: 1, max: 1, name: 'SNAPSHOT' },
} as const satisfies CommandSpec;

/** A backend restore runs a plan on: the state it ends in compared with the target. */
export type RestoreRunner = (target: KernelJson, plan: string, planFile: string) => Promise<RestoreOutcome>;

/** Restore's backends by name; others (the kernel's) register here. */
export const RESTORE_BACKENDS = new Map<string, RestoreRunner>([
  ['model', (target, plan, file) => restoreOnModel(target, plan, file)],
  ['kernel', kernelRestore],
]);

/** The kernel's runner: a backend that cannot start (no root, no proc connector) is bad input with its reason, as for run. */
async function kernelRestore(target: KernelJson, plan: string, file: string): Promise<RestoreOutcome> {
  try {
    return await restoreOnKernel(target, plan, file);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (message.startsWith('kernel backend unavailable')) return { ok: false, error: `backend kernel: ${message}` };
    throw e;
  }
}

async function readTarget(path: string, io: Io): Promise<{ ok: true; json: KernelJson } | { ok: false }> {
  const r = await loadSnapshot(path, io);
  if (!r.ok) {
    io.err(`error: ${r.message}\n`);
    return { ok: false };
  }
  return { ok: true, json: toJSON(r.kernel) };
}

export async function planCommand(argv: readonly string[], io: Io): Promise<Exit> {
  const parsed = parseCommand(PLAN_SPEC, argv);
  if (isParseOutcome(parsed)) return answerParse(parsed, io);
  const target = await readTarget(parsed.positionals[0]!, io);
  if (!target.ok) return Exit.BadInput;
  const plan = planRestore(target.json);
  if (!plan.ok) {
    io.err(`pidns plan: ${formatRefusal(plan.refusal)}\n`);
    return Exit.Mismatch;
  }
  const out = parsed.values.output;
  if (out === undefined || out === '-') {
    io.out(plan.text);
    return Exit.Ok;
  }
  try {
    await writeFileAtomic(out, plan.text);
  } catch (e) {
    io.err(`error: -o ${quoteArg(out)}: ${writeFailure(e)}\n`);
    return Exit.BadInput;
  }
  return Exit.Ok;
}

export async function restoreCommand(argv: readonly string[], io: Io): Promise<Exit> {
  const parsed = parseCommand(RESTORE_SPEC, argv);
  if (isParseOutcome(parsed)) return answerParse(parsed, io);
  const backendName = parsed.values.backend ?? 'model';
  const backend = RESTORE_BACKENDS.get(backendName);
  if (backend === undefined) return answerParse(usageError(RESTORE_SPEC, `--backend: ${quoteArg(backendName)} is not one of ${[...RESTORE_BACKENDS.keys()].join(', ')}`), io);
  const target = await readTarget(parsed.positionals[0]!, io);
  if (!target.ok) return Exit.BadInput;
  let planText: string;
  let planFile = 'plan.pidns';
  const planPath = parsed.values.plan;
  if (planPath !== undefined) {
    try {
      planText = await io.readFile(planPath);
      planFile = planPath;
    } catch (e) {
      io.err(`error: ${planPath}: ${readFailure(e)}\n`);
      return Exit.BadInput;
    }
  } else {
    const plan = planRestore(target.json);
    if (!plan.ok) {
      io.err(`pidns restore: ${formatRefusal(plan.refusal)}\n`);
      return Exit.Mismatch;
    }
    planText = plan.text;
  }
  const outcome = await backend(target.json, planText, planFile);
  if (!outcome.ok) {
    io.err(`error: ${outcome.error}\n`);
    return Exit.BadInput;
  }
  for (const d of outcome.differences) io.out(`${formatDifference(d)}\n`);
  if (outcome.differences.length > 0) {
    io.err(`pidns restore: ${outcome.differences.length} difference${outcome.differences.length === 1 ? '' : 's'} from ${parsed.positionals[0]!}\n`);
    return Exit.Mismatch;
  }
  io.out(`restored: the ${backendName} matches ${parsed.positionals[0]!}\n`);
  return Exit.Ok;
}

/** plan and restore, for main's table. */
export const RESTORE_COMMANDS = [
  { spec: PLAN_SPEC, run: planCommand },
  { spec: RESTORE_SPEC, run: restoreCommand },
] as const;
