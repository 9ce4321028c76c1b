// Credentials in the root user namespace, and the dumpable flag (plan phase
// 6; a zombie's just before its death). Every actor starts as root with
// every capability and a dumpable mm; one setresuid(r, e, s) from there
// gives any real/effective/saved triple, and cap_emulate_setxuid()
// (security/commoncap.c) decides the capabilities it leaves: effective only
// with euid 0, permitted kept while a uid 0 remains. commit_creds()
// (kernel/cred.c) clears the mm's dumpable flag whenever the euid changes
// (fs.suid_dumpable 0); prctl(PR_SET_DUMPABLE) sets it as the snapshot has
// it once the group's last member has its ids (an execve after a setuid
// set it again, a root that left euid 0 and came back has it clear). Tasks
// in a child user namespace cannot change their ids (no uid_map: make_kuid
// fails, EINVAL): userns.ts checks theirs.

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
}

/** Per thread group (serial): how many of its members' credentials are still to be planned. */
const left = new WeakMap<Cast, Map<number, number>>();

/** `m`'s ids, as one setresuid (or setuid) from root. */
export function rootCreds(m: Actor, out: Out): void {
  const t = m.task!;
  const s = idsStep(m.name, t.cred);
  if (s !== null) out.step(s, t.cred.euid === 0 ? 'its ids; euid 0 keeps its capabilities' : 'drops root');
}

/**
 * After the last member of `m`'s group has its credentials: the mm's
 * dumpable flag, when they did not leave it as the snapshot has it. The
 * plan's creators are root and dumpable; a member's setresuid that moves
 * the euid off 0 clears it; a task in a child user namespace has its
 * entrant's (cleared the same way, userns.ts).
 */
export function dumpable(cast: Cast, m: Actor, out: Out): void {
  const n = cast.n;
  const t = m.task!;
  const g = n.groups.get(t.group)!;
  const counts = left.get(cast) ?? new Map<number, number>();
  left.set(cast, counts);
  const all = members(n, t);
  const remaining = (counts.get(g.serial) ?? all.length) - 1;
  counts.set(g.serial, remaining);
  if (remaining > 0) return;
  const leaves = all.every((x) => x.cred.euid === 0);
  const want = g.dumpable ?? true;
  if (want !== leaves) out.step(step.setDumpable(m.name, want), want ? 'dumpable again, as an execve would have left it' : 'not dumpable, as in the snapshot (a changed euid cleared it, here or in a creator before the fork)');
}
