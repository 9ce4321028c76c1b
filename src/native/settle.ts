// When has the system settled after a step? The kernel's own evidence, read
// from /proc: every actor idle in its command read, blocked in the call it
// was given, stopped, or dead (its exit reported by the proc connector),
// with no signal left pending (KERNEL-NOTES.md, "Reading the state of real tasks").

import { CLONE_VFORK } from '../abi/clone.js';
import { NR, PF_EXITING, procState, sees, statOf, statusOf, syscallOf, type Actor, type StepCtx } from './actors.js';

/** Why the system has not settled yet, or null. Sets the step's result where the evidence gives it (a wait that sleeps). */
export function unsettled(actors: Iterable<Actor>, step: StepCtx | null): string | null {
  const all = [...actors];
  if (step !== null && step.result === null) {
    // A wait that sleeps in do_wait() is unfinished; everything else replies.
    const a = step.actor;
    if (a.pending?.mayBlock === true && (blockedInWait(a) || stoppedInCall(a))) step.result = { kind: 'unfinished' };
    else if (((step.traits.cloneFlags ?? 0) & CLONE_VFORK) !== 0 && step.newChild !== undefined && blockedInVfork(a)) {
      // The vfork parent sleeps in wait_for_vfork_done() until its child execs or exits.
      step.result = { kind: 'unfinished' };
      a.vforkWait = true;
    }
    else if (step.traits.execs === true && a.exited) step.result = { kind: 'noreturn' };
    else if ((step.traits.sends !== undefined || step.traits.mayEndCaller === true) && (a.exited || zapWaiting(a) || procState(statOf(a.hostTid)?.state ?? 'Z') === 'T')) {
      // (A namespace init that ended itself, by a reboot of its namespace or a kill of its own group, sleeps in
      // zap_pid_ns_processes() until its namespace is empty: its end is on its way.)
      // The caller signalled itself and stopped or died before its reply: the call had succeeded (it delivered the signal).
      step.result = { kind: 'value', value: 0 };
      if (!a.exited) a.discardReply = true;
    } else return 'no reply yet';
  }
  for (const x of all) {
    if (x.exited) continue;
    if (x.hostTid === 0) return `task ${x.ref} not yet bound`;
    if (step?.takeOver !== undefined) return 'the old leader has not reported its exit';
    if (!x.ready) return `task ${x.ref} not ready`;
    const st = statOf(x.hostTid);
    if (st === null) return `task ${x.ref} gone without an exit report`;
    if (st.state === 'Z' || st.state === 'X') return `task ${x.ref} is a zombie without an exit report`;
    if (st.state === 'T' || st.state === 't') continue;
    if (x.vforkWait === true) {
      if (!blockedInVfork(x)) return `task ${x.ref} not yet in its vfork wait`;
      continue;
    }
    if ((st.flags & PF_EXITING) !== 0) {
      // Only a namespace init's thread group sleeps while exiting for long: zap_pid_ns_processes()
      // waits there for the namespace to empty. Any other exiting thread is about to report.
      if (zapWaiting(x) && !membersAlive(all, x)) continue;
      return `task ${x.ref} exiting`;
    }
    if (st.state !== 'S') return `task ${x.ref} running (${st.state})`;
    const sc = syscallOf(x.hostTid);
    if (x.pending?.mayBlock === true) {
      if (!(x.pending.blocksIn ?? WAITS).includes(sc.nr)) return `task ${x.ref} not yet in its wait`;
    } else if (x.pending !== null) {
      return `task ${x.ref} has a call in flight`;
    } else if (sc.nr !== NR.recvmsg) {
      return `task ${x.ref} not idle (syscall ${sc.text})`;
    }
    if (statusOf(x.hostTid)?.sigPending === true) return `task ${x.ref} has a signal pending`;
  }
  return null;
}

/** A namespace init's thread exiting and asleep: in zap_pid_ns_processes(), waiting for its namespace to empty. */
function zapWaiting(x: Actor): boolean {
  const st = statOf(x.hostTid);
  return st !== null && (st.flags & PF_EXITING) !== 0 && st.state === 'S' && statusOf(x.hostTid)?.nstgid.at(-1) === 1;
}

