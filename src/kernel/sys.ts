// The small identity calls of kernel/sys.c and the pid sysctls
// (kernel/pid.c pid_table, kernel/pid_namespace.c pid_ns_ctl_handler).

import { Errno } from '../abi/errno.js';
import { PID_MAX_LIMIT, RESERVED_PIDS } from '../abi/limits.js';
import { checkpointRestoreCapable } from './alloc_pid.js';
import { nsCapable, type Cred } from './cred.js';
import { fail } from './result.js';
import type { Fail } from './result.js';
import type { Task } from './task.js';

export type SysctlKey = 'kernel.pid_max' | 'kernel.ns_last_pid';

/** Reads a pid sysctl of the caller's active namespace. */
export function sysctlRead(me: Task, key: SysctlKey): number {
  const ns = me.activeNs;
  // ns_last_pid is the cursor minus one: -1 in a namespace that never allocated.
  return key === 'kernel.pid_max' ? ns.pidMax : ns.idr.cursor - 1;
}

/** Writes a pid sysctl of the caller's active namespace. */
export function sysctlWrite(me: Task, key: SysctlKey, value: number): 0 | Fail {
  const ns = me.activeNs;
  if (key === 'kernel.pid_max') {
    // pid_table_root_permissions(): the file is writable only with CAP_SYS_ADMIN over the namespace (or as its root): the open fails.
    // "uid_eq(current_euid(), make_kuid(pidns->user_ns, 0))": root's kuid, whatever user namespace the writer is in.
    if (!nsCapable(me.cred, ns.userNs) && !(ns.userNs.mapped && me.cred.euid === 0)) return fail(Errno.EACCES);
    // proc_dointvec_minmax with extra1 = RESERVED_PIDS + 1, extra2 = PID_MAX_LIMIT.
    if (value < RESERVED_PIDS + 1 || value > PID_MAX_LIMIT) return fail(Errno.EINVAL);
    ns.pidMax = value;
    return 0;
  }
  if (!checkpointRestoreCapable(me.cred, ns)) return fail(Errno.EPERM);
  // extra1 = 0, extra2 = the namespace's pid_max.
  if (value < 0 || value > ns.pidMax) return fail(Errno.EINVAL);
  ns.idr.cursor = value + 1;
  return 0;
}

/** setuid(2) (__sys_setuid) with cap_emulate_setxuid(): leaving uid 0 drops every capability. */
export function doSetuid(me: Task, uid: number): 0 | Fail {
  const old = me.cred;
  // make_kuid(): only the initial namespace has a map here.
  if (!old.userNs.mapped || uid < 0 || uid > 0xfffffffe) return fail(Errno.EINVAL);
  const kuid = uid;
  let next = { ...old };
  if (nsCapable(old, old.userNs)) {
    next = { ...next, uid: kuid, suid: kuid };
  } else if (kuid !== old.uid && kuid !== old.suid) {
    return fail(Errno.EPERM);
  }
  commitUids(me, { ...next, euid: kuid });
  return 0;
}

/**
 * setresuid(2) (__sys_setresuid): -1 keeps an id. Setting all three to what
 * they are returns 0 and commits nothing; an id none of the three old ones
 * is needs CAP_SETUID in the caller's user namespace (EPERM).
 */
export function doSetresuid(me: Task, ruid: number, euid: number, suid: number): 0 | Fail {
  const old = me.cred;
  // The arguments are uid_t: 32 bits, (uid_t)-1 is no change.
  [ruid, euid, suid] = [ruid, euid, suid].map((id) => (id >>> 0 === 0xffffffff ? -1 : id >>> 0)) as [number, number, number];
  // make_kuid() in the caller's namespace: only the initial one has a map here (the identity map).
  if (!old.userNs.mapped && (ruid !== -1 || euid !== -1 || suid !== -1)) return fail(Errno.EINVAL);
  const keeps = (id: number, cur: number): boolean => id === -1 || id === cur;
  if (keeps(ruid, old.uid) && keeps(euid, old.euid) && keeps(suid, old.suid)) return 0;
  const fresh = (id: number): boolean => id !== -1 && id !== old.uid && id !== old.euid && id !== old.suid;
  if ((fresh(ruid) || fresh(euid) || fresh(suid)) && !nsCapable(old, old.userNs)) return fail(Errno.EPERM);
  commitUids(me, { ...old, uid: ruid === -1 ? old.uid : ruid, euid: euid === -1 ? old.euid : euid, suid: suid === -1 ? old.suid : suid });
  return 0;
}

/** cap_emulate_setxuid() on the new uids, then commit_creds(). */
function commitUids(me: Task, next: Cred): void {
  const old = me.cred;
  const wasRoot = old.uid === 0 || old.euid === 0 || old.suid === 0;
  const isRoot = next.uid === 0 || next.euid === 0 || next.suid === 0;
  let permitted = old.caps || old.keptCaps === true;
  let effective = old.caps;
  // No uid 0 left: permitted and effective are cleared; the euid leaving 0 clears effective;
  // the euid becoming 0 sets effective to permitted.
  if (wasRoot && !isRoot) permitted = effective = false;
  if (old.euid === 0 && next.euid !== 0) effective = false;
  if (old.euid !== 0 && next.euid === 0) effective = permitted;
  const rest = { uid: next.uid, euid: next.euid, suid: next.suid, userNs: next.userNs };
  const cred: Cred = permitted && !effective ? { ...rest, caps: false, keptCaps: true } : { ...rest, caps: effective };
  // commit_creds(): a changed euid makes the mm dumpable only as fs.suid_dumpable says (0, the default: not at all).
  if (cred.euid !== old.euid) me.group.dumpable = false;
  // commit_creds(): a changed euid (fsuid follows it) or gained permitted capabilities clear pdeath_signal.
  if (cred.euid !== old.euid || (permitted && !(old.caps || old.keptCaps === true))) me.pdeathSignal = 0;
  me.cred = cred;
}
