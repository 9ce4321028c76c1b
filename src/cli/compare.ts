// Running one script on two backends and comparing the transcripts: what
// `pidns diff` does per file and `pidns fuzz` per generated scenario. A
// scenario error is part of a transcript (its `error:` line), so two backends
// that stop at the same step with the same message agree.

import { ScenarioError, type Script } from '../scenario/ast.js';
import { runScenario } from '../scenario/run.js';
import { backendFactory } from './backends.js';
import type { LiveBackends } from './live.js';
import { unifiedDiff } from './unified_diff.js';

/**
 * The prefix of the Error a backend throws (from its factory or its start)
 * when it cannot run on this machine at all: no root, no user namespaces, not
 * Linux. Such a run is skipped, not failed, unless PIDNS_REQUIRE_KERNEL=1.
 */
export const UNAVAILABLE_PREFIX = 'kernel backend unavailable:';

/** What running a script on one backend gave. */
export type Transcript =
  /** The transcript's lines; after a scenario error, its `error: FILE:LINE:COL: message` line last. */
  | { readonly kind: 'ran'; readonly lines: readonly string[] }
  | { readonly kind: 'unavailable'; readonly reason: string }
  /** The factory threw: the backend cannot start. */
  | { readonly kind: 'cannot_start'; readonly message: string }
  /** The backend or the runner threw mid-run. */
  | { readonly kind: 'crashed'; readonly message: string };

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Runs `script` on a fresh backend called `name` (which must be registered). */
export async function transcriptOf(script: Script, name: string, live: LiveBackends): Promise<Transcript> {
  const factory = backendFactory(name);
  if (factory === undefined) return { kind: 'cannot_start', message: `unknown backend ${name}` };
  let backend;
  try {
    backend = live.add(factory());
  } catch (e) {
    const message = messageOf(e);
    return message.startsWith(UNAVAILABLE_PREFIX) ? { kind: 'unavailable', reason: message } : { kind: 'cannot_start', message };
  }
  const lines: string[] = [];
  try {
    await runScenario(script, backend, { onLine: (l) => lines.push(l) });
    return { kind: 'ran', lines };
  } catch (e) {
    if (e instanceof ScenarioError) return { kind: 'ran', lines: [...lines, `error: ${e.message}`] };
    const message = messageOf(e);
    // A backend may find out only in start() that it cannot run here.
    if (message.startsWith(UNAVAILABLE_PREFIX) && lines.length === 0) return { kind: 'unavailable', reason: message };
    return { kind: 'crashed', message };
  } finally {
    live.release(backend);
  }
}

/** The outcome of running one script on two backends. */
export type Comparison =
  | { readonly kind: 'same' }
  /** The transcripts differ: `diff` is the unified diff, `--- A` / `+++ B`. */
  | { readonly kind: 'differ'; readonly diff: readonly string[]; readonly first: FirstDifference }
  | { readonly kind: 'skipped'; readonly backend: string; readonly reason: string }
  /** A backend could not start (`startup`) or crashed mid-run. */
  | { readonly kind: 'broken'; readonly backend: string; readonly message: string; readonly startup: boolean };

/** Where two transcripts first part: the 1-based line, and each side's line there (null: that side ended). */
export interface FirstDifference {
  readonly line: number;
  readonly a: string | null;
  readonly b: string | null;
}

export function firstDifference(a: readonly string[], b: readonly string[]): FirstDifference | null {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return { line: i + 1, a: a[i] ?? null, b: b[i] ?? null };
  return null;
}

export interface CompareOptions {
  /** PIDNS_REQUIRE_KERNEL=1: an unavailable backend is a failure, not a skip. */
  readonly requireAvailable: boolean;
  readonly live: LiveBackends;
}

/**
 * Compares two backends over many scripts. Once a backend has said it is
 * unavailable, later scripts are skipped without asking it again.
 */
export class Comparer {
  private readonly unavailable = new Map<string, string>();

  constructor(
    readonly backends: readonly [string, string],
    private readonly options: CompareOptions,
  ) {}

  async compare(script: Script): Promise<Comparison> {
    const results: Extract<Transcript, { kind: 'ran' }>[] = [];
    for (const name of this.backends) {
      const known = this.unavailable.get(name);
      const t: Transcript = known === undefined ? await transcriptOf(script, name, this.options.live) : { kind: 'unavailable', reason: known };
      switch (t.kind) {
        case 'ran':
          results.push(t);
          break;
        case 'unavailable':
          this.unavailable.set(name, t.reason);
          if (this.options.requireAvailable) return { kind: 'broken', backend: name, message: `${t.reason} (PIDNS_REQUIRE_KERNEL=1)`, startup: true };
          return { kind: 'skipped', backend: name, reason: t.reason };
        case 'cannot_start':
          return { kind: 'broken', backend: name, message: t.message, startup: true };
        case 'crashed':
          return { kind: 'broken', backend: name, message: t.message, startup: false };
      }
    }
    const [a, b] = this.backends;
    const diff = unifiedDiff(results[0]!.lines, results[1]!.lines, { from: a, to: b });
    const first = firstDifference(results[0]!.lines, results[1]!.lines);
    return diff.length === 0 || first === null ? { kind: 'same' } : { kind: 'differ', diff, first };
  }
}
