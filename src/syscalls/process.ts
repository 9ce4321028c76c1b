// fork, clone, clone3, exit, exit_group, execve: argument decoding as the
// syscall entry points do it (kernel/fork.c, kernel/exit.c, fs/exec.c).

import { CLONE_THREAD, CSIGNAL, CLONE_DETACHED, CLONE_NEWTIME, CLONE_SIGHAND, CLONE_CLEAR_SIGHAND, CLONE_PARENT, CLONE_INTO_CGROUP, CLONE_PARENT_SETTID, CLONE_CHILD_SETTID, CLONE_PIDFD, CLONE_VFORK } from '../abi/clone.js';
import { Errno } from '../abi/errno.js';
import { MAX_PID_NS_LEVEL } from '../abi/limits.js';
import { Signal, validSignal } from '../abi/signal.js';
import { exitCodeWord } from '../abi/wait.js';
import { doExecve } from '../kernel/exec.js';
import { doExit, doGroupExit } from '../kernel/exit.js';
import { anyFlag, hasFlag, withoutFlags } from '../kernel/flags.js';
import { copyProcess } from '../kernel/fork.js';
import type { Kernel } from '../kernel/kernel.js';
import { fail, isFail } from '../kernel/result.js';
import type { Task } from '../kernel/task.js';
import { syscall } from './result.js';
import type { SysResult } from './result.js';

/** What fork-family calls return: the child's id as the caller sees it, and the child. */
export interface Forked {
  readonly pid: number;
  readonly child: Task;
  /** CLONE_PARENT_SETTID: the word written to parent_tid, in the parent's memory (pid_vnr, as the return value). */
  readonly parentTid?: number;
  /** CLONE_CHILD_SETTID: the word schedule_tail() writes to child_tid, in the child: task_pid_vnr(child), its own namespace's view. */
  readonly childTid?: number;
  /** CLONE_PIDFD: the fd installed in the caller's table. */
  readonly pidfd?: number;
  /** CLONE_VFORK: the caller now waits in wait_for_vfork_done() until the child execs or exits. */
  readonly vfork?: boolean;
}

/** kernel_clone() after copy_process(): the return value and the words written through the pointers. */
/** The flags that make kernel_clone() report more than the child's number. */
const REPORTING = CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | CLONE_PIDFD | CLONE_VFORK;

function forkedOf(k: Kernel, me: Task, flags: number, child: Task): Forked {
  // kernel_clone(): "nr = pid_vnr(pid)"; "if (clone_flags & CLONE_PARENT_SETTID) put_user(nr, args->parent_tid)"
  const pid = child.tidIn(me.activeNs);
  // A plain fork (the benchmark's hot path) makes one small object, no spreads.
  if (flags === 0 || (flags & REPORTING) === 0) return { pid, child };
  // CLONE_PIDFD: pidfd_prepare() runs after copy_files(), so a copied table does not hold it (a shared one
  // does); a thread gets a PIDFD_THREAD pidfd (Linux 6.9+). Always O_CLOEXEC. EMFILE was checked first.
  const pidfd = hasFlag(flags, CLONE_PIDFD) ? me.group.ownFiles(k).install({ pid: child.pid, thread: hasFlag(flags, CLONE_THREAD), nonblock: false }) : -1;
  return {
    pid,
    child,
    ...(hasFlag(flags, CLONE_PARENT_SETTID) ? { parentTid: pid } : {}),
    ...(hasFlag(flags, CLONE_CHILD_SETTID) ? { childTid: child.tidIn(child.activeNs) } : {}),
    ...(pidfd >= 0 ? { pidfd } : {}),
    ...(me.vforkChild === child ? { vfork: true } : {}),
  };
}

function cloneAs(k: Kernel, me: Task, flags: number, exitSignal: number, setTid: readonly number[], comm: string | undefined): SysResult<Forked> {
  return syscall(k, () => {
    // kernel_clone(): legacy clone passes parent_tidptr as both pidfd and parent_tid, and
    // "if ((args->flags & CLONE_PIDFD) && (args->flags & CLONE_PARENT_SETTID) && (args->pidfd == args->parent_tid)) return -EINVAL".
    if (hasFlag(flags, CLONE_PIDFD) && hasFlag(flags, CLONE_PARENT_SETTID)) return fail(Errno.EINVAL);
    const child = copyProcess(k, me, { flags, exitSignal, setTid, comm });
    if (isFail(child)) return child;
    return forkedOf(k, me, flags, child);
  });
}

