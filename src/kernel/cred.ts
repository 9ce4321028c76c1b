// Task credentials (include/linux/cred.h), reduced to what identity checks:
// real, effective and saved uid, the user namespace the task lives in, and
// whether it holds every capability or none (the scenario language only ever
// has full root or a dropped uid).

import type { UserNamespace } from './user_namespace.js';

export interface Cred {
  /** Real, effective, saved uid, as kuids (the initial namespace's numbers). */
  readonly uid: number;
  readonly euid: number;
  readonly suid: number;
  readonly userNs: UserNamespace;
  /** cap_effective == CAP_FULL_SET (true) or empty (false). */
  readonly caps: boolean;
  /**
   * cap_permitted is full while cap_effective is empty: a setresuid moved the
   * euid off 0 and left a real or saved uid 0 (cap_emulate_setxuid), so a
   * later euid 0 gets every capability back. Unset means permitted == effective.
   */
  readonly keptCaps?: boolean;
}

/**
 * cap_capable(): does `cred` hold a capability in `target`? Walks from the
 * target up: caps count in the task's own namespace; the owner of a child
 * namespace holds everything in it; caps in a parent reach every child.
 */
export function nsCapable(cred: Cred, target: UserNamespace): boolean {
  for (let ns: UserNamespace | null = target; ns !== null; ns = ns.parent) {
    if (ns === cred.userNs) return cred.caps;
    if (ns.level <= cred.userNs.level) return false;
    if (ns.parent === cred.userNs && ns.owner === cred.euid) return true;
  }
  return false;
}

/** The uid a task sees for itself: kuids are not mapped outside the initial namespace (65534, overflowuid). */
export function uidIn(kuid: number, ns: UserNamespace): number {
  return ns.mapped ? kuid : 65534;
}
