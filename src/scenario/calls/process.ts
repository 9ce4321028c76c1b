// The calls that make, change and end tasks: fork, clone, clone3, unshare,
// setns, exit, exit_group, execve.

import { CLONE_NEWPID, CLONE_THREAD } from '../../abi/clone.js';
import { errnoName } from '../../abi/errno.js';
import { isFail } from '../../kernel/result.js';
import { Signal } from '../../abi/signal.js';
import { nsFileOf, sysSetnsNamespace, sysSetnsPidfd, sysUnshare } from '../../syscalls/ns.js';
import { sysClone, sysClone3, sysExecve, sysExit, sysExitGroup, sysFork } from '../../syscalls/process.js';
import { MAX_PID_NS_LEVEL } from '../../abi/limits.js';
import { forked, noreturn, value } from './results.js';
import { Args, type CallSpec, type FuzzContext, type FuzzRule } from './spec.js';

const CSIGNAL = 0xff;

/** Wire kinds of the runner's `f` command: which system call makes the task. */
const FORK = 0;
const CLONE = 1;
const CLONE3 = 2;

/** fork(): clone with SIGCHLD. */
export const fork: CallSpec = {
  name: 'fork',
  params: [],
  creates: 'task',
  result: 'task',
  traits: () => ({ cloneFlags: 0 }),
  model: (ctx) => forked(ctx, sysFork(ctx.kernel, ctx.me, ctx.child.comm)),
  wire: (_a, ctx) => ({ op: 'f', args: [ctx.child.ref, ctx.child.comm, FORK, 0, Signal.SIGCHLD, -1] }),
  fuzz: [
    {
      weight: 12,
      generate: (c) => {
        const name = c.newName('p');
        return { line: `${c.actor.name}: fork() -> ${name}`, creates: { name, thread: false } };
      },
    },
  ],
};

const newTask = (c: FuzzContext, prefix: string, flags: string, thread: boolean): { line: string; creates: { name: string; thread: boolean } } => {
  const name = c.newName(prefix);
  return { line: `${c.actor.name}: clone(${flags}) -> ${name}`, creates: { name, thread } };
};

/**
 * clone(FLAGS): raw clone, the low byte the exit signal. The language implies
 * SIGCHLD unless CLONE_THREAD or an explicit signal is written (SCENARIO.md).
 */
export const clone: CallSpec = {
  name: 'clone',
  params: [{ name: 'flags', kind: { kind: 'flags', family: 'clone' } }],
  creates: 'task',
  result: 'task',
  normalize: (a) => {
    const flags = a.num(0);
    const implied = (flags & CSIGNAL) === 0 && (flags & CLONE_THREAD) === 0;
    return new Args([implied ? flags + Signal.SIGCHLD : flags]);
  },
  traits: (a) => ({ cloneFlags: withoutSignal(a.num(0)) }),
  model: (ctx, a) => forked(ctx, sysClone(ctx.kernel, ctx.me, a.num(0), ctx.child.comm)),
  wire: (a, ctx) => ({ op: 'f', args: [ctx.child.ref, ctx.child.comm, CLONE, withoutSignal(a.num(0)), a.num(0) & CSIGNAL, -1] }),
  fuzz: [
    { weight: 7, generate: (c) => newTask(c, 'n', 'CLONE_NEWPID', false) },
    { weight: 5, generate: (c) => newTask(c, 't', 'CLONE_THREAD|CLONE_SIGHAND|CLONE_VM', true) },
    {
      weight: 2,
      generate: (c) => newTask(c, 'q', c.pick(['CLONE_PARENT', 'CLONE_NEWUSER|CLONE_NEWPID', 'CLONE_NEWUSER', 'CLONE_SIGHAND|CLONE_VM'])!, false),
    },
  ],
};

/** Flags above the exit-signal byte; 2^32 and up (CLONE_CLEAR_SIGHAND) survive, which `&` would drop. */
function withoutSignal(flags: number): number {
  return flags - (flags & CSIGNAL);
}

/** clone3(flags=, set_tid=[...], exit_signal=): keys absent are zero, as clone3's zeroed struct clone_args. */
export const clone3: CallSpec = {
  name: 'clone3',
  params: [
    { name: 'flags', kind: { kind: 'flags', family: 'clone' }, optional: true },
    { name: 'set_tid', kind: { kind: 'list' }, optional: true },
    { name: 'exit_signal', kind: { kind: 'const', family: 'signal' }, optional: true },
  ],
  keywords: true,
  creates: 'task',
  result: 'task',
  traits: (a) => ({ cloneFlags: a.num(0, 0) }),
  model: (ctx, a) => forked(ctx, sysClone3(ctx.kernel, ctx.me, { flags: a.num(0, 0), setTid: a.list(1), exitSignal: a.num(2, 0) }, ctx.child.comm)),
  wire: (a, ctx) => {
    const setTid = a.list(1);
    const set = setTid === undefined ? [-1] : [setTid.length, ...setTid];
    return { op: 'f', args: [ctx.child.ref, ctx.child.comm, CLONE3, a.num(0, 0), a.num(2, 0), ...set] };
  },
  /**
   * SCENARIO.md: set_tid may choose numbers down to ns0's level, not the
   * host's. A child at level L has L + 1 numbers (level 0 is the host's), so
   * exactly L + 1 entries would choose the host's; more are EINVAL, left to
   * the call (as are more than MAX_PID_NS_LEVEL, which clone3 refuses first).
   */
  check: async (args, ctx) => {
    const setTid = args[1];
    if (setTid?.kind !== 'list') return;
    const last = setTid.items[setTid.items.length - 1];
    if (last === undefined || setTid.items.length > MAX_PID_NS_LEVEL) return;
    const level = await ctx.levelForChildren();
    if (level === null) return;
    const flags = args[0];
    const newPid = flags?.kind === 'flags' && (flags.value & CLONE_NEWPID) !== 0;
    const childLevel = level + (newPid ? 1 : 0);
    if (setTid.items.length === childLevel + 1) {
      ctx.fail(last.pos, `set_tid would choose the host's number: a child at level ${childLevel} takes at most ${childLevel} entries here (ns0 is level 1)`);
    }
  },
  fuzz: [
    {
      weight: 3,
      generate: (c) => {
        const name = c.newName('c');
        const sig = c.chance(0.7) ? ', exit_signal=SIGCHLD' : '';
        const args = c.chance(0.5) ? `flags=CLONE_NEWPID, set_tid=[1${c.chance(0.3) ? `, ${c.int(2, 12)}` : ''}]` : `set_tid=[${c.int(2, 12)}]`;
        return { line: `${c.actor.name}: clone3(${args}${sig}) -> ${name}`, creates: { name, thread: false } };
      },
    },
  ],
};

