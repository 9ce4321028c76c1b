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
interface Candidate {
  readonly line: string;
  readonly creates?: { readonly name: string; readonly thread: boolean };
  readonly opensFd?: string;
  readonly closesFd?: string;
}

type Kind =
  | 'fork'
  | 'clone_newpid'
  | 'clone_thread'
  | 'clone3'
  | 'unshare'
  | 'setns'
  | 'exit'
  | 'exit_group'
  | 'execve'
  | 'wait_nohang'
  | 'wait_zombie'
  | 'wait_block'
  | 'waitid'
  | 'kill'
  | 'signal'
  | 'ids'
  | 'getpgid'
  | 'getsid'
  | 'setpgid'
  | 'setsid'
  | 'subreaper'
  | 'pidfd_open'
  | 'pidfd_use'
  | 'sysctl'
  | 'pid_max'
  | 'tgkill'
  | 'setuid'
  | 'wait_more'
  | 'prctl_get'
  | 'clone_other'
  | 'view';

/** Weights: the calls that make, join and end namespaces and tasks come most often. */
const WEIGHTS: Readonly<Record<Kind, number>> = {
  fork: 12,
  clone_newpid: 7,
  clone_thread: 5,
  clone3: 3,
  unshare: 4,
  setns: 3,
  exit: 3,
  exit_group: 4,
  execve: 1,
  wait_nohang: 5,
  wait_zombie: 4,
  wait_block: 1,
  waitid: 3,
  kill: 7,
  signal: 2,
  ids: 4,
  getpgid: 2,
  getsid: 1,
  setpgid: 2,
  setsid: 2,
  subreaper: 2,
  pidfd_open: 3,
  pidfd_use: 3,
  sysctl: 2,
  pid_max: 1,
  tgkill: 2,
  setuid: 1,
  wait_more: 2,
  prctl_get: 1,
  clone_other: 2,
  view: 5,
};

const KINDS = Object.keys(WEIGHTS) as Kind[];
const TOTAL_WEIGHT = KINDS.reduce((sum, k) => sum + WEIGHTS[k], 0);

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
  return level === undefined ? kept : { ...kept, levelForChildren: level };
}

class Generator {
  private readonly lines: string[] = [];
  private readonly actors: Actor[] = [];
  private names = 0;
  private fdNames = 0;
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

