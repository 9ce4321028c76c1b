// The user namespaces of a snapshot /proc is read for (ns_snapshot.ts).
// Each task's /proc/PID/task/TID/ns/user names the user namespace of its
// credentials (userns_get() reads __task_cred(), so a zombie's too); the
// reader's own is the snapshot's root one (the restore's is its runner's).
// What /proc does not show is where a child one hangs and who owns it
// (NS_GET_PARENT and NS_GET_OWNER_UID are ioctls on the ns file): each is
// written as a child of the reader's owned by uid 0, and the snapshot says
// so in `omitted`, so that no plan is made from the guess. The proc rule
// (src/restore/same.ts) compares only which tasks share one.

import type { UserNsJson } from '../snapshot/index.js';
import type { LiveThread } from './ns_snapshot.js';

/** What a snapshot with a child user namespace leaves out: /proc names it (ns/user) but not its place or owner. */
export const USERNS_OMITTED = "a child user namespace's parent and owner uid (NS_GET_PARENT and NS_GET_OWNER_UID are ioctls; /proc does not show them): each is written as a child of the reader's, owned by uid 0";

/**
 * The user namespaces tasks' credentials are in: the reader's is serial 0,
 * the root one; each other, by first appearance, a child of it (see
 * USERNS_OMITTED). A thread whose link could not be read (null) is put in
 * the reader's, and `omitted` says so; one a caller did not read (a test's
 * threads, no userNs) is in the reader's.
 */
export function userNamespacesOf(procs: readonly { readonly threads: readonly LiveThread[] }[], reader: number | null): { readonly list: UserNsJson[]; readonly omitted: string[]; serialOf(t: LiveThread): number } {
  const serials = new Map<number, number>();
  const list: UserNsJson[] = [{ serial: 0, parent: null, owner: 0 }];
  if (reader !== null) serials.set(reader, 0);
  let unread = 0;
  for (const { threads } of procs) {
    for (const t of threads) {
      if (t.userNs === null) unread++;
      if (t.userNs === undefined || t.userNs === null || serials.has(t.userNs)) continue;
      serials.set(t.userNs, list.length);
      list.push({ serial: list.length, parent: 0, owner: 0 });
    }
  }
  const omitted = list.length > 1 ? [USERNS_OMITTED] : [];
  if (unread > 0 || reader === null) omitted.push(`the user namespace of ${unread} thread${unread === 1 ? '' : 's'}${reader === null ? " and the reader's" : ''} (ns/user could not be read): written as the reader's`);
  return { list, omitted, serialOf: (t) => (t.userNs === undefined || t.userNs === null ? 0 : serials.get(t.userNs)!) };
}
