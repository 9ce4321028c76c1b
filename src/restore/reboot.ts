// A namespace's death as the plan replays it (docs/restore.md, phase 4):
// a reboot() inside the namespace, and an init left waiting in
// zap_pid_ns_processes() for zombies whose parents are outside it.
//
// reboot_pid_ns() (kernel/pid_namespace.c) sets pid_ns->reboot (SIGHUP for a
// restart, SIGINT for a power-off or halt), sends SIGKILL to the child
// reaper and do_exit(0)s the caller; zap_pid_ns_processes() then makes the
// reboot signal the init's group_exit_code (what wait reports), while the
// SIGCHLD carries the init's own exit_code: 9 when another task rebooted it,
// 0 when it rebooted itself (conformance/reboot/reboot_sigchld_status.pidns).
// So the init's status word says who called reboot: itself, or a helper of
// its namespace, born for it with no exit signal (zap's __WALL wait reaps it,
// no SIGCHLD reaches the dying init).
//
// An init that has exited waits in zap_pid_ns_processes until pid_allocated
// falls to init_pids; a zombie of its namespace whose parent is outside is
// reaped by nothing inside, so the init can sit there for good
// (conformance/reboot/zombie_holds_zap.pidns). Such an init dies in the
// deaths phase after its namespace's zombies (zap.ts), by reboot() too.

import { LINUX_REBOOT_CMD_POWER_OFF, LINUX_REBOOT_CMD_RESTART, rebootCmdNames } from '../abi/reboot.js';
import type { Actor, Cast } from './actors.js';
import { refuse } from './refusal.js';
import type { Names } from './same.js';
import * as step from './steps.js';
import type { Out } from './schedule.js';
import { rootUserNs, userOf } from './userns.js';

const SIGHUP = 1;
const SIGINT = 2;
const SIGKILL = 9;

const cmdName = (value: number): string => Object.entries(rebootCmdNames).find(([, v]) => v === value)![0];

/** The reboot command that sets pid_ns->reboot to `sig` (reboot_pid_ns: RESTART gives SIGHUP, POWER_OFF SIGINT). */
function commandFor(sig: number): string {
  return cmdName(sig === SIGHUP ? LINUX_REBOOT_CMD_RESTART : LINUX_REBOOT_CMD_POWER_OFF);
}

/** Refusals of the namespace-death shapes no step rebuilds; what passes dies in the deaths phase (phases.ts dieAsZombie), an init left waiting in zap_pid_ns_processes among them (zap.ts). */
export function refuseNsDeaths(n: Names): void {
  const j = n.json;
  if (j.queues.exitQueue.length > 0) refuse('ns0', 'a task mid-exit', 'a task is between exit and its zombie state (on the exit queue), which no step leaves behind');
  for (const seq of j.queues.zapWaiting) {
    const t = n.tasks.get(seq)!;
    const who = n.taskName(seq);
    const g = n.groups.get(t.group)!;
    const ns = n.nss.get(n.activeNs(t))!;
    if (t.exitState !== 'exiting' || ns.childReaper !== seq) refuse(who, 'a task mid-exit', 'waiting in zap_pid_ns_processes without being its namespace\'s exiting child reaper');
    // With threads, which one ends up waiting is a race between their exits (find_child_reaper picks a thread not yet PF_EXITING).
    if (g.leader !== seq || g.threads.length !== 1) refuse(who, 'a task mid-exit', 'a threaded init waiting in zap_pid_ns_processes: which thread waits is a race between the group\'s exits (find_child_reaper), not a state a step gives');
  }
  for (const ns of j.pidNamespaces) {
    if ((ns.reboot ?? 0) === 0 || !n.underBase(ns.serial) || !n.reachable.has(ns.serial)) continue;
    const name = n.nsName(ns.serial);
    if (ns.reboot !== SIGHUP && ns.reboot !== SIGINT) refuse(name, 'reboot signal', `${ns.reboot} is neither SIGHUP nor SIGINT, the only ones reboot_pid_ns sets`);
    const init = ns.childReaper === null ? undefined : n.tasks.get(ns.childReaper);
    if (init === undefined || init.exitState === 'alive') refuse(name, 'reboot signal', 'set by a reboot() inside the namespace, yet its init lives (reboot_pid_ns kills it)');
    if (init!.exitState === 'dead') continue; // revived and rebooted again (phases.ts revive)
    const g = n.groups.get(init!.group)!;
    if (g.leader !== init!.seq || g.threads.length !== 1) refuse(name, 'reboot signal', 'its init had threads: which of them exits how is a race of the group exit the planner does not replay');
    if (init!.exitCode !== 0 && init!.exitCode !== SIGKILL) refuse(name, 'reboot signal', `its init's exit code ${init!.exitCode} is neither 0 (it rebooted itself) nor SIGKILL (another task did)`);
  }
}

/** pid_ns->reboot of the namespace `a` is init of, else 0. */
export function rebootOf(cast: Cast, a: Actor): number {
  if (cast.initOf.get(a.ns) !== a) return 0;
  return cast.n.nss.get(a.ns)!.reboot ?? 0;
}

/**
 * A rebooted init killed by another task: the helper that will call reboot
 * is born now, while the init still has the credentials to give it a free
 * number (set_tid, which leaves the idr cursor alone) at every level.
 */
export function rebootCaller(cast: Cast, z: Actor, out: Out): Actor | null {
  if (rebootOf(cast, z) === 0 || z.task!.exitCode !== SIGKILL) return null;
  // alloc_pid checks checkpoint_restore_ns_capable for each level set_tid names: from a child user namespace the outer ones fail (EPERM).
  if (userOf(cast, z) !== rootUserNs(cast.n)) refuse(cast.n.taskName(z.task!.seq), 'reboot signal', 'another task rebooted its namespace, and a helper born of this init in a child user namespace cannot be given numbers at the outer levels (set_tid needs CAP_CHECKPOINT_RESTORE there; ns_last_pid is final by now)');
  const h = cast.add({ name: cast.helperName('reboot'), kind: 'pidfd helper', task: null, ns: z.ns, nums: cast.spareNumbers(z.ns), creator: z, why: '', newPid: false, exitSignal: 0, sid: null, pgid: null });
  out.step(step.clone3(z.name, h.name, [], [...h.nums].reverse(), 0), `to reboot ${cast.n.nsName(z.ns)} (no exit signal: the dying init reaps it in zap_pid_ns_processes, no SIGCHLD)`);
  return h;
}

/** The death of an init whose namespace was rebooted: reboot() by itself (exit code 0) or by its helper (SIGKILL). */
export function rebootDeath(cast: Cast, z: Actor, caller: Actor | null, out: Out): boolean {
  const sig = rebootOf(cast, z);
  if (sig === 0) return false;
  out.step(step.reboot((caller ?? z).name, commandFor(sig)), `${cast.n.nsName(z.ns)} rebooted: its init dies, wait will report signal ${sig}`);
  return true;
}

/** The step that ends a revived init (phases.ts revive): a reboot() when the snapshot's namespace was rebooted, else exit(0). */
export function revivedDeath(cast: Cast, g: Actor): string {
  const sig = cast.n.nss.get(g.ns)!.reboot ?? 0;
  return sig === 0 ? step.exitThread(g.name, 0) : step.reboot(g.name, commandFor(sig));
}

