// The planner's cast: one actor per task of the snapshot that the plan must
// rebuild (a process or a thread), and the helpers it adds — a session's or a
// process group's origin whose leader is dead, a nursery that is born into a
// session only to hand its child over to a reaper. Each actor knows who
// creates it and with which numbers; the scheduler (schedule.ts) orders them.

import type { PidJson, SigInfoJson, TaskJson } from '../snapshot/schema.js';
import { pushTo, type Names } from './same.js';
import { refuse } from './refusal.js';

export type ActorKind = 'target' | 'thread' | 'session helper' | 'group helper' | 'nursery' | 'pidfd helper' | 'sender helper';

export interface Actor {
  /** Its name in the plan; ns0's init is renamed when a thread of it execs and takes its pid (exec.ts). */
  name: string;
  readonly kind: ActorKind;
  /** The snapshot's task (targets and threads), else null. */
  readonly task: TaskJson | null;
  /** Its active PID namespace (serial) and its numbers from ns0 down to it. */
  readonly ns: number;
  readonly nums: readonly number[];
  /** Who calls clone3 for it (null: the start state's init). */
  creator: Actor | null;
  /** Why this creator: the plan's comment. */
  why: string;
  readonly newPid: boolean;
  readonly exitSignal: number;
  /** Final session and process group (pid serials) for processes; null for threads. */
  readonly sid: number | null;
  readonly pgid: number | null;
  /** The thread group's leader actor (itself for a process). */
  leader: Actor;
  // Planning state:
  created: boolean;
  settled: boolean;
  pfc: number;
  curSid: number;
  curPgid: number;
  /** Actors waiting for this one to settle. */
  readonly waiters: Actor[];
  /** The fds its table holds now, during the plan: number to pid serial and the fd's name in the scenario. */
  fds: Map<number, { readonly pid: number; readonly name: string }>;
}

/** The actors of a snapshot, indexed by what the planner looks them up by. */
export class Cast {
  readonly all: Actor[] = [];
  readonly bySeq = new Map<number, Actor>();
  /** Origin actors of sessions and process groups, by pid serial. */
  readonly origin = new Map<number, Actor>();
  /** The init actor of each namespace (serial) the plan creates tasks in. */
  readonly initOf = new Map<number, Actor>();
  /** Exit signals a parent ignores for now, so that a zombie's death does not end it (phases.ts); restored with the dispositions. */
  tempIgnored = new Map<Actor, Set<number>>();
  /** Groups and tasks whose signal state is planned already (a zombie's, before its death). */
  readonly groupsDone = new Set<Actor>();
  readonly signalsDone = new Set<Actor>();
  /** The pending siginfo a zombie died of (sent as its death, not again as pending). */
  readonly deathInfo = new Map<Actor, SigInfoJson>();
  /** Stop signals pending at stopped groups, sent once the group is stopped (signals.ts). */
  readonly afterStop: { readonly target: Actor; readonly self: Actor; readonly info: SigInfoJson; readonly shared: boolean }[] = [];
  /** While a stopped group's pending signals are sent: who sends them (it cannot). */
  stopper: Actor | null = null;
  /** Children created right after their creator, before it settles (schedule.ts findEarly). */
  readonly early = new Map<Actor, Actor[]>();
  /** Tasks whose credentials are planned already. */
  readonly credsDone = new Set<Actor>();
  /** Tasks whose blocking call is planned already. */
  readonly waited = new Set<Actor>();
  private readonly threads = new Map<Actor, Actor[]>();
  private readonly members = new Map<number, Actor[]>();
  private readonly used = new Set<number>();
  private readonly hashed = new Set<number>();
  private readonly comms = new Set<string>();
  private readonly spare = new Map<number, number>();
  private helpers = 0;
  private fdNames = 0;

  /** A fresh fd name. */
  fdName(): string {
    return `f${++this.fdNames}`;
  }

  constructor(readonly n: Names) {
    for (const t of n.liveTasks()) this.comms.add(t.comm);
    for (const p of n.json.pids) {
      for (const [ns, nr] of p.numbers) {
        this.used.add(numberKey(ns, nr));
        if (p.hashed) this.hashed.add(numberKey(ns, nr));
      }
    }
  }

  /** Whether a pid the snapshot still holds has number `nr` in namespace `ns`. */
  taken(ns: number, nr: number): boolean {
    return this.hashed.has(numberKey(ns, nr));
  }

