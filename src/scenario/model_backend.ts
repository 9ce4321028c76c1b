// The model backend: runs a scenario's calls on the TypeScript kernel and
// answers the runner's questions from the model's procfs. It speaks the same
// Backend interface as the real-kernel backend, so one printer serves both.

import { errnoName } from '../abi/errno.js';
import { decodeExitWord } from '../abi/wait.js';
import { siCodeName, Signal } from '../abi/signal.js';
import { Kernel } from '../kernel/kernel.js';
import type { KernelEvent } from '../kernel/events.js';
import { snapshot, withoutCounters } from '../kernel/snapshot.js';
import type { Snapshot } from '../kernel/snapshot.js';
import type { Task } from '../kernel/task.js';
import { ProcFs } from '../procfs/procfs.js';
import { taskRef } from './backend.js';
import type { Backend, JobRow, NamespacesView, PresetTask, CallOutcome, CallResult, NewTask, NsView, PsRow, ResolvedCall, StatusView, StepEvent, TaskEvent, TaskLife, TaskRef } from './backend.js';
import { callSpec } from './calls/index.js';
import { outcomeResult, sigWaitOutcomeResult } from './calls/results.js';

export interface ModelBackendOptions {
  /** Called after every call and view with the kernel (tests run the invariant checker here). */
  readonly afterStep?: (kernel: Kernel) => void;
  /**
   * Snapshot the model around every call and throw if a failing call changed
   * it (the allocator cursors excepted after a fork-family EAGAIN/ENOMEM, which
   * Linux does not roll back either).
   */
  readonly verifyFailingCalls?: boolean;
  /**
   * Start from this instead of the default start state (a restored snapshot,
   * made fresh for each start). Every live task gets ref = its seq and the
   * actor name hN, N being its number in the root namespace.
   */
  readonly startFrom?: () => Kernel;
}

export class ModelBackend implements Backend {
  readonly name = 'model' as const;
  kernel = new Kernel();
  private readonly refs = new Map<number, Task>();
  private readonly seqToRef = new Map<number, TaskRef>();
  /** What a vfork parent's clone returns when its child execs or exits, by the parent's seq. */
  private readonly vforkResults = new Map<number, { call: string; result: CallResult }>();
  /** Tasks (by seq) blocked in a signal wait that asked for `info`. */
  private readonly sigwaitInfo = new Set<number>();

  constructor(private readonly options: ModelBackendOptions = {}) {}

  start(): Promise<void> {
    this.kernel = this.options.startFrom?.() ?? new Kernel();
    this.refs.clear();
    this.seqToRef.clear();
    this.vforkResults.clear();
    if (this.options.startFrom === undefined) this.bind(taskRef(0), this.kernel.init);
    else for (const t of this.kernel.liveTasks()) this.bind(taskRef(t.seq), t);
    return Promise.resolve();
  }

  presetTasks(): readonly PresetTask[] {
    if (this.options.startFrom === undefined) return [];
    const root = this.kernel.rootNs;
    return this.kernel.liveTasks().map((t) => ({ name: `h${t.tidIn(root)}`, ref: taskRef(t.seq), comm: t.comm }));
  }

  private bind(ref: TaskRef, t: Task): void {
    this.refs.set(ref, t);
    this.seqToRef.set(t.seq, ref);
  }

  /** The kernel task behind a ref (for tools and tests). */
  task(ref: TaskRef): Task {
    const t = this.refs.get(ref);
    if (t === undefined) throw new Error(`model backend: no task ${ref}`);
    return t;
  }

  call(actor: TaskRef, call: ResolvedCall, child: NewTask): Promise<CallOutcome> {
    const k = this.kernel;
    const me = this.task(actor);
    const events: KernelEvent[] = [];
    const off = k.subscribe((e) => events.push(e));
    const before = this.options.verifyFailingCalls === true ? snapshot(k) : null;
    let result: CallResult;
    try {
      result = this.dispatch(me, call, child);
    } finally {
      off();
    }
    if (before !== null && result.kind === 'errno') verifyUnchanged(before, snapshot(k), call, result.errno);
    // A blocked rt_sigtimedwait or read that asked for `info` shows the siginfo when it resumes.
    if (result.kind === 'unfinished' && callSpec(call.name)?.resultFor?.(call.args) === 'siginfo') this.sigwaitInfo.add(me.seq);
    if (result.kind === 'unfinished' && result.later !== undefined) {
      this.vforkResults.set(me.seq, { call: call.name, result: result.later });
      result = { kind: 'unfinished' };
    }
    this.options.afterStep?.(k);
    return Promise.resolve({ result, events: this.stepEvents(events) });
  }

