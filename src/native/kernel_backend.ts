// The kernel backend: every actor a real process or thread of this machine's
// Linux, inside a fresh PID namespace (docs/kernel-backend.md). The native
// runner executes the calls (protocol.ts); this driver tells when the system
// has settled after a step (settle.ts), turns what the proc connector and the
// actors reported into the step's events, and reads views from the host's
// /proc (views.ts).

import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { CLONE_NEWPID } from '../abi/clone.js';
import { defaultAction, siCodeName, Signal } from '../abi/signal.js';
import { decodeExitWord } from '../abi/wait.js';
import { nsInode } from '../host/proc_files.js';
import type { Backend, CallOutcome, CallResult, NewTask, NsView, PsRow, ResolvedCall, StatusView, StepEvent, TaskEvent, TaskLife, TaskRef } from '../scenario/backend.js';
import { callSpec } from '../scenario/calls/index.js';
import { kernelBackendAvailable } from './availability.js';
import { PF_EXITING, procState, statOf, type Actor, type NsInfo, type StepCtx } from './actors.js';
import { ensureRunner } from './build.js';
import { decodeReply, encodeCommand, parseLine, type Line } from './protocol.js';
import { unsettled } from './settle.js';
import { HostViews } from './views.js';

/** How long a step may take to settle before the run fails (generous: CI machines are loaded). */
const STEP_LIMIT_MS = 10_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class KernelBackend implements Backend {
  readonly name = 'kernel' as const;
  private proc: ChildProcessWithoutNullStreams | null = null;
  private controllerPid = 0;
  private buffer = '';
  private readonly lines: Line[] = [];
  private wake: (() => void) | null = null;
  private readonly actors = new Map<number, Actor>();
  private readonly byTid = new Map<number, Actor>();
  private readonly namespaces: NsInfo[] = [];
  private readonly nsByInode = new Map<number, NsInfo>();
  private hostNs: NsInfo | null = null;
  private closed = false;
  private runnerGone = false;
  private stderr = '';
  private readonly views = new HostViews({
    actors: this.actors,
    byTid: this.byTid,
    nsByInode: this.nsByInode,
    actor: (ref) => this.actor(ref),
    nsOf: (a) => this.nsOf(a),
  });

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
    const deadline = Date.now() + STEP_LIMIT_MS;
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
    const init: Actor = { ref: 0 as TaskRef, hostTid: initPid, hostTgid: initPid, ns: ns0, pendingNs: null, pending: null, ready: true, exited: false };
    this.actors.set(0, init);
    this.byTid.set(initPid, init);
    // The first step must find init idle in its loop, pid_max written.
    await this.settle(null, [], Date.now() + STEP_LIMIT_MS, 'start');
  }

  private actor(ref: TaskRef): Actor {
    const a = this.actors.get(ref);
    if (a === undefined) throw new Error(`kernel backend: no task ${ref}`);
    return a;
  }

  private send(text: string): void {
    if (this.proc === null) throw new Error('kernel backend: not started');
    this.proc.stdin.write(`${text}\n`);
  }

  private async nextLine(deadline: number, what: string): Promise<Line> {
    for (;;) {
      const line = this.lines.shift();
      if (line !== undefined) return line;
      if (this.runnerGone) throw new Error(`kernel backend: the runner exited during ${what}${this.stderr === '' ? '' : `: ${this.stderr.trim()}`}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`kernel backend: ${what} did not finish within ${STEP_LIMIT_MS / 1000} s`);
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
    const deadline = Date.now() + STEP_LIMIT_MS;
    const events: StepEvent[] = [];
    const wasStopped = new Set<number>();
    for (const x of this.actors.values()) if (!x.exited && procState(statOf(x.hostTid)?.state ?? '?') === 'T') wasStopped.add(x.ref);
    const spec = callSpec(call.name);
    if (spec === undefined) throw new Error(`kernel backend: no call ${call.name}`);
    const traits = spec.traits?.(call.args) ?? {};
    a.pending = spec;
    const wire = spec.wire(call.args, { child, nsFile: (task, which) => `/proc/${this.actor(task).hostTid}/ns/${which}` });
    this.send(encodeCommand(a.ref, wire));
    const execs = traits.execs === true;
    const step: StepCtx = { actor: a, spec, call, traits, child, result: null, forks: [], execTgid: execs ? a.hostTgid : null };
    if (execs && a.hostTid !== a.hostTgid) {
      const leader = this.byTid.get(a.hostTgid);
      if (leader !== undefined && leader !== a && !leader.exited) step.deThread = { leader, leaderTid: a.hostTgid, callerTid: a.hostTid };
    }
    if (spec.result === 'noreturn') step.result = { kind: 'noreturn' };
    await this.settle(step, events, deadline, `${call.name} in task ${actorRef}`);
    // Stops and continues: the transcript reports each thread whose state changed.
    const stopSig = traits.sends !== undefined && defaultAction(traits.sends) === 'stop' ? traits.sends : Signal.SIGSTOP;
    for (const x of this.actors.values()) {
      if (x.exited) continue;
      const st = statOf(x.hostTid);
      if (st === null) continue;
      const now = procState(st.state) === 'T';
      if (now && !wasStopped.has(x.ref)) events.push({ task: x.ref, event: { kind: 'stopped', signal: stopSig } });
      if (!now && wasStopped.has(x.ref) && procState(st.state) !== 'Z') events.push({ task: x.ref, event: { kind: 'continued' } });
    }
    if (step.result === null) throw new Error('kernel backend: no result');
    return { result: step.result, events };
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
      case 'n':
      case 'r': {
        const pending = x.pending;
        x.pending = null;
        if (pending === null) return;
        if (x.discardReply === true) {
          x.discardReply = false;
          return;
        }
        const result = w[0] === 'n' ? this.forked(n[0]!, n[1]!, step) : decodeReply(pending.result, n);
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
        } else if (pending.mayBlock === true) {
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

  private forked(newRef: number, value: number, step: StepCtx | null): CallResult {
    const child: Actor = { ref: newRef as TaskRef, hostTid: 0, hostTgid: 0, ns: null, pendingNs: null, pending: null, ready: false, exited: false };
    this.actors.set(newRef, child);
    if (step !== null) step.newChild = child;
    return { kind: 'value', value };
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

  private nsOf(a: Actor): NsInfo {
    if (a.ns === null) throw new Error(`kernel backend: task ${a.ref}'s namespace is unknown`);
    return a.ns;
  }

  /**
   * Waits until every actor is idle in its loop, blocked in its wait,
   * stopped, or dead, with no signal in flight and every report read,
   * twice in a row.
   */
  private async settle(step: StepCtx | null, events: StepEvent[], deadline: number, what: string): Promise<void> {
    let calm = 0;
    for (;;) {
      let moved = false;
      for (let line = this.lines.shift(); line !== undefined; line = this.lines.shift()) {
        this.handle(line, step, events);
        moved = true;
      }
      if (step !== null && !this.bindChild(step)) moved = true;
      const why = unsettled(this.actors.values(), step);
      if (why === null && !moved) {
        if (++calm >= 2) {
          // A barrier through the runner: reports already sent (a handler's, a late exit) arrive before its answer.
          if (!(await this.barrier(step, events, deadline, what))) return;
          calm = 0;
        }
      } else {
        calm = 0;
      }
      if (Date.now() > deadline) throw new Error(`kernel backend: ${what} did not settle within ${STEP_LIMIT_MS / 1000} s (${why ?? 'reports still arriving'})`);
      if (this.runnerGone) throw new Error(`kernel backend: the runner exited during ${what}`);
      await sleep(why === null ? 1 : 0.5);
    }
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

  idOf(task: TaskRef, from: TaskRef): Promise<number> {
    return Promise.resolve(this.views.idOf(task, from));
  }

  levelForChildren(actor: TaskRef): Promise<number | null> {
    return Promise.resolve(this.views.levelForChildren(actor));
  }

  life(task: TaskRef): Promise<TaskLife> {
    const a = this.actor(task);
    if (a.exited || a.hostTid === 0) return Promise.resolve('exited');
    const st = statOf(a.hostTid);
    if (st === null || st.state === 'Z' || (st.flags & PF_EXITING) !== 0) return Promise.resolve('exited');
    if (st.state === 'T' || st.state === 't') return Promise.resolve('stopped');
    return Promise.resolve(a.pending !== null ? 'blocked' : 'running');
  }

  ps(actor: TaskRef): Promise<readonly PsRow[]> {
    return Promise.resolve(this.views.ps(actor));
  }

  threads(actor: TaskRef, target: TaskRef): Promise<readonly number[] | null> {
    return Promise.resolve(this.views.threads(actor, target));
  }

  status(actor: TaskRef, target: TaskRef): Promise<StatusView | null> {
    return Promise.resolve(this.views.status(actor, target));
  }

  ns(actor: TaskRef): Promise<NsView> {
    return Promise.resolve(this.views.ns(actor));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const proc = this.proc;
    if (proc === null || proc.exitCode !== null) return;
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