export function sysFork(k: Kernel, me: Task, comm?: string): SysResult<Forked> {
  return cloneAs(k, me, 0, Signal.SIGCHLD, [], comm);
}

/**
 * clone(flags): the low byte is the exit signal. The scenario language's
 * clone implies SIGCHLD unless CLONE_THREAD; pass it in `flags` to choose.
 */
export function sysClone(k: Kernel, me: Task, flags: number, comm?: string): SysResult<Forked> {
  const exitSignal = flags & CSIGNAL;
  return cloneAs(k, me, withoutFlags(flags, CSIGNAL), exitSignal, [], comm);
}

export interface Clone3Args {
  readonly flags: number;
  /** Undefined: set_tid NULL with size 0. */
  readonly setTid?: readonly number[] | undefined;
  readonly exitSignal?: number | undefined;
}

/** clone3(): copy_clone_args_from_user() and clone3_args_valid() first. */
export function sysClone3(k: Kernel, me: Task, args: Clone3Args, comm?: string): SysResult<Forked> {
  const flags = args.flags;
  const exitSignal = args.exitSignal ?? 0;
  const setTid = args.setTid;
  return syscall(k, () => {
    if (setTid !== undefined && setTid.length > MAX_PID_NS_LEVEL) return fail(Errno.EINVAL);
    if (setTid !== undefined && setTid.length === 0) return fail(Errno.EINVAL);
    if (exitSignal < 0 || exitSignal > CSIGNAL || !validSignal(exitSignal)) return fail(Errno.EINVAL);
    // Unknown flags; the CSIGNAL bits (but CLONE_NEWTIME) and CLONE_DETACHED are reserved in clone3.
    if (withoutFlags(flags, 0xffffffff + CLONE_CLEAR_SIGHAND + CLONE_INTO_CGROUP) !== 0) return fail(Errno.EINVAL);
    if (anyFlag(flags, CLONE_DETACHED | (CSIGNAL & ~CLONE_NEWTIME))) return fail(Errno.EINVAL);
    // CLONE_CLEAR_SIGHAND is bit 32: `|` would drop it, so the two bits are added.
    if (hasFlag(flags, CLONE_SIGHAND + CLONE_CLEAR_SIGHAND)) return fail(Errno.EINVAL);
    if (anyFlag(flags, CLONE_THREAD | CLONE_PARENT) && exitSignal !== 0) return fail(Errno.EINVAL);
    const child = copyProcess(k, me, { flags, exitSignal, setTid: setTid ?? [], comm });
    if (isFail(child)) return child;
    return forkedOf(k, me, flags, child);
  });
}

export function sysExit(k: Kernel, me: Task, code: number): SysResult<never> {
  return syscall(k, () => {
    doExit(k, me, exitCodeWord(code));
    return undefined as never;
  });
}

export function sysExitGroup(k: Kernel, me: Task, code: number): SysResult<never> {
  return syscall(k, () => {
    doGroupExit(k, me, exitCodeWord(code));
    return undefined as never;
  });
}

/** execve() of a new image: identity effects only. */
export function sysExecve(k: Kernel, me: Task): SysResult<0> {
  return syscall(k, () => {
    doExecve(k, me);
    return 0 as const;
  });
}

/**
 * set_tid_address(tidptr): "current->clear_child_tid = tidptr; return
 * task_pid_vnr(current)". The language has one tid word per task: `set`
 * false is set_tid_address(NULL).
 */
export function sysSetTidAddress(k: Kernel, me: Task, set: boolean): SysResult<number> {
  return syscall(k, () => {
    me.clearChildTid = set;
    return me.tidIn(me.activeNs);
  });
}

/** Whether a clone's flags make a thread (the scenario runner needs to know). */
export const isThreadClone = (flags: number): boolean => hasFlag(flags, CLONE_THREAD);