/**
 * Whether a task of the namespace (or below) that `init` is the init of,
 * other than init's own group, can still move, so that init's wait in
 * zap_pid_ns_processes() may still end. It first reaps every child of its
 * own (kernel_wait4 until ECHILD), then sleeps until only its group is left.
 * So a zombie whose parent is in the namespace will be reaped (the parent
 * dies and the zombie goes to init); only a zombie whose parent is outside
 * holds init for good. The init of a namespace below that is itself waiting
 * there holds it too (nested dying inits wait for each other); whether that
 * one can still move is its own check.
 */
function membersAlive(actors: readonly Actor[], init: Actor): boolean {
  const ns = init.ns;
  if (ns === null) return false;
  for (const a of actors) {
    if (a.exited || a.hostTgid === init.hostTgid || a.ns === null) continue;
    if (!sees(ns, a.ns)) continue;
    const st = statOf(a.hostTid);
    if (st === null) continue;
    if (procState(st.state) === 'Z') {
      // /proc/PID/stat's ppid is the parent's tgid as the host sees it.
      const parent = actors.find((b) => !b.exited && b.hostTgid === st.ppid);
      if (parent?.ns !== undefined && parent.ns !== null && sees(ns, parent.ns)) return true;
      continue;
    }
    if (a.ns !== ns && zapWaiting(a)) continue;
    return true;
  }
  return false;
}

const WAITS: readonly number[] = [NR.wait4, NR.waitid];

/** TASK_KILLABLE (D) or S, in clone or clone3: waiting for a vfork child. */
function blockedInVfork(a: Actor): boolean {
  const state = statOf(a.hostTid)?.state;
  if (state !== 'D' && state !== 'S') return false;
  const nr = syscallOf(a.hostTid).nr;
  return nr === NR.clone || nr === NR.clone3;
}

/** What /proc says of an actor, for the message of a step that did not settle. */
export function stateDetail(a: Actor): string {
  if (a.exited) return `task ${a.ref}: exit reported`;
  if (a.hostTid === 0) return `task ${a.ref}: no host tid yet`;
  const st = statOf(a.hostTid);
  if (st === null) return `task ${a.ref} (host tid ${a.hostTid}): no /proc entry`;
  const nstgid = statusOf(a.hostTid)?.nstgid.at(-1);
  return `task ${a.ref} (host tid ${a.hostTid}, tgid ${nstgid ?? '?'} in its namespace): state ${st.state}, flags 0x${st.flags.toString(16)}${(st.flags & PF_EXITING) !== 0 ? ' (PF_EXITING)' : ''}, syscall ${syscallOf(a.hostTid).text}`;}

/** Stopped inside its call: a terminal read, write or ioctl whose job-control signal stopped the caller (it restarts on SIGCONT). */
function stoppedInCall(a: Actor): boolean {
  if (statOf(a.hostTid)?.state !== 'T') return false;
  return (a.pending?.blocksIn ?? WAITS).includes(syscallOf(a.hostTid).nr);
}

function blockedInWait(a: Actor): boolean {
  if (statOf(a.hostTid)?.state !== 'S') return false;
  return (a.pending?.blocksIn ?? WAITS).includes(syscallOf(a.hostTid).nr);
}

/**
 * How long the system may go without any sign of progress before a step is
 * declared stuck: PIDNS_SETTLE_TIMEOUT_MS, or 10 s, plus 10 ms per live actor
 * (each look at the system reads every actor's /proc files). Progress (a
 * report read, a different reason for not being settled) restarts the clock,
 * so a slow or loaded machine only makes a run slower, never wrong.
 */
export function settleLimitMs(liveActors: number, env: Readonly<Record<string, string | undefined>> = process.env): number {
  const raw = env['PIDNS_SETTLE_TIMEOUT_MS'];
  const base = raw !== undefined && /^[1-9][0-9]*$/.test(raw) ? Number(raw) : 10_000;
  return base + 10 * liveActors;
}
