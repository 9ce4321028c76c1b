// The kernel backend: every actor a real process or thread of this machine's
// Linux, inside a fresh PID namespace (docs/kernel-backend.md). The native
// runner executes the calls; this driver tells when the system has settled
// after a step, turns what the proc connector and the actors reported into
// the step's events, and reads views from the host's /proc, translated into
// the viewer's namespace (the NS* columns run from the host's level down).

import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { CLONE_NEWPID, CLONE_THREAD } from '../abi/clone.js';
import { errnoName } from '../abi/errno.js';
import { defaultAction, siCodeName, Signal } from '../abi/signal.js';
import { hasFlag, withoutFlags } from '../kernel/flags.js';
import type {
  Backend,
  CallOutcome,
  CallResult,
  NewTask,
  NsView,
  ProcState,
  PsRow,
  ResolvedCall,
  StatusView,
  StepEvent,
  TaskEvent,
  TaskLife,
  TaskRef,
  WaitReport,
} from '../scenario/backend.js';
import { kernelBackendAvailable } from './availability.js';
import { ensureRunner } from './build.js';

/** x86_64 system call numbers the settle check and the getters use. */
const NR = { recvmsg: 47, wait4: 61, waitid: 247, getpid: 39, getppid: 110, gettid: 186, getpgrp: 111, setsid: 112, getpgid: 121, getsid: 124 };
const PF_EXITING = 0x4;
const SENDS_SIGNAL: ReadonlySet<string> = new Set(['kill', 'tgkill', 'pidfd_send_signal']);
/** How long a step may take to settle before the run fails (generous: CI machines are loaded). */
const STEP_LIMIT_MS = 10_000;

interface Actor {
  readonly ref: TaskRef;
  hostTid: number;
  hostTgid: number;
  /** Its active PID namespace. Fixed for the task's life. (Not looked up by inode: a dead namespace's inode number is reused.) */
  ns: NsInfo | null;
  /** The namespace an unshare(CLONE_NEWPID) made for its children, while it has no init (inode unknown). */
  pendingNs: NsInfo | null;
  /** The call it was given whose reply has not come (a blocked wait). */
  pending: ResolvedCall['name'] | null;
  /** Sent its hello: idle in its command loop. */
  ready: boolean;
  /** The proc connector reported its exit. */
  exited: boolean;
  /** A reply still to come for a call whose result was already given (it stopped itself). */
  discardReply?: boolean;
}

interface NsInfo {
  readonly index: number;
  readonly level: number;
  readonly parent: NsInfo | null;
  inode: number;
}

type Line = { readonly kind: 'actor'; readonly ref: number; readonly words: readonly string[] } | { readonly kind: 'x'; readonly words: readonly string[] } | { readonly kind: 'other'; readonly text: string };

interface ProcStat {
  readonly state: string;
  readonly flags: number;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function inodeOf(path: string): number | null {
  try {
    const m = /\[(\d+)\]/.exec(readlinkSync(path));
    return m === null ? null : Number(m[1]);
  } catch {
    return null;
  }
}

function readStat(tid: number): ProcStat | null {
  const text = readText(`/proc/${tid}/stat`);
  if (text === null) return null;
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: rest[0] ?? '?', flags: Number(rest[6] ?? 0) };
}

interface ProcStatus {
  readonly name: string;
  readonly state: string;
  readonly ppid: number;
  readonly nstgid: number[];
  readonly nspid: number[];
  readonly nspgid: number[];
  readonly nssid: number[];
  readonly sigPending: boolean;
}

