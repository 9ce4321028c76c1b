// The kernel backend: every actor a real process or thread of this machine's
// Linux, inside a fresh PID namespace (docs/kernel-backend.md). The native
// runner executes the calls (protocol.ts); this driver tells when the system
// has settled after a step (settle.ts), turns what the proc connector and the
// actors reported into the step's events, and reads views from the host's
// /proc (views.ts).

import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { CLONE_CHILD_SETTID, CLONE_NEWPID, CLONE_PARENT_SETTID, CLONE_PIDFD } from '../abi/clone.js';
import { defaultAction, siCodeName, Signal } from '../abi/signal.js';
import { decodeExitWord } from '../abi/wait.js';
import { nsInode } from '../host/proc_files.js';
import type { Backend, CallOutcome, CallResult, NewTask, ResolvedCall, StepEvent, TaskEvent, TaskRef } from '../scenario/backend.js';
import { callSpec } from '../scenario/calls/index.js';
import { kernelBackendAvailable } from './availability.js';
import { procState, statOf, type Actor, type NsInfo, type StepCtx } from './actors.js';
import { ensureRunner } from './build.js';
import { OtherNsNames } from './other_ns.js';
import { decodeReply, encodeCommand, parseLine, type Line } from './protocol.js';
import { TidWords } from './tid_words.js';
import { settleLimitMs, stateDetail, unsettled } from './settle.js';
import { ActorViews } from './actor_views.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class KernelBackend extends ActorViews implements Backend {
  readonly name = 'kernel' as const;
  private proc: ChildProcessWithoutNullStreams | null = null;
  private controllerPid = 0;
  private buffer = '';
  private readonly lines: Line[] = [];
  private wake: (() => void) | null = null;
  private readonly namespaces: NsInfo[] = [];
  private hostNs: NsInfo | null = null;
  private closed = false;
  private runnerGone = false;
  private stderr = '';
  protected readonly otherNs = new OtherNsNames();
  private readonly words = new TidWords(() => this.controllerPid);
  async start(): Promise<void> {
    const runner = ensureRunner();
    const proc = spawn(runner, ['controller'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc = proc;
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (chunk: string) => {
      this.buffer += chunk;
      let i: number;
      while ((i = this.buffer.indexOf('\n')) >= 0) {
        this.lines.push(parseLine(this.buffer.slice(0, i)));
        this.buffer = this.buffer.slice(i + 1);
      }
      this.wake?.();
    });
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    proc.on('exit', () => {
      this.runnerGone = true;
      this.wake?.();
    });
    // A dead runner's pipes fail asynchronously; the step that notices reports it.
    proc.on('error', (e) => {
      this.stderr += e.message;
      this.runnerGone = true;
    });
    proc.stdin.on('error', () => {
      this.runnerGone = true;
    });
    const hostInode = nsInode('/proc/self/ns/pid') ?? 0;
    this.hostNs = { index: -1, level: 0, parent: null, inode: hostInode };
    const deadline = Date.now() + settleLimitMs(1);
    const sawInitFork = new Set<number>();
    let initPid = 0;
    let initForkSeen = false;
    // init's own PROC_EVENT_FORK must be consumed here, or a late copy would be taken for step 1's child.
    while (initPid === 0 || !initForkSeen) {
      const line = await this.nextLine(deadline, initPid === 0 ? 'start' : "start (waiting for the proc connector's report of init's fork)");
      if (line.kind === 'x' && line.words[0] === 'fork' && Number(line.words[1]) === proc.pid) sawInitFork.add(Number(line.words[3]));
      if (line.kind === 'other' && line.text.startsWith('I ')) {
        const [, pid, nl] = line.text.split(' ');
        initPid = Number(pid);
        if (nl !== '1') throw new Error('kernel backend unavailable: the proc connector (cn_proc) cannot be read');
        this.controllerPid = proc.pid ?? 0;
        // Its fork event may already have gone by, among the lines before `I`.
        if (sawInitFork.has(initPid)) initForkSeen = true;
      } else if (line.kind === 'x' && line.words[0] === 'fork' && this.controllerPid !== 0 && Number(line.words[1]) === this.controllerPid) {
        initForkSeen = true;
      } else if (line.kind === 'other' && line.text.startsWith('F ')) {
        throw new Error(`kernel backend unavailable: clone(CLONE_NEWPID) failed with errno ${line.text.slice(2)}`);
      }
    }
    const inode = nsInode(`/proc/${initPid}/ns/pid`) ?? 0;
    const ns0: NsInfo = { index: 0, level: 1, parent: this.hostNs, inode };
    this.namespaces.push(ns0);
    this.nsByInode.set(inode, ns0);
    const init: Actor = { ref: 0 as TaskRef, hostTid: initPid, hostTgid: initPid, ns: ns0, pendingNs: null, pending: null, pendingTraits: {}, ready: true, exited: false };
    this.actors.set(0, init);
    this.byTid.set(initPid, init);
    // The first step must find init idle in its loop, pid_max written.
    await this.settle(null, [], 'start');
    this.otherNs.refresh(this.actors, null);
  }

  private send(text: string): void {
    if (this.proc === null) throw new Error('kernel backend: not started');
    this.proc.stdin.write(`${text}\n`);
  }

  private async nextLine(deadline: number, what: string): Promise<Line> {
    const since = Date.now();
    for (;;) {
      const line = this.lines.shift();
      if (line !== undefined) return line;
      if (this.runnerGone) await this.runnerGoneError(what);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`kernel backend: ${what} did not finish: no report from the runner for ${((deadline - since) / 1000).toFixed(1)} s`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 50));
        this.wake = () => {
          clearTimeout(t);
          this.wake = null;
          resolve();
        };
      });
    }
  }

  async call(actorRef: TaskRef, call: ResolvedCall, child: NewTask): Promise<CallOutcome> {
    const a = this.actor(actorRef);
    const events: StepEvent[] = [];
    const wasStopped = new Set<number>();
    for (const x of this.actors.values()) if (!x.exited && procState(statOf(x.hostTid)?.state ?? '?') === 'T') wasStopped.add(x.ref);
    const spec = callSpec(call.name);
    if (spec === undefined) throw new Error(`kernel backend: no call ${call.name}`);
    const traits = spec.traits?.(call.args) ?? {};
    // A step that asks for a value written back (oldset, oldact, info) reads its reply as that.
    const kind = spec.resultFor?.(call.args);
    a.pending = kind === undefined || kind === spec.result ? spec : { ...spec, result: kind };
    a.pendingTraits = traits;
    const wire = spec.wire(call.args, { child, nsFile: (task, which) => `/proc/${this.actor(task).hostTid}/ns/${which}` });
    this.send(encodeCommand(a.ref, wire));
    const execs = traits.execs === true;
    const step: StepCtx = { actor: a, spec, call, traits, child, result: null, forks: [], execTgid: execs ? a.hostTgid : null };
    if (execs && a.hostTid !== a.hostTgid) {
      const leader = this.byTid.get(a.hostTgid);
      if (leader !== undefined && leader !== a && !leader.exited) step.deThread = { leader, leaderTid: a.hostTgid, callerTid: a.hostTid };
    }
    if (spec.result === 'noreturn') step.result = { kind: 'noreturn' };
    await this.settle(step, events, `${call.name} in task ${actorRef}`);
    // Stops and continues: the transcript reports each thread whose state changed.
    const stopSig = traits.stopSignal ?? (traits.sends !== undefined && defaultAction(traits.sends) === 'stop' ? traits.sends : Signal.SIGSTOP);
    for (const x of this.actors.values()) {
      if (x.exited) continue;
      const st = statOf(x.hostTid);
      if (st === null) continue;
      const now = procState(st.state) === 'T';
      if (now && !wasStopped.has(x.ref)) events.push({ task: x.ref, event: { kind: 'stopped', signal: stopSig } });
      if (!now && wasStopped.has(x.ref) && procState(st.state) !== 'Z') events.push({ task: x.ref, event: { kind: 'continued' } });
    }
    if (step.result === null) throw new Error('kernel backend: no result');
    this.otherNs.refresh(this.actors, step);
    return { result: this.words.apply(this.actors, step, step.result, events), events };
  }

  /** Applies one line from the runner to the state and the step's events. */
  private handle(line: Line, step: StepCtx | null, events: StepEvent[]): void {
    if (line.kind === 'other') return;
    const w = line.words;
    if (line.kind === 'x') {
      const n = w.slice(1).map(Number);
      if (w[0] === 'lost') throw new Error('kernel backend: the proc connector dropped events (ENOBUFS)');
      if (w[0] === 'fork' && step !== null) {
        const [ptid, ptgid, ctid, ctgid] = n as [number, number, number, number];
        if (this.byTid.has(ctid)) return;
        if (this.byTid.has(ptid) || this.isKnownTgid(ptgid) || this.isKnownTgid(ctgid)) step.forks.push({ tid: ctid, tgid: ctgid });
      } else if (w[0] === 'exit') {
        const [tid, tgid, code] = n as [number, number, number];
        // de_thread() swaps the old leader's tid with the exec'ing thread's (exchange_tids()) as soon as
        // the leader is a zombie, but the leader's proc connector report is sent after exit_notify(): it
        // can carry either number, and arrive before or after the exec's reply.
        const dt = step?.deThread;
        const x = dt !== undefined && !dt.leader.exited && tgid === dt.leader.hostTgid && (tid === dt.leaderTid || tid === dt.callerTid) ? dt.leader : this.byTid.get(tid);
        if (x === undefined || x.exited) return;
        x.exited = true;
        // Host pids are reused machine-wide: a later process with this number is not ours.
        if (this.byTid.get(x.hostTid) === x) this.byTid.delete(x.hostTid);
        const superseded = step?.execTgid !== null && step?.execTgid !== undefined && x.hostTgid === step.execTgid && x !== step.actor;
        const end = decodeExitWord(code);
        const ev: TaskEvent = superseded ? { kind: 'superseded' } : end.kind === 'exited' ? { kind: 'exited', code: end.code } : { kind: 'killed', signal: end.signal };
        events.push({ task: x.ref, event: ev });
        if (step?.takeOver !== undefined && x === dt?.leader) {
          this.takeOver(step.takeOver);
          step.takeOver = undefined;
        }
      }
      return;
    }
    const x = this.actors.get(line.ref);
    if (x === undefined) return;
    const n = w.slice(1).map(Number);
    switch (w[0]) {
      case 'h':
        x.ready = true;
        return;
      case 'c': {
        const [sig, pid, code, status] = n as [number, number, number, number];
        events.push({ task: x.ref, event: { kind: 'caught', signal: sig, siPid: pid, siCode: siCodeName(code, sig), siStatus: sig === Signal.SIGCHLD ? status : undefined } });
        return;
      }
      case 'a': {
        // A CLONE_VFORK child, announced before its parent blocks in the clone.
        const child: Actor = { ref: n[0]! as TaskRef, hostTid: 0, hostTgid: 0, ns: null, pendingNs: null, pending: null, pendingTraits: {}, ready: false, exited: false };
        this.actors.set(n[0]!, child);
        if (step !== null && step.actor === x) step.newChild = child;
        return;
      }
      case 'n':
      case 'r': {
        const pending = x.pending;
        x.pending = null;
        if (pending === null) return;
        if (x.discardReply === true) {
          x.discardReply = false;
          return;
        }
        const vforkDone = x.vforkWait === true;
        x.vforkWait = false;
        if (w[0] === 'r' && step?.actor === x && step.newChild !== undefined && step.newChild.hostTid === 0) {
          // A vfork clone that failed after announcing its child: there is none.
          this.actors.delete(step.newChild.ref);
          step.newChild = undefined;
        }
        const result = w[0] === 'n' ? (vforkDone ? this.vforkResult(x, n) : this.forked(n[0]!, n[1]!, n[2] ?? -1, step)) : decodeReply(pending.result, n);
        if (x.pendingTraits.opensPty === true && result.kind === 'fd') this.ptys.push(n[1]!);
        if (step !== null && step.actor === x && step.result === null) {
          step.result = result;
          if (step.traits.execs === true && result.kind === 'value' && result.value === 0 && x.hostTid !== x.hostTgid) {
            // de_thread: the caller now holds the leader's tid; the old leader's exit may still be on its way.
            if (this.byTid.get(x.hostTid) === x) this.byTid.delete(x.hostTid);
            x.hostTid = x.hostTgid;
            const old = step.deThread?.leader;
            if (old === undefined || old.exited) this.takeOver(x);
            else step.takeOver = x;
          }
          // A setns leaves the namespace an unshare made (if it had no init yet) behind, named but unused.
          if (step.traits.setsNs === true && result.kind === 'value') x.pendingNs = null;
          if (step.traits.unsharesPid === true && result.kind === 'value') {
            const parent = this.nsOf(x);
            const ns: NsInfo = { index: this.namespaces.length, level: parent.level + 1, parent, inode: 0 };
            this.namespaces.push(ns);
            x.pendingNs = ns;
          }
        } else if (pending.mayBlock === true || vforkDone) {
          events.push({ task: x.ref, event: { kind: 'resumed', call: pending.name, result } });
        }
        return;
      }
      case 'E':
      case 'D':
        return;
    }
  }

  /** After de_thread the exec'ing thread answers to the leader's tid; the old leader (reported dead) has no tid left. */
  private takeOver(x: Actor): void {
    for (const a of this.actors.values()) if (a !== x && a.exited && a.hostTid === x.hostTid) a.hostTid = -1;
    this.byTid.set(x.hostTid, x);
  }

  private isKnownTgid(tgid: number): boolean {
    if (tgid <= 0) return false;
    for (const a of this.actors.values()) if (!a.exited && a.hostTgid === tgid) return true;
    return false;
  }

  /** A vfork parent's clone returning: its value, and the tid words as they were written. */
  private vforkResult(parent: Actor, n: readonly number[]): CallResult {
    const [newRef, value, pidfd] = n as [number, number, number | undefined];
    const flags = parent.vforkFlags ?? 0;
    parent.vforkFlags = undefined;
    const base: CallResult = (flags & CLONE_PIDFD) !== 0 && pidfd !== undefined && pidfd >= 0 ? { kind: 'value', value, pidfd } : { kind: 'value', value };
    if ((flags & (CLONE_PARENT_SETTID | CLONE_CHILD_SETTID)) === 0 || base.kind !== 'value') return base;
    const words = this.words.read();
    if (words === null) throw new Error('kernel backend: cannot read the tid words');
    const tids = {
      ...((flags & CLONE_PARENT_SETTID) !== 0 ? { parent: words.readInt32LE(newRef * 8) } : {}),
      ...((flags & CLONE_CHILD_SETTID) !== 0 ? { child: words.readInt32LE(newRef * 8 + 4) } : {}),
    };
    return { ...base, tids };
  }

  private forked(newRef: number, value: number, pidfd: number, step: StepCtx | null): CallResult {
    const child: Actor = { ref: newRef as TaskRef, hostTid: 0, hostTgid: 0, ns: null, pendingNs: null, pending: null, pendingTraits: {}, ready: false, exited: false };
    this.actors.set(newRef, child);
    if (step !== null) step.newChild = child;
    const withPidfd = step !== null && ((step.traits.cloneFlags ?? 0) & CLONE_PIDFD) !== 0 && pidfd >= 0;
    return withPidfd ? { kind: 'value', value, pidfd } : { kind: 'value', value };
  }

  /** Binds a new actor to its host tid (from the proc connector's fork event) and its namespace. */
  private bindChild(step: StepCtx): boolean {
    const child = step.newChild;
    if (child === undefined || child.hostTid !== 0) return true;
    const fork = step.forks[0];
    if (fork === undefined) return false;
    child.hostTid = fork.tid;
    child.hostTgid = fork.tgid;
    this.byTid.set(fork.tid, child);
    const inode = nsInode(`/proc/${fork.tid}/ns/pid`);
    if (inode === null) return false;
    const creator = step.actor;
    const newPid = ((step.traits.cloneFlags ?? 0) & CLONE_NEWPID) !== 0;
    let ns: NsInfo | undefined;
    if (newPid) {
      // CLONE_NEWPID: a namespace made now, below the creator's (its inode may be a dead one's, reused).
      const parent = this.nsOf(creator);
      ns = { index: this.namespaces.length, level: parent.level + 1, parent, inode };
      this.namespaces.push(ns);
    } else if (creator.pendingNs !== null && creator.pendingNs.inode === 0 && inode !== this.nsOf(creator).inode) {
      // The first child born into the namespace an unshare made.
      ns = creator.pendingNs;
      ns.inode = inode;
    } else {
      ns = this.nsByInode.get(inode);
    }
    if (ns === undefined) throw new Error(`kernel backend: task ${child.ref} was born into an unknown namespace`);
    this.nsByInode.set(inode, ns);
    child.ns = ns;
    return true;
  }

  /**
   * Waits until every actor is idle in its loop, blocked in its wait,
   * stopped, or dead, with no signal in flight and every report read,
   * twice in a row.
   */
  private async settle(step: StepCtx | null, events: StepEvent[], what: string): Promise<void> {
    let calm = 0;
    let lastWhy: string | null = null;
    let lastChange = Date.now();
    for (;;) {
      let moved = false;
      for (let line = this.lines.shift(); line !== undefined; line = this.lines.shift()) {
        this.handle(line, step, events);
        moved = true;
      }
      if (step !== null && !this.bindChild(step)) moved = true;
      const why = unsettled(this.actors.values(), step);
      const limit = settleLimitMs(this.liveActors());
      if (why === null && !moved) {
        if (++calm >= 2) {
          // A barrier through the runner: reports already sent (a handler's, a late exit) arrive before its answer.
          if (!(await this.barrier(step, events, Date.now() + limit, what))) return;
          calm = 0;
        }
      } else {
        calm = 0;
      }
      const now = Date.now();
      if (moved || why !== lastWhy) {
        lastChange = now;
        lastWhy = why;
      } else if (now - lastChange > limit) {
        const ref = why === null ? undefined : /^task (\d+)/.exec(why)?.[1];
        const who = ref === undefined ? undefined : this.actors.get(Number(ref));
        const detail = who === undefined ? '' : `; ${stateDetail(who)}`;
        throw new Error(`kernel backend: ${what} did not settle: nothing changed for ${(limit / 1000).toFixed(1)} s (PIDNS_SETTLE_TIMEOUT_MS raises it): ${why ?? 'reports still arriving'}${detail}`);
      }
      if (this.runnerGone) await this.runnerGoneError(what);
      await sleep(why === null ? 1 : 0.5);
    }
  }

  private liveActors(): number {
    let n = 0;
    for (const a of this.actors.values()) if (!a.exited) n++;
    return n;
  }

  protected async checkRunner(what: string): Promise<void> {
    if (this.runnerGone || [undefined, 'Z'].includes(statOf(this.proc?.pid ?? 0)?.state)) await this.runnerGoneError(what);
  }

  /** Throws runnerDeath's reason, once the runner's exit status is known (a broken pipe can be noticed before its 'exit'). */
  private async runnerGoneError(what: string): Promise<never> {
    const proc = this.proc;
    if (proc !== null && proc.exitCode === null && proc.signalCode === null) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 1000);
        proc.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    throw new Error(this.runnerDeath(what));
  }

  /** The "internal error" line's reason when the runner is gone: what died, how, and during what. */
  private runnerDeath(what: string): string {
    const proc = this.proc;
    const how = proc?.signalCode != null ? `was killed by ${proc.signalCode}` : proc?.exitCode != null ? `exited with status ${proc.exitCode}` : 'is gone';
    const err = this.stderr.trim();
    return `kernel backend: the runner (native/build/runner, pid ${proc?.pid ?? '?'}) ${how} during ${what}${err === '' ? '' : `: ${err.split('\n')[0]!}`}`;
  }

  /** Sends a barrier and handles every line before its answer; true if any did something. */
  private async barrier(step: StepCtx | null, events: StepEvent[], deadline: number, what: string): Promise<boolean> {
    this.send('B');
    let moved = false;
    for (;;) {
      const line = await this.nextLine(deadline, what);
      if (line.kind === 'other' && line.text === 'B') return moved;
      this.handle(line, step, events);
      moved = true;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const proc = this.proc;
    // A runner killed by a signal has exitCode null and signalCode set: waiting for its 'exit' again would
    // leave nothing in the event loop, and node would end with status 13 and no message.
    if (proc === null || this.runnerGone || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => { resolve(); }));
    try {
      proc.stdin.write('Q\n');
    } catch {
      // The runner is already gone.
    }
    const timer = setTimeout(() => proc.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }

  /** The runner's pid, for tests that check clean-up. */
  get runnerPid(): number {
    return this.controllerPid;
  }
}

/** A kernel backend, or an Error starting `kernel backend unavailable:` that says why not. */
export function createKernelBackend(): Backend {
  const av = kernelBackendAvailable();
  if (!av.ok) throw new Error(`kernel backend unavailable: ${av.reason}`);
  return new KernelBackend();
}
