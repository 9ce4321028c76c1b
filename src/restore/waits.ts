// The blocking calls a plan ends a task with (phase 6, signals.ts): a wait
// for children (wait4, waitid) or a wait for a signal — pause,
// rt_sigsuspend, rt_sigtimedwait, a read of a signalfd. Each is the task's
// last step, made with the mask it had before the call (phase 5 sets that
// one): the call itself makes the mask the snapshot shows
// (kernel/signal.c sigsuspend, do_sigtimedwait).

import { UNBLOCKABLE } from '../abi/signal.js';
import type { SigInfoJson, SigSetJson, TaskJson } from '../snapshot/schema.js';
import { nrIn, type Actor, type Cast } from './actors.js';
import { refuse } from './refusal.js';
import { signalfdAt, signalfdName } from './signalfds.js';
import * as step from './steps.js';

const WEXITED = 4;

const big = (hex: SigSetJson | undefined | null): bigint => (hex === undefined || hex === null ? 0n : BigInt(`0x${hex === '' ? '0' : hex}`));

const bit = (sig: number): bigint => 1n << BigInt(sig - 1);

/**
 * The mask a task has before its last call: rt_sigsuspend's saved mask
 * (set_current_blocked put the temporary one in its place),
 * rt_sigtimedwait's real_blocked (it unblocked its set for the sleep),
 * else the mask it has.
 */
export function maskBefore(t: TaskJson): bigint {
  const b = t.blocked;
  if (b?.syscall === 'rt_sigsuspend') return big(t.savedMask);
  if (b?.syscall === 'rt_sigtimedwait') return big(t.realBlocked);
  return big(t.sigBlocked);
}

/** What `a` is sent while it has its mask from before (phase 5): its own pending signals and its group's. */
function pendingAt(cast: Cast, a: Actor): readonly SigInfoJson[] {
  const g = cast.n.groups.get(a.task!.group)!;
  return [...a.task!.pending, ...g.sharedPending];
}

/**
 * Refuses a blocking signal wait that the plan cannot end a task with
 * exactly; called at planning time for every live task with one.
 * Invariant checked: the call, made after the pending signals are sent,
 * blocks (none of them is one it takes) and leaves the snapshot's masks.
 */
export function checkSigWait(cast: Cast, a: Actor): void {
  const t = a.task!;
  const b = t.blocked;
  if (b === null || b.syscall === 'wait4' || b.syscall === 'waitid') return;
  const who = cast.n.taskName(t.seq);
  const stopped = cast.n.groups.get(t.group)!.stopped;
  const pending = pendingAt(cast, a);
  switch (b.syscall) {
    case 'pause':
      return;
    case 'rt_sigsuspend': {
      if (t.savedMask === undefined || t.savedMask === null) refuse(who, 'blocked in rt_sigsuspend', 'it has no saved mask to go back to');
      // Sent before the call (or, at a stopped group, after the stop): with the saved mask in place each must stay pending.
      const loose = stopped ? undefined : pending.find((i) => (maskBefore(t) & bit(i[0])) === 0n);
      if (loose !== undefined) refuse(who, `blocked in rt_sigsuspend with signal ${loose[0]} pending`, 'the temporary mask blocks it but the saved one does not: sent before the call it would be taken, and a task asleep in the call cannot send itself a signal');
      return;
    }
    case 'rt_sigtimedwait': {
      const want = big(b.set) & ~UNBLOCKABLE;
      if ((big(t.realBlocked) & ~want) !== big(t.sigBlocked)) refuse(who, 'blocked in rt_sigtimedwait', 'its mask is not real_blocked without the set (what do_sigtimedwait leaves)');
      const taken = pending.find((i) => (want & bit(i[0])) !== 0n);
      if (taken !== undefined) refuse(who, `blocked in rt_sigtimedwait with signal ${taken[0]} pending`, 'the call would take it at once: a wake-up not yet looked at');
      return;
    }
    case 'read': {
      if ('file' in b) return refuse(who, 'blocked in a terminal read', 'its group is stopped after it sleeps, and the plan reads a terminal only as a last step (ttys.ts ttyReads), never before a stop');
      if (big(t.realBlocked) !== 0n) refuse(who, 'real_blocked', 'set while it reads a signalfd, which does not set it');
      const f = signalfdAt(cast, a, b.fd);
      if (f === null) return refuse(who, `blocked in read of fd ${b.fd}`, 'its fd table holds no signalfd at that number');
      if (f[3]) refuse(who, `blocked in read of fd ${b.fd}`, 'the signalfd is O_NONBLOCK: its read answers EAGAIN, it never sleeps');
      const taken = pending.find((i) => (big(f[2]) & bit(i[0])) !== 0n);
      if (taken !== undefined) refuse(who, `blocked in read with signal ${taken[0]} pending`, 'the read would take it at once: a wake-up not yet looked at');
      return;
    }
  }
}

/** The step `a` blocks in, as in the snapshot: its last. */
export function blockingStep(cast: Cast, a: Actor): string {
  checkSigWait(cast, a);
  const t = a.task!;
  const b = t.blocked!;
  switch (b.syscall) {
    case 'wait4':
    case 'waitid':
      return step.waitFor(a.name, b.syscall, waitArgs(cast, a, t));
    case 'pause':
      return step.pause(a.name);
    case 'rt_sigsuspend':
      return step.sigsuspend(a.name, big(t.sigBlocked));
    case 'rt_sigtimedwait':
      return step.sigtimedwait(a.name, big(b.set));
    case 'read':
      if ('file' in b) return refuse(cast.n.taskName(t.seq), 'blocked in a terminal read', 'ttys.ts makes a terminal read its last step; checkSigWait refused the rest');
      return step.readFd(a.name, signalfdName(cast, a, b.fd));
    default:
      return refuse(cast.n.taskName(t.seq), `blocked in ${b.syscall}`, 'the planner rebuilds waits for children and for signals only');
  }
}

function waitArgs(cast: Cast, a: Actor, t: TaskJson): string {
  const b = t.blocked!;
  if (b.syscall !== 'wait4' && b.syscall !== 'waitid') return refuse(cast.n.taskName(t.seq), `blocked in ${b.syscall}`, 'not a wait for children');
  const nr = b.target === 'all' ? 0 : nrIn(cast.n.pids.get(b.target[1])!, a.ns);
  if (b.syscall === 'wait4') {
    const pid = b.target === 'all' ? -1 : b.target[0] === 'pid' ? nr : -nr;
    // kernel_wait4 adds WEXITED to what wait4 was given, and wait4 itself refuses it.
    return `${pid}, ${b.options & ~WEXITED}`;
  }
  const idtype = b.target === 'all' ? 'P_ALL' : b.target[0] === 'pid' ? 'P_PID' : 'P_PGID';
  return `${idtype}, ${nr}, ${b.options}`;
}
