// Random scenarios for differential testing (`pidns fuzz`), and a shrinker
// that cuts a failing one down to the steps that matter.
//
// The generator is model-guided: it grows a scenario one step at a time, runs
// it on a guide backend (the model) after each candidate step, and keeps the
// step only if the run raised no scenario error. Between steps it asks the
// guide which actors are alive and idle, which tasks each can see, which
// children are zombies, so that most candidates are valid at first try. A
// scenario valid on the model is then run on both backends; where the kernel
// disagrees about who is alive, the transcripts differ anyway, which is what
// fuzzing looks for.
//
// Deterministic: the same seed (and the same guide) gives the same text. The
// random source is a seeded PRNG, never Math.random.

import { ScenarioError } from './ast.js';
import { taskRef, type Backend, type TaskLife, type TaskRef } from './backend.js';
import { allCalls } from './calls/index.js';
import type { FuzzActor, FuzzCandidate, FuzzContext, FuzzRule } from './calls/spec.js';
import { createModelBackend } from './model_backend.js';
import { parseScenario } from './parser.js';
import { runScenario, type RunResult } from './run.js';

/** A uniform random number in [0, 1). */
export type Random = () => number;

/**
 * mulberry32 (Tommy Ettinger's 32-bit generator): tiny, fast, and good enough
 * to choose steps; the seed is taken modulo 2^32.
 */
