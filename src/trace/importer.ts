// strace log -> scenario, in two passes. The first streams the trace's lines
// (never held whole), keeps the records of identity calls, pairs each
// `<unfinished ...>` with its `resumed` line, links each clone to the task it
// made and finds each task's program; the second writes one step per kept
// identity call in the order the calls began, with the trace's result as the
// expectation. The start state mirrors the recipe (`unshare --pid --fork
// strace -f`): `init` is the unshare outside, `strace` pid 1 of a fresh
// namespace, its probe processes fork, exit and are reaped, then it forks the
// traced program.

import { plainResult, type CallContext, type Mapped } from './calls.js';
import { signalArgs } from './table.js';
import { KERNEL_CODES, linesOf, openNs, sanitize, SI_CHILD, type Proc, type Task } from './import_state.js';
import { beforeStep, closeFrame, newMaskState, openFrame } from './frames.js';
import { setTerms, signalEffects, straceSigset } from './sigcalls.js';
import { FD_MOVES, moveTtyFds } from './ttycalls.js';
import { actionPair } from './pairs.js';
import { sends, SUPERSEDED, survey, TABLE, type Expectation, type ExpectedEvent, type ImportResult, type ListedCall, type Survey, type TraceSource } from './survey.js';
import { splitArgs, structFields, TraceError, type TraceRecord, type TraceResult } from './lexer.js';
import { scenarioSignal, straceSignal } from './signals.js';
import { scenarioHeader } from './header.js';

class Generator2 {
  readonly tasks = new Map<number, Task>();
  private readonly names = new Set<string>(['init', 'strace']);
  private readonly body: string[] = [];
  private readonly expectations: { index: number; e: Expectation }[] = [];
  private readonly caught = new Map<string, ExpectedEvent[]>();
  private readonly ends = new Map<string, ExpectedEvent>();
  private readonly stops = new Map<string, ExpectedEvent[]>();
  private readonly unexpressed = new Map<string, number[]>();
  private readonly approximated = new Map<string, number[]>();
  private readonly dropped = new Map<string, number>();
  private readonly open = new Map<number, { line: number; name: string; args: string }>();
  private readonly parked = new Map<number, (() => void)[]>();
  /** Signals traced tasks sent with kill-family calls, by number: their deliveries are not the outside's. */
  private readonly sent = new Map<number, number>();
  private readonly uncompared = new Set<string>();
  private footprint = 0;
  private setTidAddress = 0;

  constructor(
    private readonly source: TraceSource,
    private readonly s: Survey,
  ) {}

  private nameFor(pid: number, since: number, inherited: string): { actor: string; base: string } {
    const exec = (this.s.execs.get(pid) ?? []).find((e) => e.line >= since);
    const base = exec === undefined ? inherited : sanitize(exec.name);
    const suffix = `_${pid}`;
    let actor = `${base.slice(0, 15 - suffix.length)}${suffix}`;
    for (let k = 2; this.names.has(actor); k++) {
      const sfx = `_${pid}_${k}`;
      actor = `${base.slice(0, 15 - sfx.length)}${sfx}`;
    }
    this.names.add(actor);
    return { actor, base };
  }

  private list(map: Map<string, number[]>, why: string, line: number): void {
    const l = map.get(why);
    if (l === undefined) map.set(why, [line]);
    else l.push(line);
  }

  private emit(line: string): number {
    this.body.push(line);
    return this.body.length - 1;
  }

  run(): ImportResult {
    const root = this.s.rootPid;
    this.emit('init: clone(CLONE_NEWPID) -> strace = 2  # unshare --pid --fork: strace is pid 1 of a fresh PID namespace');
    for (let p = 2; p < root; p++) {
      this.emit(`strace: fork() -> probe = ${p}  # one of strace's probe processes, before the program starts`);
      this.emit('probe: exit_group(0) = ?');
      this.emit(`strace: wait4(${p}, 0) = ${p} {exited 0}`);
    }
    const { actor, base } = this.nameFor(root, 0, 'prog');
    const proc: Proc = { tgid: root, fds: new Map(), ttys: new Map(), nsFiles: new Map(), handlers: new Map(), actions: new Map(), masked: false, threads: new Set(), children: new Map() };
    const task: Task = { pid: root, actor, base, proc, viewPid: root, parent: null, ended: false, mask: newMaskState(null) };
    proc.threads.add(task);
    this.tasks.set(root, task);
    this.emit(`strace: fork() -> ${actor} = ${root}  # the traced program (its execve is the trace's first line)`);

    const kept = this.s.kept;
    for (let i = 0; i < kept.length; i++) {
      const [n, r] = kept[i]!;
      this.at = i;
      if (this.merged.delete(n)) continue;
      this.record(n, r, r.pid ?? root);
      const due = this.parked.get(n);
      if (due !== undefined) {
        this.parked.delete(n);
        for (const f of due) f();
      }
    }
    return this.result();
  }

