// The user namespaces a /proc read gives a snapshot, and the proc rule's
// comparison of them: the reader's is the root one, each other a child of it
// that the snapshot says it guessed (omitted); tasks compare by which of them
// they share, named by their tasks, not by a PID namespace's owner.

import { describe, expect, it } from 'vitest';
import { ModelBackend } from '../scenario/model_backend.js';
import { parseScenario } from '../scenario/parser.js';
import { runScenario } from '../scenario/run.js';
import { toJSON } from '../snapshot/save.js';
import { formatDifference, samenessDifferences } from '../restore/same.js';
import type { LiveThread } from './ns_snapshot.js';
import { USERNS_OMITTED, userNamespacesOf } from './ns_users.js';

const thread = (tid: number, userNs: number | null | undefined): LiveThread => ({ tid, userNs }) as unknown as LiveThread;

describe('userNamespacesOf', () => {
  it("numbers the reader's 0 and each other by first appearance, as children of it, and says so", () => {
    const u = userNamespacesOf([{ threads: [thread(1, 10), thread(2, 20)] }, { threads: [thread(3, 30), thread(4, 20)] }], 10);
    expect(u.list).toEqual([{ serial: 0, parent: null, owner: 0 }, { serial: 1, parent: 0, owner: 0 }, { serial: 2, parent: 0, owner: 0 }]);
    expect([1, 2, 3, 4].map((i) => u.serialOf(thread(i, [10, 20, 30, 20][i - 1])))).toEqual([0, 1, 2, 1]);
    expect(u.omitted).toEqual([USERNS_OMITTED]);
  });

  it('leaves nothing out when every task is in the reader’s; an unread link is named as left out', () => {
    expect(userNamespacesOf([{ threads: [thread(1, 10), thread(2, undefined)] }], 10).omitted).toEqual([]);
    expect(userNamespacesOf([{ threads: [thread(1, null)] }], 10).omitted).toEqual(["the user namespace of 1 thread (ns/user could not be read): written as the reader's"]);
  });
});

describe('the proc rule and user namespaces', () => {
  it('names a task whose credentials are in another user namespace, with no PID namespace owner needed', async () => {
    const b = new ModelBackend();
    await runScenario(parseScenario('init: clone(CLONE_NEWUSER) -> q\nq: clone(CLONE_NEWPID) -> n\n', 'u.pidns'), b);
    const json = toJSON(b.kernel);
    expect(samenessDifferences(json, json, 'proc')).toEqual([]);
    // The kernel side knows no PID namespace's owner: the root one for all of them changes nothing.
    const unowned = { ...json, pidNamespaces: json.pidNamespaces.map((p) => ({ ...p, userNs: 0 })) };
    expect(samenessDifferences(json, unowned, 'proc')).toEqual([]);
    const root = json.userNamespaces.find((u) => u.parent === null)!.serial;
    const moved = { ...json, tasks: json.tasks.map((t) => (t.comm === 'n' ? { ...t, cred: { ...t.cred, userNs: root } } : t)) };
    expect(samenessDifferences(json, moved, 'proc').map(formatDifference)).toEqual(['task 3 1: user namespace: expected user(of task 2), got user0']);
  });
});
