// The model backend: runs a scenario's calls on the TypeScript kernel and
// answers the runner's questions from the model's procfs. It speaks the same
// Backend interface as the real-kernel backend, so one printer serves both.

import { CLONE_THREAD } from '../abi/clone.js';
import { errnoName } from '../abi/errno.js';
import { siCodeName, Signal } from '../abi/signal.js';
import { hasFlag } from '../kernel/flags.js';
import { Kernel } from '../kernel/kernel.js';
import type { KernelEvent } from '../kernel/events.js';
import { snapshot, withoutCounters } from '../kernel/snapshot.js';
import type { Snapshot } from '../kernel/snapshot.js';
import type { Task } from '../kernel/task.js';
import type { WaitOutcome } from '../kernel/wait_types.js';
import { ProcFs } from '../procfs/procfs.js';
import { sysGetpgid, sysGetpgrp, sysGetpid, sysGetppid, sysGetsid, sysGettid, sysSetpgid, sysSetsid } from '../syscalls/ids.js';
import { nsFileOf, sysSetnsNamespace, sysSetnsPidfd, sysUnshare } from '../syscalls/ns.js';
import { sysClose, sysPidfdOpen } from '../syscalls/pidfd.js';
import { sysClone, sysClone3, sysExecve, sysExit, sysExitGroup, sysFork } from '../syscalls/process.js';
import type { Forked } from '../syscalls/process.js';
import type { SysResult } from '../syscalls/result.js';
import { sysKill, sysPidfdSendSignal, sysSignal, sysTgkill } from '../syscalls/signal.js';
import { sysPrctl, sysSetuid, sysSysctlRead, sysSysctlWrite } from '../syscalls/sys.js';
import { sysWait4, sysWaitid } from '../syscalls/wait.js';
import type { WaitCall } from '../syscalls/wait.js';
import { taskRef } from './backend.js';
import type { Backend, PresetTask, CallOutcome, CallResult, NewTask, NsView, PsRow, ResolvedCall, StatusView, StepEvent, TaskEvent, TaskLife, TaskRef } from './backend.js';

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

  constructor(private readonly options: ModelBackendOptions = {}) {}

  start(): Promise<void> {
    this.kernel = this.options.startFrom?.() ?? new Kernel();
    this.refs.clear();
    this.seqToRef.clear();
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
    this.options.afterStep?.(k);
    return Promise.resolve({ result, events: this.stepEvents(events) });
  }

  private dispatch(me: Task, call: ResolvedCall, child: NewTask): CallResult {
    const k = this.kernel;
    switch (call.name) {
      case 'fork':
        return this.forked(sysFork(k, me, child.comm), child);
      case 'clone': {
        // The language's clone implies SIGCHLD unless CLONE_THREAD or an explicit signal is given.
        const flags = (call.flags & 0xff) === 0 && !hasFlag(call.flags, CLONE_THREAD) ? call.flags + Signal.SIGCHLD : call.flags;
        return this.forked(sysClone(k, me, flags, child.comm), child);
      }
      case 'clone3':
        return this.forked(sysClone3(k, me, { flags: call.flags, setTid: call.setTid, exitSignal: call.exitSignal }, child.comm), child);
      case 'unshare':
        return value(sysUnshare(k, me, call.flags));
      case 'setns': {
        const target = call.target;
        if (target.kind === 'fd') return value(sysSetnsPidfd(k, me, target.fd, call.flags));
        const ns = nsFileOf(this.task(target.task), target.kind);
        if (typeof ns === 'number') return { kind: 'errno', errno: errnoName(ns) };
        return value(sysSetnsNamespace(k, me, ns, call.flags));
      }
      case 'exit':
        sysExit(k, me, call.code);
        return { kind: 'noreturn' };
      case 'exit_group':
        sysExitGroup(k, me, call.code);
        return { kind: 'noreturn' };
      case 'execve':
        return value(sysExecve(k, me));
      case 'wait4':
        return waitResult('wait4', sysWait4(k, me, call.pid, call.options));
      case 'waitid':
        return waitResult('waitid', sysWaitid(k, me, call.idtype, call.id, call.options));
      case 'kill':
        return value(sysKill(k, me, call.pid, call.sig));
      case 'tgkill':
        return value(sysTgkill(k, me, call.tgid, call.tid, call.sig));
      case 'pidfd_send_signal':
        return value(sysPidfdSendSignal(k, me, call.fd, call.sig));
      case 'signal':
        return value(sysSignal(k, me, call.sig, call.disposition));
      case 'getpid':
        return value(sysGetpid(k, me));
      case 'getppid':
        return value(sysGetppid(k, me));
      case 'gettid':
        return value(sysGettid(k, me));
      case 'getpgrp':
        return value(sysGetpgrp(k, me));
      case 'setsid':
        return value(sysSetsid(k, me));
      case 'getpgid':
        return value(sysGetpgid(k, me, call.pid));
      case 'getsid':
        return value(sysGetsid(k, me, call.pid));
      case 'setpgid':
        return value(sysSetpgid(k, me, call.pid, call.pgid));
      case 'prctl':
        return value(sysPrctl(k, me, call.option, call.arg));
      case 'pidfd_open': {
        const r = sysPidfdOpen(k, me, call.pid, call.flags);
        return r.ok ? { kind: 'fd', fd: r.value } : { kind: 'errno', errno: r.code };
      }
      case 'close':
        return value(sysClose(k, me, call.fd));
      case 'sysctl':
        return call.value === undefined ? value(sysSysctlRead(k, me, call.key)) : value(sysSysctlWrite(k, me, call.key, call.value));
      case 'setuid':
        return value(sysSetuid(k, me, call.uid));
    }
  }

  private forked(r: SysResult<Forked>, child: NewTask): CallResult {
    if (!r.ok) return { kind: 'errno', errno: r.code };
    this.bind(child.ref, r.value.child);
    return { kind: 'value', value: r.value.pid };
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
        case 'exited':
          if (superseded.has(e.task)) break;
          if ((e.status & 0x7f) === 0) push(e.task, { kind: 'exited', code: (e.status >> 8) & 0xff });
          else push(e.task, { kind: 'killed', signal: e.status & 0x7f });
          break;
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
        case 'wait_resumed':
          push(e.task, { kind: 'resumed', call: e.syscall, result: outcomeResult(e.syscall, e.outcome) });
          break;
        default:
          break;
      }
    }
    // Stops and continues describe the state a step leaves (all a poll of /proc can see on the kernel):
    // a task that also ended in this step reports only its end.
    const ended = new Set(out.filter((e) => e.event.kind === 'exited' || e.event.kind === 'killed' || e.event.kind === 'superseded').map((e) => e.task));
    const isState = (e: StepEvent): boolean => e.event.kind === 'stopped' || e.event.kind === 'continued';
    // Within a task, the state it is left in comes after what it did (handlers, resumed waits).
    return [...out.filter((e) => !isState(e)), ...out.filter((e) => isState(e) && !ended.has(e.task))];
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
    return Promise.resolve(t.blocked !== null ? 'blocked' : 'running');
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

  close(): Promise<void> {
    return Promise.resolve();
  }
}