  private task(pid: number, line: number): Task {
    const t = this.tasks.get(pid);
    if (t === undefined) {
      throw new TraceError(this.source.name, line, `task ${pid} appears, but no traced call created it (keep fork, vfork, clone and clone3 in -e trace=)`);
    }
    return t;
  }

  private record(n: number, r: TraceRecord, pid: number): void {
    switch (r.kind) {
      case 'call':
        this.call(n, pid, r.name, r.args, r.result);
        return;
      case 'unfinished': {
        const prev = this.open.get(pid);
        if (prev !== undefined && prev.name === r.name) return;
        this.open.set(pid, { line: n, name: r.name, args: r.args });
        const end = this.s.ends.get(n);
        // A call that never ended (its task died in it, or the trace ends): no result to compare.
        if (end === undefined) {
          if (TABLE.has(r.name)) this.list(this.unexpressed, `${r.name} that never returned in the trace (its task died in the call, or the trace ends)`, n);
          return;
        }
        this.call(n, pid, r.name, r.args + end.args, end.result, end.endLine);
        return;
      }
      case 'resumed':
        this.open.delete(pid);
        return;
      case 'signal':
        this.signal(n, pid, r.signal, r.info, r.stopped);
        return;
      case 'exited':
      case 'killed': {
        const t = this.tasks.get(pid);
        if (t === undefined) return;
        const text = r.kind === 'exited' ? `+++ exited with ${r.code} +++` : `+++ killed by ${scenarioSignal(straceSignal(r.signal) ?? 0)} +++`;
        this.ends.set(t.actor, { traceLine: n, text, signal: null, nameOnly: false });
        return;
      }
      case 'note': {
        const m = SUPERSEDED.exec(r.text);
        const execing = m === null ? undefined : this.tasks.get(Number(m[1]));
        const leader = this.tasks.get(pid);
        if (execing === undefined || leader === undefined) return;
        // From here on the trace names the exec'ing thread by the leader's pid, and the leader is gone.
        leader.ended = true;
        this.tasks.set(pid, execing);
        const opened = this.open.get(execing.pid);
        if (opened !== undefined) this.open.set(pid, opened);
        return;
      }
    }
  }

  /** Split argument lists by their text: traces repeat the same calls (masks, dispositions) many times. */
  private readonly argCache = new Map<string, readonly string[]>();

  private argsOf(text: string): readonly string[] {
    let args = this.argCache.get(text);
    if (args === undefined) {
      if (this.argCache.size >= 4096) this.argCache.clear();
      args = splitArgs(text);
      this.argCache.set(text, args);
    }
    return args;
  }

  /** One context object, refilled for each call (a call's entry reads it before the next call). */
  private readonly ctx = new (class implements CallContext {
    t: Task | null = null;
    args: readonly string[] = [];
    result: TraceResult = { kind: 'unknown', errno: null };
    line = 0;
    endLine = 0;
    constructor(private readonly g: Generator2) {}
    actorOf(pid: number): string | null {
      return this.g.tasks.get(pid)?.actor ?? null;
    }
    fdName(fd: number): string | null {
      return this.t?.proc.fds.get(fd) ?? null;
    }
    tty(fd: number): { name: string; master: boolean; ptn?: number } | null {
      return this.t?.proc.ttys.get(fd) ?? null;
    }
    nsFile(fd: number): { kind: 'ns' | 'ns_for_children'; actor: string } | null {
      return this.t?.proc.nsFiles.get(fd) ?? null;
    }
    ended(pid: number): boolean {
      const child = this.t?.proc.children.get(pid);
      return (child ?? this.g.tasks.get(pid))?.ended ?? false;
    }
  })(this);

  private context(t: Task, args: readonly string[], result: TraceResult, line: number, endLine: number): CallContext {
    const c = this.ctx;
    c.t = t;
    c.args = args;
    c.result = result;
    c.line = line;
    c.endLine = endLine;
    return c;
  }

  /** The index in the kept records of the one being written; records merged into an earlier step. */
  private at = 0;
  private readonly merged = new Set<number>();
  private pairedWith = 0;