  add(a: Omit<Actor, 'leader' | 'created' | 'settled' | 'pfc' | 'curSid' | 'curPgid' | 'waiters' | 'fds'> & { leader?: Actor }): Actor {
    // Every field written here, in one order: the objects keep one shape (a spread made them slow dictionaries).
    const actor: Actor = {
      name: a.name,
      kind: a.kind,
      task: a.task,
      ns: a.ns,
      nums: a.nums,
      creator: a.creator,
      why: a.why,
      newPid: a.newPid,
      exitSignal: a.exitSignal,
      sid: a.sid,
      pgid: a.pgid,
      leader: null as unknown as Actor,
      created: false,
      settled: false,
      pfc: a.ns,
      curSid: -1,
      curPgid: -1,
      waiters: [],
      fds: new Map(),
    };
    actor.leader = a.leader ?? actor;
    this.all.push(actor);
    if (a.task !== null) this.bySeq.set(a.task.seq, actor);
    if (a.kind === 'thread') pushTo(this.threads, actor.leader, actor);
    if (a.kind === 'target' && a.sid !== null) pushTo(this.members, a.sid, actor);
    if (a.nums[a.nums.length - 1] === 1 && a.kind !== 'thread') this.initOf.set(a.ns, actor);
    return actor;
  }

  /** The live threads of a leader's group (the snapshot lists no dead ones). */
  threadsOf(leader: Actor): readonly Actor[] {
    return this.threads.get(leader) ?? [];
  }

  /** The processes the plan rebuilds in session `sid` (a pid serial). */
  membersOf(sid: number): readonly Actor[] {
    return this.members.get(sid) ?? [];
  }

  /** A fresh helper name (not any task's comm). */
  helperName(prefix: string): string {
    for (;;) {
      const name = `${prefix}${++this.helpers}`;
      if (!this.comms.has(name)) return name;
    }
  }

  /** Numbers from ns0 down to `ns` that no pid of the snapshot holds and no earlier helper took. */
  spareNumbers(ns: number): number[] {
    const chain: number[] = [];
    for (let x: number | null = ns; x !== null && this.n.underBase(x); x = this.n.nss.get(x)!.parent) chain.unshift(x);
    return chain.map((level) => {
      let nr = this.spare.get(level) ?? 2;
      const max = this.n.nss.get(level)!.pidMax;
      while (this.used.has(numberKey(level, nr))) nr++;
      if (nr >= max) refuse(this.n.nsName(level), 'a helper process', `every number below pid_max ${max} is held, so no helper fits in it`);
      this.used.add(numberKey(level, nr));
      this.spare.set(level, nr + 1);
      return nr;
    });
  }

  /** The origin of the session or group `pid`: its leader if the plan rebuilds it, else a helper with its numbers. */
  originOf(pid: PidJson, kind: 'session helper' | 'group helper', session: number | null = null): Actor {
    const known = this.origin.get(pid.serial);
    if (known !== undefined) return known;
    const leader = pid.task === null ? undefined : this.bySeq.get(pid.task);
    if (leader !== undefined && leader.kind === 'target') {
      this.origin.set(pid.serial, leader);
      return leader;
    }
    const nums = this.n.numbersOf(pid);
    const what = kind === 'session helper' ? 'session' : 'process group';
    if (nums.length === 0) refuse(this.n.pidName(pid.serial), what, 'its leader lives outside ns0 (in the host), where a plan cannot create it');
    const ns = pid.numbers[pid.numbers.length - 1]![0];
    const h = this.add({
      name: this.helperName(kind === 'session helper' ? 'sess' : 'grp'),
      kind,
      task: null,
      ns,
      nums,
      creator: null,
      why: `the ${what} ${nums.join(' ')} outlives its leader: a helper with the leader's numbers founds it, and exits once its members exist`,
      newPid: false,
      exitSignal: 17,
      sid: kind === 'session helper' ? pid.serial : session,
      pgid: pid.serial,
    });
    this.origin.set(pid.serial, h);
    return h;
  }
}

/** One number in one namespace as a single key (numbers are below PID_MAX_LIMIT, 2^22). */
const numberKey = (ns: number, nr: number): number => ns * 4194304 + nr;

/** True when `inner` is `outer` or below it. */
export function within(n: Names, inner: number, outer: number): boolean {
  for (let x: number | null = inner; x !== null; x = n.nss.get(x)!.parent) if (x === outer) return true;
  return false;
}

/** The number `pid` has in namespace `ns`, or 0 when it has none there. */
export function nrIn(pid: PidJson, ns: number): number {
  return pid.numbers.find(([s]) => s === ns)?.[1] ?? 0;
}