function verifyUnchanged(before: Snapshot, after: Snapshot, call: ResolvedCall, errno: string): void {
  const forkFamily = call.name === 'fork' || call.name === 'clone' || call.name === 'clone3';
  // Counters (serials a failed clone used up) are not state Linux shows: see withoutCounters. Everything else is compared,
  // pending signals, handlers due and the kernel's queues included; cursors only for alloc_pid's own failures.
  const strip = (full: Snapshot): string => {
    const s = withoutCounters(full);
    return JSON.stringify(forkFamily && (errno === 'EAGAIN' || errno === 'ENOMEM') ? { ...s, namespaces: s.namespaces.map((n) => ({ ...n, cursor: 0 })) } : s);
  };
  if (strip(before) !== strip(after)) throw new Error(`model: ${call.name} failed with ${errno} but changed the model`);
}

function value(r: SysResult<number>): CallResult {
  return r.ok ? { kind: 'value', value: r.value } : { kind: 'errno', errno: r.code };
}

function waitResult(name: 'wait4' | 'waitid', r: SysResult<WaitCall>): CallResult {
  if (!r.ok) return { kind: 'errno', errno: r.code };
  if (r.value.kind === 'blocked') return { kind: 'unfinished' };
  return outcomeResult(name, r.value);
}

const CLD = ['', 'CLD_EXITED', 'CLD_KILLED', 'CLD_DUMPED', 'CLD_TRAPPED', 'CLD_STOPPED', 'CLD_CONTINUED'];

function outcomeResult(name: 'wait4' | 'waitid', o: WaitOutcome): CallResult {
  if (o.kind === 'error') return { kind: 'errno', errno: errnoName(o.errno) };
  if (name === 'wait4') {
    if (o.kind === 'none') return { kind: 'value', value: 0 };
    return { kind: 'wait4', pid: o.pid, status: o.status };
  }
  if (o.kind === 'none') return { kind: 'waitid', info: null };
  const s = o.status;
  const code = s.kind === 'exited' ? 1 : s.kind === 'killed' ? 2 : s.kind === 'stopped' ? 5 : 6;
  const status = s.kind === 'exited' ? s.code : s.kind === 'continued' ? Signal.SIGCONT : s.signal;
  return { kind: 'waitid', info: { pid: o.pid, code: CLD[code]!, status } };
}

export function createModelBackend(options: ModelBackendOptions = {}): Backend {
  return new ModelBackend(options);
}