  /** A query of an action merged with the set that follows it (pairs.ts): one step. */
  private mergeQuery(n: number, t: Task, argText: string, result: TraceResult): boolean {
    if (t.proc.threads.size !== 1) return false;
    const p = actionPair(this.s, this.at, t.pid, argText, result, (x) => this.argsOf(x));
    if (p === null) return false;
    this.merged.add(p.line);
    this.pairedWith = p.line;
    this.call(n, t.pid, 'rt_sigaction', p.args, result);
    this.pairedWith = 0;
    return true;
  }

  /** A call that began on line n and ended on `endLine` (n for a whole line). */
  private call(n: number, pid: number, name: string, argText: string, result: TraceResult, endLine = n): void {
    const t = this.task(pid, n);
    if ((name === 'openat' || name === 'open') && result.kind === 'value') {
      openNs(t, name === 'open' ? argText : splitArgs(argText)[1] ?? '', result.value, (pid) => this.tasks.get(pid));
    }
    if (FD_MOVES.has(name)) moveTtyFds(t.proc.ttys, name, this.argsOf(argText), result);
    if (name === 'rt_sigreturn') {
      const put = closeFrame(t.mask, straceSigset(structFields(argText).get('mask')));
      if (put !== null) this.emit(`${t.actor}: rt_sigprocmask(SIG_SETMASK, ${setTerms(put)})  # line ${n}: rt_sigreturn puts back the mask outside the handler`);
      return;
    }
    if (name === 'rt_sigaction' && this.mergeQuery(n, t, argText, result)) return;
    const entry = TABLE.get(name);
    if (entry === undefined) {
      return;
    }
    const args = this.argsOf(argText);
    const mapped = entry(this.context(t, args, result, n, endLine));
    switch (mapped.kind) {
      case 'skip':
        return;
      case 'unexpressed':
        this.list(this.unexpressed, mapped.why, n);
        // A mask or a signal wait the step cannot say: the signals it would hold back or take are not compared.
        if (/^(rt_sig|signalfd|pause$|read$)/.test(name)) t.proc.masked = true;
        return;
      case 'step':
        break;
    }
    if (name === 'set_tid_address') this.setTidAddress++;
    if (mapped.approx !== undefined) this.list(this.approximated, mapped.approx, n);
    if (mapped.missing !== undefined) this.list(this.unexpressed, mapped.missing, n);
    if (mapped.dropped !== undefined) this.dropped.set(mapped.dropped, (this.dropped.get(mapped.dropped) ?? 0) + 1);
    const write = (): void => { this.step(n, endLine, t, name, args, result, mapped); };
    // A signal takes effect when its victim next leaves the kernel: the calls the victim made
    // while the sender was still inside kill() came first. Such a kill is written where it returned.
    const after = mapped.creates === 'task' ? this.s.releaseAfter.get(n) : sends(name) ? endLine : undefined;
    if (after !== undefined && after > n) {
      const list = this.parked.get(after) ?? [];
      list.push(write);
      this.parked.set(after, list);
    } else {
      write();
    }
  }

