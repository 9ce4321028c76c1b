// The pid allocator (kernel/pid.c: alloc_pid, free_pid). A new task needs a
// number in its namespace and in every ancestor, innermost first. Numbers are
// handed out cyclically from each namespace's cursor, wrapping to
// RESERVED_PIDS once the cursor has passed it; clone3's set_tid asks for exact
// numbers, which do not move the cursor.

import { Errno } from '../abi/errno.js';
import { MAX_PID_NS_LEVEL, RESERVED_PIDS } from '../abi/limits.js';
import { nsCapable } from './cred.js';
import type { Cred } from './cred.js';
import { IDR_FULL } from './idr.js';
import type { Kernel } from './kernel.js';
import type { PidNamespace } from './pid_namespace.js';
import { Pid } from './pid.js';
import { fail } from './result.js';
import type { Fail } from './result.js';

/** checkpoint_restart_ns_capable(): CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE over the namespace. */
export function checkpointRestoreCapable(cred: Cred, ns: PidNamespace): boolean {
  return nsCapable(cred, ns.userNs);
}

/** One slot per possible level (MAX_PID_NS_LEVEL + 1, plus the scenario's host level), packed integers. */
const SCRATCH: number[] = Array.from({ length: MAX_PID_NS_LEVEL + 2 }, () => 0);

/**
 * alloc_pid(ns, set_tid): a Pid with a number at every level from `ns` up.
 * On failure every number taken is given back; as in Linux, the cursors of
 * the levels that succeeded stay moved, except that a namespace that never
 * had a Pid gets its cursor reset to 0.
 */
export function allocPid(k: Kernel, ns: PidNamespace, setTid: readonly number[], cred: Cred): Pid | Fail {
  // "set_tid_size must never be greater than the current ns->level + 1"
  if (setTid.length > ns.level + 1) return fail(Errno.EINVAL);
  // Numbers are taken innermost first; a scratch array keeps them until all levels succeeded.
  const nrs = SCRATCH;
  let remaining = setTid.length;
  let err: Errno | null = null;
  let tmp: PidNamespace | null = ns;
  let i = ns.level;
  for (; i >= 0 && tmp !== null; i--, tmp = tmp.parent) {
    let tid = 0;
    if (remaining > 0) {
      tid = setTid[ns.level - i]!;
      if (tid < 1 || tid >= tmp.pidMax) {
        err = Errno.EINVAL;
        break;
      }
      // "Also fail if a PID != 1 is requested and no PID 1 exists."
      if (tid !== 1 && tmp.childReaper === null) {
        err = Errno.EINVAL;
        break;
      }
      if (!checkpointRestoreCapable(cred, tmp)) {
        err = Errno.EPERM;
        break;
      }
      remaining--;
    }
    let nr: number;
    if (tid !== 0) {
      // idr_alloc's -ENOSPC means the number is in use: EEXIST.
      if (!tmp.idr.allocExact(tid)) {
        err = Errno.EEXIST;
        break;
      }
      nr = tid;
    } else {
      // "init really needs pid 1, but after reaching the maximum wrap back to RESERVED_PIDS"
      const pidMin = tmp.idr.cursor > RESERVED_PIDS ? RESERVED_PIDS : 1;
      nr = tmp.idr.allocCyclic(pidMin, tmp.pidMax);
      if (nr === IDR_FULL) {
        err = Errno.EAGAIN;
        break;
      }
    }
    nrs[i] = nr;
  }
  // A dying namespace takes no new tasks; ENOMEM is the documented answer (pid_namespaces(7)).
  if (err === null && !ns.adding) err = Errno.ENOMEM;
  const chain = ns.chain;
  if (err !== null) {
    // Levels i+1 .. ns.level got a number before the failure (all of them when only PIDNS_ADDING failed).
    for (let l = i + 1; l <= ns.level; l++) chain[l]!.idr.remove(nrs[l]!);
    if (ns.pidAllocated === 0 && ns.adding) ns.idr.cursor = 0;
    return fail(err);
  }
  const pid = new Pid(ns, nrs, k.nextSerial());
  installPid(pid);
  return pid;
}

/**
 * The numbers of `pid`, already claimed at every level, now name it there
 * (idr_replace in alloc_pid) and count in each namespace's pid_allocated.
 * Used by alloc_pid, the first task's Pid, and snapshot loading alike.
 */
export function installPid(pid: Pid): void {
  const chain = pid.ns.chain;
  for (let l = 0; l < chain.length; l++) {
    const level = chain[l]!;
    level.idr.replace(pid.nrAt(l), pid);
    level.pidAllocated++;
  }
}

/**
 * free_pid(): give the numbers back once no task uses the Pid. A dying init
 * waits for its namespace to empty; the settle loop retries it.
 */
export function freePid(k: Kernel, pid: Pid): void {
  if (!pid.hashed || pid.inUse) return;
  pid.hashed = false;
  const chain = pid.ns.chain;
  for (let l = 0; l < chain.length; l++) {
    const ns = chain[l]!;
    ns.pidAllocated--;
    ns.idr.remove(pid.nrAt(l));
    if (ns.pidAllocated === 0 && k.listening) k.emit({ type: 'ns_emptied', ns: ns.name });
  }
}
