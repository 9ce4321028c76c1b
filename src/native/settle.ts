// When has the system settled after a step? The kernel's own evidence, read
// from /proc: every actor idle in its command read, blocked in the call it
// was given, stopped, or dead (its exit reported by the proc connector),
// with no signal left pending (KERNEL-NOTES.md, "Reading the state of real tasks").

import { NR, PF_EXITING, procState, sees, statOf, statusOf, syscallOf, type Actor, type StepCtx } from './actors.js';

/** Why the system has not settled yet, or null. Sets the step's result where the evidence gives it (a wait that sleeps). */
export function unsettled(actors: Iterable<Actor>, step: StepCtx | null): string | null {
  const all = [...actors];
  if (step !== null && step.result === null) {
    // A wait that sleeps in do_wait() is unfinished; everything else replies.
    const a = step.actor;
    if (a.pending?.mayBlock === true && blockedInWait(a)) step.result = { kind: 'unfinished' };
    else if (step.traits.execs === true && a.exited) step.result = { kind: 'noreturn' };
    else if (step.traits.sends !== undefined && (a.exited || procState(statOf(a.hostTid)?.state ?? 'Z') === 'T')) {
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
    if ((st.flags & PF_EXITING) !== 0) {
      // Only a namespace init's thread group sleeps while exiting for long: zap_pid_ns_processes()
      // waits there for the namespace to empty. Any other exiting thread is about to report.
      if (st.state === 'S' && statusOf(x.hostTid)?.nstgid.at(-1) === 1 && !membersAlive(all, x)) continue;
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

/** Whether a task of the namespace (or below) that `init` is the init of, other than init's own group, has not reported its exit. */
function membersAlive(actors: readonly Actor[], init: Actor): boolean {
  const ns = init.ns;
  if (ns === null) return false;
  for (const a of actors) {
    if (a.exited || a.hostTgid === init.hostTgid || a.ns === null) continue;
    if (sees(ns, a.ns) && procState(statOf(a.hostTid)?.state ?? 'Z') !== 'Z') return true;
  }
  return false;
}

const WAITS: readonly number[] = [NR.wait4, NR.waitid];

function blockedInWait(a: Actor): boolean {
  if (statOf(a.hostTid)?.state !== 'S') return false;
  return (a.pending?.blocksIn ?? WAITS).includes(syscallOf(a.hostTid).nr);
}