  private step(n: number, endLine: number, t: Task, name: string, args: readonly string[], result: TraceResult, m: Extract<Mapped, { kind: 'step' }>): void {
    let bind = '';
    if (m.creates === 'task' && result.kind === 'value' && result.value > 0) {
      const childPid = this.s.childOf.get(n) ?? result.value;
      const thread = m.call.includes('CLONE_THREAD');
      const { actor, base } = this.nameFor(childPid, n, t.base);
      const shareFiles = m.call.includes('CLONE_FILES') || thread;
      const proc: Proc = thread
        ? t.proc
        : {
            tgid: childPid,
            fds: shareFiles ? t.proc.fds : new Map(t.proc.fds),
            ttys: shareFiles ? t.proc.ttys : new Map(t.proc.ttys),
            nsFiles: new Map(t.proc.nsFiles),
            handlers: m.call.includes('CLONE_SIGHAND') ? t.proc.handlers : new Map(t.proc.handlers),
            actions: m.call.includes('CLONE_SIGHAND') ? t.proc.actions : new Map(t.proc.actions),
            masked: t.proc.masked,
            threads: new Set(),
            children: new Map(),
          };
      const parent = m.call.includes('CLONE_PARENT') || thread ? t.parent : t;
      const child: Task = { pid: childPid, actor, base, proc, viewPid: result.value, parent, ended: false, mask: newMaskState(t.mask.blocked) };
      proc.threads.add(child);
      if (!thread) parent?.proc.children.set(result.value, child);
      this.tasks.set(childPid, child);
      bind = ` -> ${actor}`;
    } else if (m.creates === 'fd' && result.kind === 'value') {
      const fdName = m.fdName ?? `fd${result.value}`;
      if (m.tty !== undefined) t.proc.ttys.set(result.value, { name: fdName, ...m.tty });
      else t.proc.fds.set(result.value, fdName);
      bind = ` -> ${fdName}`;
    }
    const shown = m.blocks === true ? ' = <unfinished ...>' : m.partial === true ? '' : ` = ${m.expect}`;
    const where = this.pairedWith !== 0 ? `lines ${n} and ${this.pairedWith}` : endLine === n ? `line ${n}` : `lines ${n}-${endLine}`;
    const trailer = m.blocks === true || m.partial === true ? `  # ${where}: returns ${m.expect}` : `  # ${where}`;
    // Inside a handler frame (frames.ts): the step that gives the task the handler's mask comes first.
    const frame = beforeStep(t.mask);
    if (frame.unknown) {
      this.list(this.approximated, 'a call made inside a signal handler whose mask the trace does not show runs under the mask outside it (the task\'s handled signals are not compared)', n);
      this.uncompared.add(t.actor);
    } else if (t.mask.frames.length > 0) {
      this.list(this.approximated, 'a call made inside a signal handler runs after the recording handler returned, under the handler\'s mask (an rt_sigprocmask step sets it, another puts back the mask rt_sigreturn restores)', n);
    }
    if (frame.set !== null) this.emit(`${t.actor}: rt_sigprocmask(SIG_SETMASK, ${setTerms(frame.set)})  # line ${n}: the handler's mask (the mask at delivery, sa_mask, the signal)`);
    const index = this.emit(`${t.actor}: ${m.call}${bind}${shown}${trailer}`);
    this.expectations.push({ index, e: { traceLine: endLine, actor: t.actor, call: m.call, result: m.expect, ...(m.partial === true ? { partial: true } : {}) } });
    this.effects(t, name, args, result, m);
  }

  /** What a written step changes in the importer's picture of the tasks. */
  private effects(t: Task, name: string, args: readonly string[], result: TraceResult, m: Extract<Mapped, { kind: 'step' }>): void {
    const ok = result.kind === 'value';
    switch (name) {
      case 'exit_group':
        for (const x of t.proc.threads) x.ended = true;
        return;
      case 'exit':
        t.ended = true;
        return;
      case 'execve':
      case 'execveat': {
        // Handlers reset to SIG_DFL at exec (flush_signal_handlers); other threads are gone (de_thread);
        // close-on-exec fds close (pidfds always are; signalfds named sigfdN were opened without SFD_CLOEXEC).
        if (!ok) return;
        for (const [sig, d] of t.proc.handlers) if (d === 'catch') t.proc.handlers.set(sig, 'SIG_DFL');
        t.proc.actions.clear();
        // exec unshares a table shared by CLONE_FILES before closing (unshare_files), so the copy is this process's own.
        t.proc.fds = new Map([...t.proc.fds].filter(([, fdName]) => fdName.startsWith('sigfd')));
        t.proc.ttys = new Map([...t.proc.ttys].filter(([, f]) => !f.cloexec));
        for (const x of t.proc.threads) if (x !== t) x.ended = true;
        t.base = this.s.execs.get(t.pid)?.[0]?.name ?? t.base;
        return;
      }
      case 'rt_sigaction':
      case 'rt_sigprocmask':
      case 'rt_sigsuspend':
        // rt_sigsuspend always ends in an error (EINTR): its mask matters for the delivery that ended it.
        if (ok || name === 'rt_sigsuspend') signalEffects(t, name, args, m.call);
        return;
      case 'close':
        if (ok) t.proc.fds.delete(Number(args[0]));
        return;
      default: {
        // A call that sends a signal: which argument is the signal and which the victim, from the call table.
        const where = name === 'pidfd_send_signal' ? { sig: 1, victim: -1 } : signalArgs(name);
        if (where === null) return;
        const sig = straceSignal(args[where.sig] ?? '');
        if (!ok || sig === null || sig === 0) return;
        // A signal to a group or to all (an id <= 0) can reach any number of tasks: its deliveries are all the tree's.
        const target = where.victim < 0 ? null : Number(args[where.victim]);
        this.sent.set(sig, target !== null && target <= 0 ? Infinity : (this.sent.get(sig) ?? 0) + 1);
        const victim = target === null ? undefined : this.tasks.get(target);
        if (victim !== undefined && victim.proc.handlers.get(sig) !== 'catch') for (const x of victim.proc.threads) x.ended = true;
        return;
      }
    }
  }