  private dispatch(me: Task, call: ResolvedCall, child: NewTask): CallResult {
    const spec = callSpec(call.name);
    if (spec === undefined) throw new Error(`model backend: no call ${call.name}`);
    return spec.model(
      {
        kernel: this.kernel,
        me,
        child,
        task: (ref) => this.task(ref),
        bindChild: (t) => {
          this.bind(child.ref, t);
        },
      },
      call.args,
    );
  }

  private stepEvents(events: readonly KernelEvent[]): StepEvent[] {
    const out: StepEvent[] = [];
    const superseded = new Set<number>();
    const push = (seq: number, event: TaskEvent): void => {
      const ref = this.seqToRef.get(seq);
      if (ref !== undefined) out.push({ task: ref, event });
    };
    for (const e of events) {
      switch (e.type) {
        case 'superseded':
          superseded.add(e.task);
          push(e.task, { kind: 'superseded' });
          break;
        case 'exited': {
          if (superseded.has(e.task)) break;
          const status = decodeExitWord(e.status);
          push(e.task, status.kind === 'exited' ? { kind: 'exited', code: status.code } : { kind: 'killed', signal: status.signal });
          break;
        }
        case 'caught':
          push(e.task, {
            kind: 'caught',
            signal: e.signal,
            siPid: e.siPid,
            siCode: siCodeName(e.siCode, e.signal),
            siStatus: e.signal === Signal.SIGCHLD ? e.siStatus : undefined,
          });
          break;
        case 'stopped':
          push(e.task, { kind: 'stopped', signal: e.signal });
          break;
        case 'continued':
          push(e.task, { kind: 'continued' });
          break;
        case 'vfork_done': {
          const done = this.vforkResults.get(e.task);
          this.vforkResults.delete(e.task);
          if (done === undefined) break;
          // mm_release() clears the child's tid word before it completes vfork_done: the parent reads 0 then.
          const r = done.result;
          const cleared = events.some((x) => x.type === 'tid_cleared' && x.task === e.child);
          const result = cleared && r.kind === 'value' && r.tids?.child !== undefined ? { ...r, tids: { ...r.tids, child: 0 } } : r;
          push(e.task, { kind: 'resumed', call: done.call, result });
          break;
        }
        case 'tid_cleared': {
          // Cleared in exit_mm(), before the end: a thread de_thread() kills was announced superseded first.
          const ref = this.seqToRef.get(e.task);
          const end = out.findIndex((x) => x.task === ref && x.event.kind === 'superseded');
          if (ref !== undefined && end >= 0) out.splice(end, 0, { task: ref, event: { kind: 'tid_cleared' } });
          else push(e.task, { kind: 'tid_cleared' });
          break;
        }
        case 'wait_resumed':
          push(e.task, { kind: 'resumed', call: e.syscall, result: outcomeResult(e.syscall, e.outcome) });
          break;
        case 'tty_resumed':
          push(e.task, { kind: 'resumed', call: e.syscall, result: 'value' in e.result ? { kind: 'value', value: e.result.value } : { kind: 'errno', errno: errnoName(e.result.errno) } });
          break;
        case 'sigwait_resumed':
          push(e.task, { kind: 'resumed', call: e.syscall, result: sigWaitOutcomeResult(e.syscall, e.outcome, this.sigwaitInfo.delete(e.task)) });
          break;
        default:
          break;
      }
    }
    // Stops and continues describe the state a step leaves (all a poll of /proc can see on the kernel):
    // a task that also ended in this step reports only its end.
    const ended = new Set(out.filter((e) => e.event.kind === 'exited' || e.event.kind === 'killed' || e.event.kind === 'superseded').map((e) => e.task));
    const isState = (e: StepEvent): boolean => e.event.kind === 'stopped' || e.event.kind === 'continued';
    // A task continued and stopped again in one step (a restarted background read of the terminal)
    // is where it was: /proc shows no change, so neither does the model.
    const states = new Map<TaskRef, StepEvent[]>();
    for (const e of out) if (isState(e)) states.set(e.task, [...(states.get(e.task) ?? []), e]);
    const kept = new Set<StepEvent>();
    for (const list of states.values()) {
      const first = list[0]!;
      const last = list[list.length - 1]!;
      if (list.length === 1 || first.event.kind === last.event.kind) kept.add(list.length === 1 ? first : last);
    }
    // Within a task, the state it is left in comes after what it did (handlers, resumed waits).
    return [...out.filter((e) => !isState(e)), ...out.filter((e) => kept.has(e) && !ended.has(e.task))];
  }

