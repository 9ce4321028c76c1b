// The small identity calls of kernel/sys.c and the pid sysctls
// (kernel/pid.c pid_table, kernel/pid_namespace.c pid_ns_ctl_handler).

import { Errno } from '../abi/errno.js';
import { PID_MAX_LIMIT, RESERVED_PIDS } from '../abi/limits.js';
import { checkpointRestoreCapable } from './alloc_pid.js';
import { nsCapable } from './cred.js';
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
  next = { ...next, euid: kuid };
  const wasRoot = old.uid === 0 || old.euid === 0 || old.suid === 0;
  const isRoot = next.uid === 0 || next.euid === 0 || next.suid === 0;
  if (wasRoot && !isRoot) next = { ...next, caps: false };
  else if (old.euid === 0 && next.euid !== 0) next = { ...next, caps: false };
  // commit_creds(): a changed euid makes the mm dumpable only as fs.suid_dumpable says (0, the default: not at all).
  if (next.euid !== old.euid) me.group.dumpable = false;
  // commit_creds(): a changed euid (fsuid follows it) or gained capabilities clear pdeath_signal.
  if (next.euid !== old.euid || (next.caps && !old.caps)) me.pdeathSignal = 0;
  me.cred = next;
  return 0;
}
