// Credentials in the root user namespace, and the dumpable flag they leave
// (plan phase 6; a zombie's just before its death). Every actor starts as
// root with every capability and a dumpable mm; one setresuid(r, e, s) from
// there gives any real/effective/saved triple, and cap_emulate_setxuid()
// (security/commoncap.c) decides the capabilities it leaves: effective only
// with euid 0, permitted kept while a uid 0 remains. commit_creds()
// (kernel/cred.c) clears the mm's dumpable flag whenever the euid changes
// (fs.suid_dumpable 0), so a root that is not dumpable is one that left
// euid 0 and came back. Tasks in a child user namespace cannot change their
// ids (no uid_map: make_kuid fails, EINVAL): userns.ts checks theirs.

import type { TaskJson } from '../snapshot/schema.js';
import type { Actor, Cast } from './actors.js';
import { refuse } from './refusal.js';
import type { Names } from './same.js';
import type { Out } from './schedule.js';
import * as step from './steps.js';

type CredJson = TaskJson['cred'];

/** Whether one setresuid(uid, euid, suid) by a full root leaves exactly `c`'s capabilities (cap_emulate_setxuid). */
export function fromRoot(c: CredJson): boolean {
  const kept = c.euid !== 0 && (c.uid === 0 || c.suid === 0);
  return c.caps === (c.euid === 0) && (c.keptCaps === true) === kept;
}

/** The ids step that takes a root task to `c`: setuid when the three are one (as a history most often did), else setresuid. */
function idsStep(name: string, c: CredJson): string | null {
  if (c.uid === 0 && c.euid === 0 && c.suid === 0) return null;
  return c.uid === c.euid && c.uid === c.suid ? step.setUid(name, c.uid) : step.setResUid(name, c.uid, c.euid, c.suid);
}

/** The live (or zombie) members of a thread group, as the snapshot lists them. */
function members(n: Names, t: TaskJson): TaskJson[] {
  return n.groups.get(t.group)!.threads.map((s) => n.tasks.get(s)!).filter((x) => x.exitState !== 'dead');
}

/** Refused up front: credentials in the root user namespace that no setresuid from root leaves, and a dumpable flag the ids cannot explain. */
export function refuseCreds(n: Names, rootUser: number): void {
  for (const t of n.liveTasks()) {
    const c = t.cred;
    if (c.userNs !== rootUser || fromRoot(c)) continue;
    refuse(n.taskName(t.seq), c.caps ? 'capabilities' : 'no capabilities', `uids ${c.uid}/${c.euid}/${c.suid} with capabilities ${c.caps}${c.keptCaps === true ? ' (permitted kept)' : ''} are not what setresuid leaves a root task (cap_emulate_setxuid: effective with euid 0 only; an execve or capset made these)`);
  }
  for (const g of n.json.threadGroups) {
    const leader = n.tasks.get(g.leader)!;
    if (leader.exitState === 'dead' || !n.underBase(n.activeNs(leader))) continue;
    const rootMembers = members(n, leader).filter((x) => x.cred.userNs === rootUser);
    if (rootMembers.length === 0) continue;
    // A member leaving euid 0 clears the flag for the whole mm; nothing the plan does sets it again.
    if ((g.dumpable ?? true) && rootMembers.some((x) => x.cred.euid !== 0)) {
      refuse(n.taskName(leader.seq), 'dumpable', 'its euid is not 0, so its setresuid cleared the flag (commit_creds); an execve set it again, which the planner does not replay, and the language has no PR_SET_DUMPABLE');
    }
  }
}

/** Groups whose mm the plan has made non-dumpable already. */
const undumped = new WeakMap<Cast, Set<number>>();

/**
 * `m`'s ids, as one setresuid (or setuid) from root; first, when its group
 * must end non-dumpable and no member's euid leaves 0, a seteuid away from
 * 0 and back, which clears the flag and keeps every capability.
 */
export function rootCreds(cast: Cast, m: Actor, out: Out): void {
  const n = cast.n;
  const t = m.task!;
  const g = n.groups.get(t.group)!;
  const done = undumped.get(cast) ?? new Set<number>();
  undumped.set(cast, done);
  if ((g.dumpable ?? true) === false && !done.has(g.serial)) {
    done.add(g.serial);
    if (!members(n, t).some((x) => x.cred.userNs === t.cred.userNs && x.cred.euid !== 0)) {
      out.step(step.setResUid(m.name, -1, 65534, -1), 'euid away from 0: commit_creds clears the dumpable flag, the saved uid 0 keeps the capabilities permitted');
      out.step(step.setResUid(m.name, -1, 0, -1), 'and back: root again, not dumpable');
    }
  }
  const s = idsStep(m.name, t.cred);
  if (s !== null) out.step(s, t.cred.euid === 0 ? 'its ids; euid 0 keeps its capabilities' : 'drops root');
}