  private kind(): Kind {
    let r = this.random() * TOTAL_WEIGHT;
    for (const k of KINDS) {
      r -= WEIGHTS[k];
      if (r < 0) return k;
    }
    return 'fork';
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

  /** A candidate step for `actor`, or null when the drawn kind does not fit it now. */
  private async candidate(actor: Actor, lives: readonly TaskLife[], alive: number): Promise<Candidate | null> {
    const a = actor.name;
    const kind = this.kind();
    switch (kind) {
      case 'fork': {
        const name = this.newName('p');
        return { line: `${a}: fork() -> ${name}`, creates: { name, thread: false } };
      }
      case 'clone_newpid': {
        const name = this.newName('n');
        return { line: `${a}: clone(CLONE_NEWPID) -> ${name}`, creates: { name, thread: false } };
      }
      case 'clone_thread': {
        const name = this.newName('t');
        return { line: `${a}: clone(CLONE_THREAD|CLONE_SIGHAND|CLONE_VM) -> ${name}`, creates: { name, thread: true } };
      }
      case 'clone3': {
        const name = this.newName('c');
        const sig = this.chance(0.7) ? ', exit_signal=SIGCHLD' : '';
        const args = this.chance(0.5) ? `flags=CLONE_NEWPID, set_tid=[1${this.chance(0.3) ? `, ${this.int(2, 12)}` : ''}]` : `set_tid=[${this.int(2, 12)}]`;
        return { line: `${a}: clone3(${args}${sig}) -> ${name}`, creates: { name, thread: false } };
      }
      case 'unshare':
        return { line: `${a}: unshare(CLONE_NEWPID)` };
      case 'setns': {
        const target = this.pick(this.actors.filter((t) => lives[t.ref] !== 'exited'));
        if (target === undefined) return null;
        const form = this.chance(0.7) ? 'ns' : 'ns_for_children';
        return { line: `${a}: setns(${form}(${target.name}), CLONE_NEWPID)` };
      }
      case 'exit':
      case 'exit_group':
        // Keep something alive to call with; init's end (the namespace's end) now and then.
        if (alive <= 2 && this.chance(0.8)) return null;
        if ((kind === 'exit_group' ? actor.group : actor.ref) === 0 && this.chance(0.85)) return null;
        return { line: `${a}: ${kind}(${this.int(0, 3)})` };
      case 'execve':
        return { line: `${a}: execve()` };
      case 'wait_nohang':
        return { line: `${a}: wait4(-1, ${this.chance(0.8) ? 'WNOHANG' : 'WNOHANG|__WALL'})` };
      case 'wait_zombie': {
        const child = this.pick(await this.zombieChildren(actor, lives));
        if (child === undefined) return null;
        return { line: `${a}: wait4($${child.name}, 0)` };
      }
      case 'wait_block': {
        // One blocked waiter per thread group at most: two would race for the same child on Linux.
        const busy = this.actors.some((m) => m.group === actor.group && lives[m.ref] === 'blocked');
        if (busy) return null;
        return { line: `${a}: wait4(-1, 0)` };
      }
      case 'waitid':
        return { line: `${a}: waitid(P_ALL, 0, WEXITED|WNOHANG${this.chance(0.2) ? '|WNOWAIT' : ''})` };
      case 'kill': {
        const target = this.pick(await this.visibleFrom(actor));
        if (target === undefined) return null;
        const sig = this.pick(['SIGKILL', 'SIGKILL', 'SIGTERM', 'SIGSTOP', 'SIGCONT', 'SIGCONT', '0'])!;
        return { line: `${a}: kill(${this.chance(0.1) ? '-' : ''}$${target.name}, ${sig})` };
      }
      case 'signal': {
        const sig = this.chance(0.6) ? 'SIGCHLD' : 'SIGTERM';
        const disp = this.pick(['catch', 'catch', 'SIG_IGN', 'SIG_DFL'])!;
        return { line: `${a}: signal(${sig}, ${disp})` };
      }
      case 'ids':
        return { line: `${a}: ${this.pick(['getpid', 'getppid', 'gettid', 'getpgrp'])!}()` };
      case 'getpgid': {
        const target = this.pick(await this.visibleFrom(actor));
        return target === undefined ? null : { line: `${a}: getpgid($${target.name})` };
      }
      case 'getsid': {
        const target = this.chance(0.5) ? undefined : this.pick(await this.visibleFrom(actor));
        return { line: `${a}: getsid(${target === undefined ? '0' : `$${target.name}`})` };
      }
      case 'setpgid':
        return { line: `${a}: setpgid(0, 0)` };
      case 'setsid':
        return { line: `${a}: setsid()` };
      case 'subreaper':
        return { line: `${a}: prctl(PR_SET_CHILD_SUBREAPER, 1)` };
      case 'pidfd_open': {
        const target = this.pick(await this.visibleFrom(actor));
        if (target === undefined) return null;
        this.fdNames++;
        const name = `fd${this.fdNames}`;
        return { line: `${a}: pidfd_open($${target.name}, ${target.thread && this.chance(0.7) ? 'PIDFD_THREAD' : '0'}) -> ${name}`, opensFd: name };
      }
      case 'pidfd_use': {
        const fd = this.pick([...actor.fds].sort());
        if (fd === undefined) return null;
        switch (this.int(0, 3)) {
          case 0:
            return { line: `${a}: pidfd_send_signal(${fd}, ${this.pick(['SIGKILL', 'SIGTERM', 'SIGSTOP', 'SIGCONT', '0'])!})` };
          case 1:
            return { line: `${a}: waitid(P_PIDFD, ${fd}, WEXITED|WNOHANG)` };
          case 2:
            return { line: `${a}: setns(${fd}, CLONE_NEWPID)` };
          default:
            return { line: `${a}: close(${fd})`, closesFd: fd };
        }
      }
      case 'tgkill': {
        const target = this.pick(await this.visibleFrom(actor));
        if (target === undefined) return null;
        const leader = this.actors.find((m) => m.ref === target.group);
        if (leader === undefined || (await this.guide.idOf(leader.ref, actor.ref)) === 0) return null;
        const sig = this.pick(['SIGTERM', 'SIGSTOP', 'SIGCONT', '0'])!;
        return { line: `${a}: tgkill($${leader.name}, $${target.name}, ${sig})` };
      }
      case 'setuid':
        return { line: `${a}: setuid(${this.pick(['1000', '1000', '0', '2000'])!})` };
      case 'wait_more': {
        const target = this.pick(await this.visibleFrom(actor));
        if (this.chance(0.5)) return { line: `${a}: wait4(-1, ${this.pick(['WNOHANG|WUNTRACED', 'WNOHANG|WCONTINUED', 'WNOHANG|__WCLONE'])!})` };
        if (target === undefined) return null;
        return { line: `${a}: waitid(${this.pick(['P_PID', 'P_PGID'])!}, $${target.name}, ${this.pick(['WEXITED|WNOHANG', 'WSTOPPED|WNOHANG', 'WCONTINUED|WNOHANG', 'WEXITED|WSTOPPED|WNOHANG'])!})` };
      }
      case 'prctl_get':
        return { line: `${a}: prctl(PR_GET_CHILD_SUBREAPER)` };
      case 'clone_other': {
        const name = this.newName('q');
        const flags = this.pick(['CLONE_PARENT', 'CLONE_NEWUSER|CLONE_NEWPID', 'CLONE_NEWUSER', 'CLONE_SIGHAND|CLONE_VM'])!;
        return { line: `${a}: clone(${flags}) -> ${name}`, creates: { name, thread: false } };
      }
      case 'sysctl':
        return this.chance(0.6) ? { line: `${a}: sysctl(kernel.ns_last_pid)` } : { line: `${a}: sysctl(kernel.ns_last_pid, ${this.int(1, 20)})` };
      case 'pid_max': {
        // Only below ns0: ns0's pid_max is the kernel runner's to set.
        if ((await this.guide.ns(actor.ref)).pid === 0) return null;
        return { line: `${a}: sysctl(kernel.pid_max, ${this.int(400, 420)})` };
      }
      case 'view': {
        const views = ['ps', 'ps', 'status', 'ns', 'tree', 'threads'] as const;
        const view = this.pick(views)!;
        if (view === 'status' || view === 'threads') {
          const target = this.pick(await this.visibleFrom(actor));
          return target === undefined ? null : { line: `@${view} ${a} ${target.name}` };
        }
        return { line: `@${view} ${a}` };
      }
    }
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
    if (c.creates !== undefined && /^[1-9][0-9]*$/.test(value)) {
      const ref = taskRef(this.actors.length);
      const thread = c.creates.thread;
      this.actors.push({
        ref,
        name: c.creates.name,
        group: thread ? actor.group : ref,
        thread,
        fds: thread ? actor.fds : new Set(actor.fds),
      });
    }
    if (c.opensFd !== undefined && value === 'fd') actor.fds.add(c.opensFd);
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

/** Whether a line is a step the shrinker may drop: not blank, not a comment. */
function isStepLine(line: string): boolean {
  const t = line.trim();
  return t !== '' && !t.startsWith('#');
}

export interface ShrinkOptions {
  /** The file name for parsing candidates. */
  readonly file?: string;
}

/**
 * Delta debugging (Zeller and Hildebrandt's ddmin) over the lines of a
 * failing scenario: drops chunks of step lines, halving the chunk size when
 * no chunk can go, down to single lines. A candidate is kept only if it still
 * parses and `stillFails` says yes. Comment and blank lines stay. The result
 * is 1-minimal: removing any one step line makes it pass (or not parse).
 * Returns `text` unchanged when it does not fail to begin with.
 */
export async function shrink(text: string, stillFails: (text: string) => Promise<boolean>, options: ShrinkOptions = {}): Promise<string> {
  const file = options.file ?? 'shrink.pidns';
  const lines = text.split('\n');
  const trailing = text.endsWith('\n');
  if (trailing) lines.pop();
  const build = (keep: readonly number[]): string => {
    const set = new Set(keep);
    const out = lines.filter((l, i) => !isStepLine(l) || set.has(i));
    return out.map((l) => `${l}\n`).join('');
  };
  const fails = async (keep: readonly number[]): Promise<boolean> => {
    const candidate = build(keep);
    try {
      parseScenario(candidate, file);
    } catch (e) {
      if (e instanceof ScenarioError) return false;
      throw e;
    }
    return stillFails(candidate);
  };
  let units = lines.flatMap((l, i) => (isStepLine(l) ? [i] : []));
  if (!(await stillFails(text))) return text;
  let n = 2;
  while (units.length > 0) {
    const size = Math.ceil(units.length / n);
    let removed = false;
    for (let start = 0; start < units.length; start += size) {
      const complement = [...units.slice(0, start), ...units.slice(start + size)];
      if (await fails(complement)) {
        units = complement;
        n = Math.max(n - 1, 2);
        removed = true;
        break;
      }
    }
    if (!removed) {
      if (size === 1) break;
      n = Math.min(n * 2, units.length);
    }
  }
  const result = build(units);
  return trailing ? result : result.replace(/\n$/, '');
}