export const unshare: CallSpec = {
  name: 'unshare',
  params: [{ name: 'flags', kind: { kind: 'flags', family: 'clone' } }],
  result: 'value',
  traits: (a) => ({ unsharesPid: (a.num(0) & CLONE_NEWPID) !== 0 }),
  model: (ctx, a) => value(sysUnshare(ctx.kernel, ctx.me, a.num(0))),
  wire: (a) => ({ op: 'u', args: [a.num(0)] }),
  fuzz: [{ weight: 4, generate: (c) => ({ line: `${c.actor.name}: unshare(CLONE_NEWPID)` }) }],
};

/** setns(TARGET, FLAGS): TARGET is ns(b) / ns_for_children(b), opened out of band, or a pidfd. */
export const setns: CallSpec = {
  name: 'setns',
  params: [
    { name: 'target', kind: { kind: 'nsfile' } },
    { name: 'flags', kind: { kind: 'flags', family: 'clone' } },
  ],
  result: 'value',
  traits: () => ({ setsNs: true }),
  model: (ctx, a) => {
    const target = a.nsTarget(0);
    if (target.kind === 'fd') return value(sysSetnsPidfd(ctx.kernel, ctx.me, target.fd, a.num(1)));
    // Opening the namespace file can fail before setns runs (ENOENT for a pid_for_children not yet made).
    const ns = nsFileOf(ctx.task(target.task), target.kind);
    if (isFail(ns)) return { kind: 'errno', errno: errnoName(ns.errno) };
    return value(sysSetnsNamespace(ctx.kernel, ctx.me, ns, a.num(1)));
  },
  wire: (a, ctx) => {
    const target = a.nsTarget(0);
    if (target.kind === 'fd') return { op: 's', args: [target.fd, a.num(1)] };
    return { op: 's', args: [-1, a.num(1)], passFile: ctx.nsFile(target.task, target.kind === 'ns' ? 'pid' : 'pid_for_children') };
  },
  fuzz: [
    {
      weight: 3,
      generate: (c) => {
        const target = c.pick(c.living());
        if (target === undefined) return null;
        return { line: `${c.actor.name}: setns(${c.chance(0.7) ? 'ns' : 'ns_for_children'}(${target.name}), CLONE_NEWPID)` };
      },
    },
    {
      weight: 1,
      generate: (c) => {
        const fd = c.pick(c.actor.fds);
        return fd === undefined ? null : { line: `${c.actor.name}: setns(${fd}, CLONE_NEWPID)` };
      },
    },
  ],
};

/** Keep something alive to call with; init's end (the namespace's end) now and then. */
function exitRule(name: 'exit' | 'exit_group', weight: number): readonly FuzzRule[] {
  return [
    {
      weight,
      generate: (c) => {
        if (c.alive <= 2 && c.chance(0.8)) return null;
        const ending = name === 'exit_group' ? c.actor.leader : c.actor.name;
        if (ending === 'init' && c.chance(0.85)) return null;
        return { line: `${c.actor.name}: ${name}(${c.int(0, 3)})` };
      },
    },
  ];
}

/** exit(CODE): the thread exits (SYS_exit). */
export const exit: CallSpec = {
  name: 'exit',
  params: [{ name: 'code', kind: { kind: 'int', what: 'an exit code' } }],
  result: 'noreturn',
  model: (ctx, a) => {
    sysExit(ctx.kernel, ctx.me, a.num(0));
    return noreturn();
  },
  wire: (a) => ({ op: 'x', args: [a.num(0)] }),
  fuzz: exitRule('exit', 3),
};

export const exit_group: CallSpec = {
  name: 'exit_group',
  params: [{ name: 'code', kind: { kind: 'int', what: 'an exit code' } }],
  result: 'noreturn',
  model: (ctx, a) => {
    sysExitGroup(ctx.kernel, ctx.me, a.num(0));
    return noreturn();
  },
  wire: (a) => ({ op: 'X', args: [a.num(0)] }),
  fuzz: exitRule('exit_group', 4),
};

/** execve(): a new image (de_thread: a non-leader caller takes over the leader's pid); comm stays the actor's name. */
export const execve: CallSpec = {
  name: 'execve',
  params: [],
  result: 'value',
  traits: () => ({ execs: true }),
  model: (ctx) => value(sysExecve(ctx.kernel, ctx.me)),
  wire: () => ({ op: 'e', args: [] }),
  fuzz: [{ weight: 1, generate: (c) => ({ line: `${c.actor.name}: execve()` }) }],
};