  private signal(n: number, pid: number, name: string, info: string, stopped: boolean): void {
    const t = this.tasks.get(pid);
    if (t === undefined) return;
    const sig = straceSignal(name);
    if (sig === null) throw new TraceError(this.source.name, n, `unknown signal ${name}`);
    if (stopped) {
      const list = this.stops.get(t.actor) ?? [];
      list.push({ traceLine: n, text: `+++ stopped by ${scenarioSignal(sig)} +++`, signal: sig, nameOnly: false });
      this.stops.set(t.actor, list);
      return;
    }
    const f = structFields(`{${info}}`);
    const code = f.get('si_code') ?? 'SI_USER';
    const siPid = f.get('si_pid') ?? '0';
    let outside = false;
    let nameOnly = false;
    if (!SI_CHILD.test(code)) {
      const sent = this.sent.get(sig) ?? 0;
      if (!KERNEL_CODES.test(code) && sent > 0) {
        if (sent !== Infinity) this.sent.set(sig, sent - 1);
      } else {
        outside = true;
        nameOnly = code !== 'SI_USER' || siPid !== '0';
      }
    }
    if (outside) {
      const why = nameOnly ? `  # line ${n}: ${name} (si_code=${code}) came from the kernel, not a traced call: the outside actor's kill stands in` : `  # line ${n}: ${name} from outside the traced tree`;
      if (nameOnly) this.list(this.approximated, `${name} sent by the kernel (si_code=${code}), replayed as a kill from outside`, n);
      this.emit(`init: kill($${t.actor}, ${scenarioSignal(sig)}) = 0${why}`);
    }
    if (t.proc.handlers.get(sig) !== 'catch') {
      this.footprint++;
      return;
    }
    const status = SI_CHILD.test(code) ? `, si_status=${code === 'CLD_EXITED' ? (f.get('si_status') ?? '0') : scenarioSignal(straceSignal(f.get('si_status') ?? '') ?? 0)}` : '';
    const text = `--- ${scenarioSignal(sig)} {si_pid=${siPid}, si_code=${code}${status}} ---`;
    const list = this.caught.get(t.actor) ?? [];
    list.push({ traceLine: n, text, signal: sig, nameOnly });
    this.caught.set(t.actor, list);
    if (this.s.sigreturns) openFrame(t.mask, sig, t.proc.actions.get(sig));
  }

  private result(): ImportResult {
    for (const t of this.tasks.values()) if (t.proc.masked) this.uncompared.add(t.actor);
    for (const actor of this.uncompared) this.caught.delete(actor);
    const header = this.header();
    const offset = header.length;
    const expectations = new Map<number, Expectation>();
    for (const { index, e } of this.expectations) expectations.set(offset + index + 1, e);
    const listed = (m: Map<string, number[]>): ListedCall[] => [...m.entries()].map(([why, lines]) => ({ why, lines }));
    return {
      scenario: `${[...header, ...this.body].join('\n')}\n`,
      expectations,
      caught: this.caught,
      stops: this.stops,
      uncomparedSignals: this.uncompared,
      ends: this.ends,
      tracedEnds: this.s.hasEnds,
      unexpressed: listed(this.unexpressed),
      approximated: listed(this.approximated),
      stats: { lines: this.s.lines, calls: this.s.calls, steps: this.expectations.length, skipped: this.s.calls - this.expectations.length, footprintSignals: this.footprint },
    };
  }

  private header(): string[] {
    const { dropped, setTidAddress, footprint, uncompared, unexpressed, approximated } = this;
    return scenarioHeader({ source: this.source.name, lines: this.s.lines, steps: this.expectations.length, rootPid: this.s.rootPid, dropped, setTidAddress, footprint, uncompared, unexpressed, approximated });
  }
}

/** Turns a trace into a scenario, reading `source` once. Throws TraceError on bad input. */
export function importTrace(source: TraceSource): ImportResult {
  return new Generator2(source, survey(source)).run();
}

/** importTrace over a text in memory (the visualizer, tests). */
export function importTraceText(text: string, name = 'trace'): ImportResult {
  return importTrace({ name, lines: () => linesOf(text) });
}

export { linesOf, plainResult };
export type { Expectation, ExpectedEvent, ImportResult, ListedCall, TraceSource };
