// `pidns restore SNAPSHOT --backend kernel`: a plan (a scenario) run on the
// real kernel, then what /proc shows of the rebuilt namespace (the reader of
// `host snapshot --ns`, src/host/ns_snapshot.ts, read before teardown)
// compared with SNAPSHOT by the /proc rule (src/restore/same.ts, `proc`
// mode: only what /proc shows each namespace; docs/restore.md), and the
// pidfds each process holds (fdinfo: the target, or for a reaped one the
// pidfs inode, which says which fds hold the same struct pid), and each
// process's controlling terminal and foreground group (stat's tty_nr, tpgid).

import type { NsSnapshot, PidfdFact, TerminalFact } from '../host/ns_snapshot.js';
import { byNumber, Names, samenessDifferences, type Difference } from '../restore/same.js';
import { procTerminals, terminalText } from '../restore/same_tty.js';
import { failedSteps, type RestoreOutcome } from '../restore/verify.js';
import { ScenarioError } from '../scenario/ast.js';
import { parseScenario } from '../scenario/parser.js';
import { runScenario, type RunResult } from '../scenario/run.js';
import type { KernelJson } from '../snapshot/schema.js';
import { createKernelBackend, KernelBackend } from './kernel_backend.js';

/** A kernel backend that reads its end state just before it tears the namespace down. */
export class CapturingKernelBackend extends KernelBackend {
  private taken: { readonly ok: true; readonly snapshot: NsSnapshot } | { readonly ok: false; readonly reason: string } | null = null;

  override async close(): Promise<void> {
    if (this.taken === null) {
      try {
        this.taken = { ok: true, snapshot: this.endState() };
      } catch (e) {
        this.taken = { ok: false, reason: e instanceof Error ? e.message : String(e) };
      }
    }
    await super.close();
  }

  /** The end state read at close, or why it could not be read; null before close. */
  get endStateTaken(): { readonly ok: true; readonly snapshot: NsSnapshot } | { readonly ok: false; readonly reason: string } | null {
    return this.taken;
  }
}

/** A capturing kernel backend, or an Error starting `kernel backend unavailable:` (createKernelBackend's checks). */
export function createCapturingKernelBackend(): CapturingKernelBackend {
  createKernelBackend();
  return new CapturingKernelBackend();
}

/**
 * Runs `plan` on the kernel from the standard start and compares what /proc
 * shows at its end with `target`, by the /proc rule. A scenario error in the
 * plan is `{ok: false}`; a kernel backend failure throws.
 */
export async function restoreOnKernel(target: KernelJson, plan: string, file = 'plan.pidns'): Promise<RestoreOutcome & { readonly notes?: readonly string[] }> {
  const backend = createCapturingKernelBackend();
  let run: RunResult;
  try {
    run = await runScenario(parseScenario(plan, file), backend);
  } catch (e) {
    if (e instanceof ScenarioError) return { ok: false, error: e.message };
    throw e;
  }
  const taken = backend.endStateTaken;
  if (taken === null || !taken.ok) throw new Error(`kernel backend: the rebuilt state could not be read from /proc${taken === null ? '' : `: ${taken.reason}`}`);
  const state = taken.snapshot.json;
  const differences = [...failedSteps(run, file), ...samenessDifferences(target, state, 'proc'), ...pidfdDifferences(snapshotPidfds(target), taken.snapshot.pidfds), ...terminalDifferences(target, taken.snapshot)];
  return { ok: true, differences, state, notes: taken.snapshot.notes };
}

/** One holder's pidfds as a sorted list: `pidfd 5`, `pidfd reaped (held by 2, 4)`, ` thread`, ` nonblock`. */
function pidfdLists(facts: readonly PidfdFact[]): Map<string, string> {
  const holdersOf = new Map<number, string[]>();
  for (const f of facts) if (f.target === null) holdersOf.set(f.ino, [...(holdersOf.get(f.ino) ?? []), f.holder]);
  const lists = new Map<string, string[]>();
  for (const f of facts) {
    const target = f.target ?? `reaped (held by ${holdersOf.get(f.ino)!.sort(byNumber).join(', ')})`;
    lists.set(f.holder, [...(lists.get(f.holder) ?? []), `pidfd ${target}${f.thread ? ' thread' : ''}${f.nonblock ? ' nonblock' : ''}`]);
  }
  return new Map([...lists].map(([h, l]) => [h, l.sort().join(', ')]));
}

/**
 * The pidfds of a snapshot, as facts /proc can check (src/host/ns_snapshot.ts
 * reads the kernel's): each live process's pidfds by target, a reaped target
 * known by which fds hold it (fd numbers differ: the runner's actors hold
 * sockets of their own, so a pidfd's number is not compared).
 */
export function snapshotPidfds(json: KernelJson): PidfdFact[] {
  const n = new Names(json, 'proc');
  const out: PidfdFact[] = [];
  for (const t of n.liveTasks()) {
    const g = n.groups.get(t.group)!;
    // A zombie or exiting thread has closed its files (exit_files() runs in do_exit(), before exit_notify()):
    // a group's table is shown while one of its threads lives.
    const holds = g.threads.some((s) => n.tasks.get(s)!.exitState === 'alive');
    if (g.leader !== t.seq || g.files === null || !holds) continue;
    const table = json.fdTables.find((f) => f.serial === g.files);
    for (const f of table?.files ?? []) {
      if (f[1] === 'signalfd' || f[1] === 'pty') continue;
      const p = n.pids.get(f[1])!;
      const reaped = !p.hashed || p.task === null || n.tasks.get(p.task)!.exitState === 'dead';
      out.push({ holder: n.taskName(t.seq), target: reaped ? null : n.pidName(p.serial), ino: p.serial, thread: f[2], nonblock: f[3] });
    }
  }
  return out;
}

/** Every holder whose pidfds differ between the target and what the kernel shows (field `pidfds`). */
export function pidfdDifferences(expected: readonly PidfdFact[], got: readonly PidfdFact[]): Difference[] {
  return holderDifferences(pidfdLists(expected), pidfdLists(got), 'pidfds', '');
}

/** Each holder (by number) whose text differs between `a` (expected) and `b` (got); `none` stands in for a missing one. */
function holderDifferences(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>, field: string, none: string): Difference[] {
  const out: Difference[] = [];
  for (const holder of [...new Set([...a.keys(), ...b.keys()])].sort(byNumber)) {
    const e = a.get(holder) ?? none;
    const g = b.get(holder) ?? none;
    if (e !== g) out.push({ task: holder, field, expected: e, got: g });
  }
  return out;
}

/** Every process whose controlling terminal or foreground group differs between the target and stat's tty_nr and tpgid (field `terminal`). */
export function terminalDifferences(expected: KernelJson, got: NsSnapshot): Difference[] {
  const a = procTerminals(new Names(expected, 'proc'));
  const names = new Names(got.json, 'proc');
  const b = new Map(got.terminals.map((f: TerminalFact) => [f.holder, terminalText(names, f.session, f.foreground)]));
  return holderDifferences(a, b, 'terminal', 'none');
}