  idOf(task: TaskRef, from: TaskRef): Promise<number> {
    const t = this.task(task);
    if (t.exitState === 'dead') return Promise.resolve(0);
    return Promise.resolve(t.tidIn(this.task(from).activeNs));
  }

  life(task: TaskRef): Promise<TaskLife> {
    const t = this.task(task);
    if (t.exitState !== 'alive') return Promise.resolve('exited');
    if (t.stopped) return Promise.resolve('stopped');
    return Promise.resolve(t.blocked !== null || t.vforkChild !== null ? 'blocked' : 'running');
  }

  private procfs(actor: TaskRef): ProcFs {
    return new ProcFs(this.kernel, this.task(actor).activeNs);
  }

  ps(actor: TaskRef): Promise<readonly PsRow[]> {
    return Promise.resolve(this.procfs(actor).readdir().map(({ pid, ppid, pgid, sid, state, name }) => ({ pid, ppid, pgid, sid, state, name })));
  }

  threads(actor: TaskRef, target: TaskRef): Promise<readonly number[] | null> {
    return Promise.resolve(this.procfs(actor).tasks(this.task(target)));
  }

  status(actor: TaskRef, target: TaskRef): Promise<StatusView | null> {
    return Promise.resolve(this.procfs(actor).status(this.task(target)));
  }

  /** The level of the actor's pid_for_children namespace (the host is level 0, ns0 level 1). */
  levelForChildren(actor: TaskRef): Promise<number | null> {
    return Promise.resolve(this.task(actor).nsForChildren.level);
  }

  ns(actor: TaskRef): Promise<NsView> {
    const links = this.procfs(actor).nsLinks(this.task(actor));
    const index = (name: string): number => Number(name.slice(2));
    return Promise.resolve({ pid: index(links.pid), pidForChildren: links.pidForChildren === null ? null : index(links.pidForChildren) });
  }

  otherNamespaces(actor: TaskRef): Promise<NamespacesView> {
    const s = this.kernel.nsSetOf(this.task(actor));
    return Promise.resolve({ mnt: s.mnt.index, uts: s.uts.index, ipc: s.ipc.index, cgroup: s.cgroup.index, net: s.net.index, time: s.time.index, timeForChildren: s.timeForChildren.index });
  }

  jobs(actor: TaskRef): Promise<readonly JobRow[]> {
    const fs = this.procfs(actor);
    return Promise.resolve(
      fs.readdir().map((r) => {
        const t = fs.lookup(r.pid)!;
        const { tpgid, tty } = fs.ttyOf(t);
        return { pid: r.pid, ppid: r.ppid, pgid: r.pgid, sid: r.sid, tpgid, tty: tty === null ? '?' : `pts/${tty}`, state: r.state, name: r.name };
      }),
    );
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

function verifyUnchanged(before: Snapshot, after: Snapshot, call: ResolvedCall, errno: string): void {
  // alloc_pid does not roll back the cursors of the levels that succeeded (a fork-family EAGAIN/ENOMEM).
  const forkFamily = callSpec(call.name)?.creates === 'task';
  // Counters (serials a failed clone used up) are not state Linux shows: see withoutCounters. Everything else is compared,
  // pending signals, handlers due and the kernel's queues included; cursors only for alloc_pid's own failures.
  const strip = (full: Snapshot): string => {
    const s = withoutCounters(full);
    return JSON.stringify(forkFamily && (errno === 'EAGAIN' || errno === 'ENOMEM') ? { ...s, namespaces: s.namespaces.map((n) => ({ ...n, cursor: 0 })) } : s);
  };
  // EINTR is how a call that sleeps for a signal (rt_sigsuspend, pause) returns: the delivery that woke it is its effect.
  if (errno === 'EINTR') return;
  if (strip(before) !== strip(after)) throw new Error(`model: ${call.name} failed with ${errno} but changed the model`);
}

export function createModelBackend(options: ModelBackendOptions = {}): Backend {
  return new ModelBackend(options);
}
