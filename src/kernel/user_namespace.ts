// User namespaces, as far as identity needs them: who owns a PID namespace and
// therefore who holds capabilities over it (kernel/user_namespace.c,
// security/commoncap.c cap_capable()).

import { MAX_USER_NS_LEVEL } from './limits.js';

export class UserNamespace {
  /** Nesting depth; the initial user namespace is 0. Immutable. */
  readonly level: number;
  /**
   * Whether uid_map has been written. The scenario language cannot write maps,
   * so only the initial namespace (identity map) has one; setuid in any other
   * returns EINVAL and a nested CLONE_NEWUSER returns EPERM (create_user_ns).
   */
  readonly mapped: boolean;

  constructor(
    /** The namespace this one was created in; null for the initial one. Immutable. */
    readonly parent: UserNamespace | null,
    /** The creator's euid (a kuid), which owns every capability here. Immutable. */
    readonly owner: number,
    /** Creation index, for snapshots. */
    readonly serial: number,
  ) {
    this.level = parent === null ? 0 : parent.level + 1;
    this.mapped = parent === null;
  }

  /** in_userns(this, child): child is this namespace or one of its descendants. */
  contains(child: UserNamespace): boolean {
    for (let ns: UserNamespace | null = child; ns !== null; ns = ns.parent) {
      if (ns === this) return true;
      if (ns.level <= this.level) return false;
    }
    return false;
  }

  static readonly maxLevel = MAX_USER_NS_LEVEL;
}