function readStatus(path: string): ProcStatus | null {
  const text = readText(path);
  if (text === null) return null;
  const field = (name: string): string => {
    const m = new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(text);
    return m?.[1]?.trim() ?? '';
  };
  const nums = (name: string): number[] => field(name).split(/\s+/).filter((x) => x !== '').map(Number);
  return {
    name: field('Name'),
    state: field('State').charAt(0),
    ppid: Number(field('PPid')),
    nstgid: nums('NStgid'),
    nspid: nums('NSpid'),
    nspgid: nums('NSpgid'),
    nssid: nums('NSsid'),
    sigPending: /[1-9a-f]/.test(field('SigPnd')) || /[1-9a-f]/.test(field('ShdPnd')),
  };
}

function procState(state: string): ProcState {
  if (state === 'Z' || state === 'X') return 'Z';
  if (state === 'T' || state === 't') return 'T';
  return 'S';
}

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
    const hostInode = inodeOf('/proc/self/ns/pid') ?? 0;
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
    const inode = inodeOf(`/proc/${initPid}/ns/pid`) ?? 0;
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

  /** Encodes a resolved call as the runner's command for `a`. */
  private command(a: Actor, call: ResolvedCall, child: NewTask): string {
    const c = (s: string): string => `${a.ref} ${s}`;
    switch (call.name) {
      case 'fork':
        return c(`f ${child.ref} ${child.comm} 0 0 ${Signal.SIGCHLD} -1`);
      case 'clone': {
        const sigBits = call.flags & 0xff;
        const exitSignal = sigBits !== 0 ? sigBits : hasFlag(call.flags, CLONE_THREAD) ? 0 : Signal.SIGCHLD;
        return c(`f ${child.ref} ${child.comm} 1 ${withoutFlags(call.flags, 0xff)} ${exitSignal} -1`);
      }
      case 'clone3': {
        const set = call.setTid === undefined ? '-1' : `${call.setTid.length}${call.setTid.map((n) => ` ${n}`).join('')}`;
        return c(`f ${child.ref} ${child.comm} 2 ${call.flags} ${call.exitSignal} ${set}`);
      }
      case 'unshare':
        return c(`u ${call.flags}`);
      case 'setns': {
        const t = call.target;
        if (t.kind === 'fd') return c(`s ${t.fd} ${call.flags}`);
        const b = this.actor(t.task);
        const file = t.kind === 'ns' ? 'pid' : 'pid_for_children';
        return `${a.ref} @/proc/${b.hostTid}/ns/${file} s -1 ${call.flags}`;
      }
      case 'exit':
        return c(`x ${call.code}`);
      case 'exit_group':
        return c(`X ${call.code}`);
      case 'execve':
        return c('e');
      case 'wait4':
        return c(`w4 ${call.pid} ${call.options}`);
      case 'waitid':
        return c(`wi ${call.idtype} ${call.id} ${call.options}`);
      case 'kill':
        return c(`k ${call.pid} ${call.sig}`);
      case 'tgkill':
        return c(`tk ${call.tgid} ${call.tid} ${call.sig}`);
      case 'pidfd_send_signal':
        return c(`ps ${call.fd} ${call.sig}`);
      case 'signal':
        return c(`sg ${call.sig} ${call.disposition === 'SIG_DFL' ? 0 : call.disposition === 'SIG_IGN' ? 1 : 2}`);
      case 'getpid':
      case 'getppid':
      case 'gettid':
      case 'getpgrp':
      case 'setsid':
        return c(`g ${NR[call.name]}`);
      case 'getpgid':
      case 'getsid':
        return c(`g1 ${NR[call.name]} ${call.pid}`);
      case 'setpgid':
        return c(`sp ${call.pid} ${call.pgid}`);
      case 'prctl':
        return c(`pr ${call.option} ${call.arg}`);
      case 'pidfd_open':
        return c(`po ${call.pid} ${call.flags}`);
      case 'close':
        return c(`cl ${call.fd}`);
      case 'sysctl':
        return c(`sy ${call.key === 'kernel.pid_max' ? 'pid_max' : 'ns_last_pid'} ${call.value === undefined ? 0 : 1} ${call.value ?? 0}`);
      case 'setuid':
        return c(`su ${call.uid}`);
    }
  }

  async call(actorRef: TaskRef, call: ResolvedCall, child: NewTask): Promise<CallOutcome> {
    const a = this.actor(actorRef);
    const deadline = Date.now() + STEP_LIMIT_MS;
    const events: StepEvent[] = [];
    const wasStopped = new Set<number>();
    for (const x of this.actors.values()) if (!x.exited && procState(readStat(x.hostTid)?.state ?? '?') === 'T') wasStopped.add(x.ref);
    a.pending = call.name;
    this.send(this.command(a, call, child));
    const step: StepCtx = { actor: a, call, child, result: null, forks: [], execTgid: call.name === 'execve' ? a.hostTgid : null };
    if (call.name === 'execve' && a.hostTid !== a.hostTgid) {
      const leader = this.byTid.get(a.hostTgid);
      if (leader !== undefined && leader !== a && !leader.exited) step.deThread = { leader, leaderTid: a.hostTgid, callerTid: a.hostTid };
    }
    if (call.name === 'exit' || call.name === 'exit_group') step.result = { kind: 'noreturn' };
    await this.settle(step, events, deadline, `${call.name} in task ${actorRef}`);
    // Stops and continues: the transcript reports each thread whose state changed.
    const stopSig = (call.name === 'kill' || call.name === 'tgkill' || call.name === 'pidfd_send_signal') && defaultAction(call.sig) === 'stop' ? call.sig : Signal.SIGSTOP;
    for (const x of this.actors.values()) {
      if (x.exited) continue;
      const st = readStat(x.hostTid);
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
        const ev: TaskEvent = superseded ? { kind: 'superseded' } : (code & 0x7f) === 0 ? { kind: 'exited', code: (code >> 8) & 0xff } : { kind: 'killed', signal: code & 0x7f };
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
        const pendingName = x.pending;
        x.pending = null;
        if (pendingName === null) return;
        if (x.discardReply === true) {
          x.discardReply = false;
          return;
        }
        const result = w[0] === 'n' ? this.forked(n[0]!, n[1]!, step) : this.decode(pendingName, n);
        if (step !== null && step.actor === x && step.result === null) {
          step.result = result;
          if (pendingName === 'execve' && result.kind === 'value' && result.value === 0 && x.hostTid !== x.hostTgid) {
            // de_thread: the caller now holds the leader's tid; the old leader's exit may still be on its way.
            if (this.byTid.get(x.hostTid) === x) this.byTid.delete(x.hostTid);
            x.hostTid = x.hostTgid;
            const old = step.deThread?.leader;
            if (old === undefined || old.exited) this.takeOver(x);
            else step.takeOver = x;
          }
          // A setns leaves the namespace an unshare made (if it had no init yet) behind, named but unused.
          if (pendingName === 'setns' && result.kind === 'value') x.pendingNs = null;
          if (pendingName === 'unshare' && result.kind === 'value' && step.call.name === 'unshare' && hasFlag(step.call.flags, CLONE_NEWPID)) {
            const parent = this.nsOf(x);
            const ns: NsInfo = { index: this.namespaces.length, level: parent.level + 1, parent, inode: 0 };
            this.namespaces.push(ns);
            x.pendingNs = ns;
          }
        } else if (pendingName === 'wait4' || pendingName === 'waitid') {
          events.push({ task: x.ref, event: { kind: 'resumed', call: pendingName, result } });
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
    const inode = inodeOf(`/proc/${fork.tid}/ns/pid`);
    if (inode === null) return false;
    const creator = step.actor;
    const call = step.call;
    const newPid = (call.name === 'clone' || call.name === 'clone3') && hasFlag(call.flags, CLONE_NEWPID);
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

  private decode(name: ResolvedCall['name'], n: readonly number[]): CallResult {
    const ret = n[0]!;
    if (ret < 0) return { kind: 'errno', errno: errnoName(-ret) };
    if (name === 'pidfd_open') return { kind: 'fd', fd: ret };
    if (name === 'sysctl') return { kind: 'value', value: ret === 0 ? n[1]! : ret };
    if (name === 'wait4') {
      if (ret === 0) return { kind: 'value', value: 0 };
      return { kind: 'wait4', pid: ret, status: decodeStatus(n[1]!) };
    }
    if (name === 'waitid') {
      const [, pid, code, status] = n as [number, number, number, number];
      if (pid === 0) return { kind: 'waitid', info: null };
      return { kind: 'waitid', info: { pid, code: siCodeName(code, Signal.SIGCHLD), status } };
    }
    return { kind: 'value', value: ret };
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
      const why = this.unsettled(step);
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

  /** Why the system has not settled yet, or null. */
  private unsettled(step: StepCtx | null): string | null {
    if (step !== null && step.result === null) {
      // A wait that sleeps in do_wait() is unfinished; everything else replies.
      const a = step.actor;
      if ((a.pending === 'wait4' || a.pending === 'waitid') && this.blockedInWait(a)) step.result = { kind: 'unfinished' };
      else if (a.pending === 'execve' && a.exited) step.result = { kind: 'noreturn' };
      else if (SENDS_SIGNAL.has(step.call.name) && (a.exited || procState(readStat(a.hostTid)?.state ?? 'Z') === 'T')) {
        // The caller signalled itself and stopped or died before its reply: the call had succeeded (it delivered the signal).
        step.result = { kind: 'value', value: 0 };
        if (!a.exited) a.discardReply = true;
      } else return 'no reply yet';
    }
    for (const x of this.actors.values()) {
      if (x.exited) continue;
      if (x.hostTid === 0) return `task ${x.ref} not yet bound`;
      if (step?.takeOver !== undefined) return 'the old leader has not reported its exit';
      if (!x.ready) return `task ${x.ref} not ready`;
      const st = readStat(x.hostTid);
      if (st === null) return `task ${x.ref} gone without an exit report`;
      if (st.state === 'Z' || st.state === 'X') return `task ${x.ref} is a zombie without an exit report`;
      if (st.state === 'T' || st.state === 't') continue;
      if ((st.flags & PF_EXITING) !== 0) {
        // Only a namespace init's thread group sleeps while exiting for long: zap_pid_ns_processes()
        // waits there for the namespace to empty. Any other exiting thread is about to report.
        if (st.state === 'S' && readStatus(`/proc/${x.hostTid}/status`)?.nstgid.at(-1) === 1 && !this.membersAlive(x)) continue;
        return `task ${x.ref} exiting`;
      }
      if (st.state !== 'S') return `task ${x.ref} running (${st.state})`;
      const sc = readText(`/proc/${x.hostTid}/syscall`)?.split(' ')[0];
      const nr = sc === undefined ? NaN : Number(sc);
      if (x.pending === 'wait4' || x.pending === 'waitid') {
        if (nr !== NR.wait4 && nr !== NR.waitid) return `task ${x.ref} not yet in its wait`;
      } else if (x.pending !== null) {
        return `task ${x.ref} has a call in flight`;
      } else if (nr !== NR.recvmsg) {
        return `task ${x.ref} not idle (syscall ${sc ?? '?'})`;
      }
      const status = readStatus(`/proc/${x.hostTid}/status`);
      if (status?.sigPending === true) return `task ${x.ref} has a signal pending`;
    }
    return null;
  }

  /** Whether a task of the namespace (or below) that `init` is the init of, other than init's own group, has not reported its exit. */
  private membersAlive(init: Actor): boolean {
    const ns = init.ns;
    if (ns === null) return false;
    for (const a of this.actors.values()) {
      if (a.exited || a.hostTgid === init.hostTgid || a.ns === null) continue;
      if (this.sees(ns, a.ns) && procState(readStat(a.hostTid)?.state ?? 'Z') !== 'Z') return true;
    }
    return false;
  }

  private blockedInWait(a: Actor): boolean {
    const st = readStat(a.hostTid);
    if (st?.state !== 'S') return false;
    const nr = Number(readText(`/proc/${a.hostTid}/syscall`)?.split(' ')[0]);
    return nr === NR.wait4 || nr === NR.waitid;
  }

  /** Whether `viewer` (a namespace) is `ns` or one of its ancestors. */
  private sees(viewer: NsInfo, ns: NsInfo): boolean {
    for (let n: NsInfo | null = ns; n !== null; n = n.parent) if (n === viewer) return true;
    return false;
  }

  private gone(a: Actor): boolean {
    return readStat(a.hostTid) === null;
  }

  idOf(task: TaskRef, from: TaskRef): Promise<number> {
    const t = this.actor(task);
    const f = this.actor(from);
    if (t.hostTid === 0 || this.gone(t)) return Promise.resolve(0);
    const viewer = this.nsOf(f);
    if (!this.sees(viewer, this.nsOf(t))) return Promise.resolve(0);
    const s = readStatus(`/proc/${t.hostTid}/status`);
    return Promise.resolve(s?.nspid[viewer.level] ?? 0);
  }

  levelForChildren(actor: TaskRef): Promise<number | null> {
    const a = this.actor(actor);
    const inode = inodeOf(`/proc/${a.hostTid}/ns/pid_for_children`);
    if (inode !== null) {
      const ns = this.nsByInode.get(inode);
      if (ns !== undefined) return Promise.resolve(ns.level);
    }
    return Promise.resolve(a.pendingNs?.level ?? this.nsOf(a).level);
  }

  life(task: TaskRef): Promise<TaskLife> {
    const a = this.actor(task);
    if (a.exited || a.hostTid === 0) return Promise.resolve('exited');
    const st = readStat(a.hostTid);
    if (st === null || st.state === 'Z' || (st.flags & PF_EXITING) !== 0) return Promise.resolve('exited');
    if (st.state === 'T' || st.state === 't') return Promise.resolve('stopped');
    return Promise.resolve(a.pending !== null ? 'blocked' : 'running');
  }

  /** The processes (thread-group leaders) of the scenario that still have a /proc entry. */
  private leaders(): { a: Actor; s: ProcStatus }[] {
    const out: { a: Actor; s: ProcStatus }[] = [];
    const seen = new Set<number>();
    for (const a of this.actors.values()) {
      if (a.hostTid === 0 || a.hostTid !== a.hostTgid || seen.has(a.hostTgid)) continue;
      const s = readStatus(`/proc/${a.hostTgid}/status`);
      if (s === null) continue;
      seen.add(a.hostTgid);
      out.push({ a, s });
    }
    return out;
  }

  /** PPid as the viewer's namespace sees it: the parent's tgid there, 0 when invisible or outside the scenario. */
  private ppidIn(viewer: NsInfo, hostPpid: number): number {
    const parent = this.byTid.get(hostPpid) ?? [...this.actors.values()].find((x) => x.hostTgid === hostPpid);
    if (parent === undefined) return 0;
    if (!this.sees(viewer, this.nsOf(parent))) return 0;
    const s = readStatus(`/proc/${hostPpid}/status`);
    return s?.nstgid[viewer.level] ?? 0;
  }

  ps(actor: TaskRef): Promise<readonly PsRow[]> {
    const viewer = this.nsOf(this.actor(actor));
    const L = viewer.level;
    const rows: PsRow[] = [];
    for (const { a, s } of this.leaders()) {
      if (!this.sees(viewer, this.nsOf(a))) continue;
      rows.push({ pid: s.nstgid[L] ?? 0, ppid: this.ppidIn(viewer, s.ppid), pgid: s.nspgid[L] ?? 0, sid: s.nssid[L] ?? 0, state: procState(s.state), name: s.name });
    }
    rows.sort((x, y) => x.pid - y.pid);
    return Promise.resolve(rows);
  }

  threads(actor: TaskRef, target: TaskRef): Promise<readonly number[] | null> {
    const viewer = this.nsOf(this.actor(actor));
    const t = this.actor(target);
    if (t.hostTid === 0 || this.gone(t) || !this.sees(viewer, this.nsOf(t))) return Promise.resolve(null);
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${t.hostTgid}/task`);
    } catch {
      return Promise.resolve(null);
    }
    const out = tids.map((tid) => readStatus(`/proc/${t.hostTgid}/task/${tid}/status`)?.nspid[viewer.level] ?? 0).filter((n) => n !== 0);
    return Promise.resolve(out.sort((x, y) => x - y));
  }

  status(actor: TaskRef, target: TaskRef): Promise<StatusView | null> {
    const viewer = this.nsOf(this.actor(actor));
    const t = this.actor(target);
    if (t.hostTid === 0 || !this.sees(viewer, this.nsOf(t))) return Promise.resolve(null);
    const s = readStatus(`/proc/${t.hostTid}/status`);
    if (s === null) return Promise.resolve(null);
    const L = viewer.level;
    return Promise.resolve({
      name: s.name,
      state: procState(s.state),
      tgid: s.nstgid[L] ?? 0,
      pid: s.nspid[L] ?? 0,
      ppid: this.ppidIn(viewer, s.ppid),
      nstgid: s.nstgid.slice(L),
      nspid: s.nspid.slice(L),
      nspgid: s.nspgid.slice(L),
      nssid: s.nssid.slice(L),
    });
  }

  ns(actor: TaskRef): Promise<NsView> {
    const a = this.actor(actor);
    const pid = this.nsOf(a).index;
    const inode = inodeOf(`/proc/${a.hostTid}/ns/pid_for_children`);
    if (inode === null) return Promise.resolve({ pid, pidForChildren: null });
    let ns = this.nsByInode.get(inode);
    if (ns === undefined && a.pendingNs !== null && a.pendingNs.inode === 0) {
      ns = a.pendingNs;
      ns.inode = inode;
      this.nsByInode.set(inode, ns);
    }
    return Promise.resolve({ pid, pidForChildren: ns?.index ?? null });
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

interface StepCtx {
  readonly actor: Actor;
  readonly call: ResolvedCall;
  readonly child: NewTask;
  result: CallResult | null;
  readonly forks: { tid: number; tgid: number }[];
  readonly execTgid: number | null;
  newChild?: Actor;
  /** An exec'ing thread waiting for the old leader's exit report before it takes over the tid. */
  takeOver?: Actor | undefined;
  /** An execve by a thread that is not its group's leader: the leader (not yet reported dead) and both tids before the exec. */
  deThread?: { readonly leader: Actor; readonly leaderTid: number; readonly callerTid: number };
}

function parseLine(text: string): Line {
  const words = text.split(' ');
  if (words[0] === 'X') return { kind: 'x', words: words.slice(1) };
  if (/^\d+$/.test(words[0] ?? '')) return { kind: 'actor', ref: Number(words[0]), words: words.slice(1) };
  return { kind: 'other', text };
}

function decodeStatus(word: number): WaitReport {
  if ((word & 0x7f) === 0) return { kind: 'exited', code: (word >> 8) & 0xff };
  if (word === 0xffff) return { kind: 'continued' };
  if ((word & 0xff) === 0x7f) return { kind: 'stopped', signal: (word >> 8) & 0xff };
  return { kind: 'killed', signal: word & 0x7f };
}

/** A kernel backend, or an Error starting `kernel backend unavailable:` that says why not. */
export function createKernelBackend(): Backend {
  const av = kernelBackendAvailable();
  if (!av.ok) throw new Error(`kernel backend unavailable: ${av.reason}`);
  return new KernelBackend();
}