export function mulberry32(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GenerateOptions {
  /**
   * The backend that guides generation; a fresh model backend by default. It
   * is started once per candidate step (the scenario so far is re-run), so it
   * should be fast; it is closed at the end.
   */
  readonly backend?: Backend;
  /** Steps in the scenario, at least (default 10) ... */
  readonly minSteps?: number;
  /** ... and at most (default 40); the count is drawn between them. */
  readonly maxSteps?: number;
  /** The file name in scenario errors while generating. */
  readonly file?: string;
}

/** What the generator knows about a task that a step created (or init). */
interface Actor {
  readonly ref: TaskRef;
  readonly name: string;
  /** The ref of the thread group's first task: threads share their creator's. */
  readonly group: TaskRef;
  readonly thread: boolean;
  /** fd names of its process, as the runner keeps them: threads share the set, forks copy it. */
  readonly fds: Set<string>;
}

/** A candidate step: its line, and what the runner will bind if it succeeds. */
type Candidate = FuzzCandidate;

/** A view the fuzzer may write (not a call: views are the runner's, not the table's). */
const VIEW_WEIGHT = 5;

/** Every rule of every call, in table order, with the views' rule last. */
const RULES: readonly FuzzRule[] = allCalls().flatMap((c) => c.fuzz ?? []);
const TOTAL_WEIGHT = RULES.reduce((sum, r) => sum + r.weight, 0) + VIEW_WEIGHT;

/** A backend whose close() waits for the generator to finish (the runner closes after every run). */
function keepOpen(b: Backend): Backend {
  const kept: Backend = {
    name: b.name,
    start: () => b.start(),
    call: (actor, call, child) => b.call(actor, call, child),
    idOf: (task, from) => b.idOf(task, from),
    life: (task) => b.life(task),
    ps: (actor) => b.ps(actor),
    threads: (actor, target) => b.threads(actor, target),
    status: (actor, target) => b.status(actor, target),
    ns: (actor) => b.ns(actor),
    close: () => Promise.resolve(),
  };
  const level = b.levelForChildren?.bind(b);
  // The optional views too: without them the generator's @namespaces and @jobs were scenario errors, never kept.
  const other = b.otherNamespaces?.bind(b);
  const jobs = b.jobs?.bind(b);
  return { ...kept, ...(level === undefined ? {} : { levelForChildren: level }), ...(other === undefined ? {} : { otherNamespaces: other }), ...(jobs === undefined ? {} : { jobs }) };
}

class Generator {
  private readonly lines: string[] = [];
  private readonly actors: Actor[] = [];
  private names = 0;
  private fdNames = 0;
  /** The fd names that are pty masters (names are never reused; forks copy them). */
  private readonly masters = new Set<string>();
  /** Set when the guide crashed on the last step: the scenario ends there. */
  crashed = false;

  constructor(
    private readonly random: Random,
    private readonly guide: Backend,
    private readonly file: string,
  ) {
    const init = taskRef(0);
    this.actors.push({ ref: init, name: 'init', group: init, thread: false, fds: new Set() });
  }

  text(): string {
    return this.lines.map((l) => `${l}\n`).join('');
  }

  private int(lo: number, hi: number): number {
    return lo + Math.floor(this.random() * (hi - lo + 1));
  }

  private pick<T>(items: readonly T[]): T | undefined {
    return items.length === 0 ? undefined : items[Math.floor(this.random() * items.length)];
  }

  private chance(p: number): boolean {
    return this.random() < p;
  }

  /** A rule drawn by weight; null for a view. */
  private rule(): FuzzRule | null {
    let r = this.random() * TOTAL_WEIGHT;
    for (const rule of RULES) {
      r -= rule.weight;
      if (r < 0) return rule;
    }
    return null;
  }

  private async lives(): Promise<TaskLife[]> {
    return Promise.all(this.actors.map((a) => this.guide.life(a.ref)));
  }

  /** Actors that `from` can name with `$b`: visible in its namespace (a zombie too, until reaped). */
  private async visibleFrom(from: Actor): Promise<Actor[]> {
    const ids = await Promise.all(this.actors.map((a) => this.guide.idOf(a.ref, from.ref)));
    return this.actors.filter((_, i) => ids[i] !== 0);
  }

  /** The group's tasks are all gone, its leader a zombie child of `parent`'s thread group. */
  private async zombieChildren(parent: Actor, lives: readonly TaskLife[]): Promise<Actor[]> {
    const self = await this.guide.status(parent.ref, parent.ref);
    if (self === null) return [];
    const out: Actor[] = [];
    for (const a of await this.visibleFrom(parent)) {
      if (a.thread || a.ref === parent.ref) continue;
      if (this.actors.some((m) => m.group === a.group && lives[m.ref] !== 'exited')) continue;
      const s = await this.guide.status(parent.ref, a.ref);
      if (s !== null && s.state === 'Z' && s.ppid === self.tgid) out.push(a);
    }
    return out;
  }

  private newName(prefix: string): string {
    this.names++;
    return `${prefix}${this.names}`;
  }

  private fuzzActor(a: Actor): FuzzActor {
    return { name: a.name, thread: a.thread, leader: this.actors[a.group]?.name ?? a.name, fds: [...a.fds].sort(), masters: [...a.fds].filter((f) => this.masters.has(f)).sort() };
  }

  /** A candidate step for `actor`, or null when the drawn rule does not fit it now. */
  private async candidate(actor: Actor, lives: readonly TaskLife[], alive: number): Promise<Candidate | null> {
    const rule = this.rule();
    if (rule === null) return this.view(actor);
    const byName = (f: FuzzActor): Actor => this.actors.find((x) => x.name === f.name)!;
    const ctx: FuzzContext = {
      actor: this.fuzzActor(actor),
      alive,
      int: (lo, hi) => this.int(lo, hi),
      chance: (p) => this.chance(p),
      pick: (items) => this.pick(items),
      newName: (prefix) => this.newName(prefix),
      newFdName: () => `fd${++this.fdNames}`,
      visible: async () => (await this.visibleFrom(actor)).map((a) => this.fuzzActor(a)),
      zombieChildren: async () => (await this.zombieChildren(actor, lives)).map((a) => this.fuzzActor(a)),
      living: () => this.actors.filter((t) => lives[t.ref] !== 'exited').map((a) => this.fuzzActor(a)),
      groupBlocked: () => this.actors.some((m) => m.group === actor.group && lives[m.ref] === 'blocked'),
      inNs0: async () => (await this.guide.ns(actor.ref)).pid === 0,
      sees: async (b) => (await this.guide.idOf(byName(b).ref, actor.ref)) !== 0,
    };
    return rule.generate(ctx);
  }

  private async view(actor: Actor): Promise<Candidate | null> {
    const a = actor.name;
    const views = ['ps', 'ps', 'status', 'ns', 'tree', 'threads', 'namespaces', 'jobs'] as const;
    const view = this.pick(views)!;
    if (view === 'status' || view === 'threads') {
      const target = this.pick(await this.visibleFrom(actor));
      return target === undefined ? null : { line: `@${view} ${a} ${target.name}` };
    }
    return { line: `@${view} ${a}` };
  }

  /** Runs the scenario with `line` added; keeps the line when no scenario error came of it. */
  private async attempt(c: Candidate, actor: Actor): Promise<boolean> {
    const text = this.text() + c.line + '\n';
    let result: RunResult;
    try {
      result = await runScenario(parseScenario(text, this.file), this.guide);
    } catch (e) {
      if (e instanceof ScenarioError) return false;
      // The guide crashed: a finding in itself. Keep the step and stop here.
      this.lines.push(c.line);
      this.crashed = true;
      return true;
    }
    this.lines.push(c.line);
    let value = '';
    for (const e of result.entries) if (e.type === 'step') value = e.result;
    // A new task's result is its id, with the tid words after it when CLONE_*_SETTID wrote them.
    const created = c.creates !== undefined && /^[1-9][0-9]*( |$)/.test(value);
    if (c.creates !== undefined && created) {
      const ref = taskRef(this.actors.length);
      const thread = c.creates.thread;
      this.actors.push({
        ref,
        name: c.creates.name,
        group: thread ? actor.group : ref,
        thread,
        fds: thread || c.creates.sharesFiles === true ? actor.fds : new Set(actor.fds),
      });
    }
    // The fd a call opened (-> NAME), or the CLONE_PIDFD fd of a clone that succeeded (after the child's copy of the table).
    if (c.opensFd !== undefined && (value === 'fd' || created)) {
      actor.fds.add(c.opensFd);
      if (c.opensMaster === true) this.masters.add(c.opensFd);
    }
    if (c.closesFd !== undefined && value === '0') actor.fds.delete(c.closesFd);
    return true;
  }

  async run(steps: number): Promise<void> {
    await this.guide.start();
    // Bounded: each round either adds a step or burns one of these.
    let attempts = steps * 12;
    while (this.lines.length < steps && attempts-- > 0 && !this.crashed) {
      const lives = await this.lives();
      const runnable = this.actors.filter((a) => lives[a.ref] === 'running');
      // When nothing can call, stop. Newer tasks are favoured, so that trees and namespaces grow deep.
      const actor = this.chance(0.5) ? this.pick(runnable.slice(-3)) : this.pick(runnable);
      if (actor === undefined) break;
      const c = await this.candidate(actor, lives, runnable.length);
      if (c === null) continue;
      await this.attempt(c, actor);
    }
  }
}

/**
 * A random valid scenario for `seed`: 10 to 40 steps over the v1 calls, each
 * checked on the guide (a model backend by default) to raise no scenario
 * error. Returns its text, one step a line, canonical form.
 */
export async function generateScenario(seed: number, options: GenerateOptions = {}): Promise<string> {
  const random = mulberry32(seed);
  const backend = options.backend ?? createModelBackend();
  const min = options.minSteps ?? 10;
  const max = Math.max(min, options.maxSteps ?? 40);
  const steps = min + Math.floor(random() * (max - min + 1));
  const generator = new Generator(random, keepOpen(backend), options.file ?? `fuzz-${seed}.pidns`);
  try {
    await generator.run(steps);
  } finally {
    await backend.close();
  }
  return generator.text();
}

