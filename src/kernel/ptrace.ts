// ptrace_may_access(task, PTRACE_MODE_READ_REALCREDS) (kernel/ptrace.c
// __ptrace_may_access, security/commoncap.c cap_ptrace_access_check): may the
// caller inspect a task? setns through a pidfd asks it (validate_nsset).

import { nsCapable } from './cred.js';
import type { Kernel } from './kernel.js';
import type { Task } from './task.js';

/**
 * Whether `caller` may inspect `target` (PTRACE_MODE_READ_REALCREDS). The
 * model has no gids (every task's are 0, so they always match) and one
 * capability set (caps: all or none), so "permitted" is that set.
 */
export function ptraceMayAccess(k: Kernel, caller: Task, target: Task): boolean {
  // "Don't let security modules deny introspection."
  if (target.group === caller.group) return true;
  const c = caller.cred;
  const t = target.cred;
  // The caller's real uid against all three of the target's, or CAP_SYS_PTRACE over the target's user namespace.
  if (!(c.uid === t.euid && c.uid === t.suid && c.uid === t.uid) && !nsCapable(c, t.userNs)) return false;
  // A non-dumpable mm needs CAP_SYS_PTRACE over mm->user_ns. That is the initial user namespace for every
  // mm here: fork copies it, and execve in a user namespace without a uid map cannot map the (root-owned)
  // binary's owner, so would_dump() moves it up to the initial one.
  if (!target.group.dumpable && !nsCapable(c, k.rootUserNs)) return false;
  // cap_ptrace_access_check(): same user namespace and the target's capabilities a subset of the caller's,
  // or CAP_SYS_PTRACE over the target's user namespace.
  if (c.userNs === t.userNs && (!t.caps || c.caps)) return true;
  return nsCapable(c, t.userNs);
}
