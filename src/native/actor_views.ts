// What the kernel backend knows of its actors and answers from /proc alone:
// the bookkeeping (actors by ref and by host tid, namespaces by inode) and
// the read-only questions a scenario asks between steps (ids, life, views).
// The driver (kernel_backend.ts) extends it with the runner and the settling.

import { readProcs } from '../host/proc.js';
import { fromJSON } from '../snapshot/index.js';
import { namespaceSnapshot, readThreads, type NsSnapshot } from '../host/ns_snapshot.js';
import { readPidfds } from '../host/proc_files.js';
import type { JobRow, NamespacesView, NsView, PsRow, StatusView, TaskLife, TaskRef } from '../scenario/backend.js';
import { PF_EXITING, statOf, type Actor, type NsInfo } from './actors.js';
import type { OtherNsNames } from './other_ns.js';
import { HostViews } from './views.js';

export abstract class ActorViews {
  protected readonly actors = new Map<number, Actor>();
  protected readonly byTid = new Map<number, Actor>();
  protected readonly nsByInode = new Map<number, NsInfo>();
  protected abstract readonly otherNs: OtherNsNames;
  private readonly views = new HostViews({
    actors: this.actors,
    byTid: this.byTid,
    nsByInode: this.nsByInode,
    actor: (ref) => this.actor(ref),
    nsOf: (a) => this.nsOf(a),
  });

  protected actor(ref: TaskRef): Actor {
    const a = this.actors.get(ref);
    if (a === undefined) throw new Error(`kernel backend: no task ${ref}`);
    return a;
  }

  protected nsOf(a: Actor): NsInfo {
    if (a.ns === null) throw new Error(`kernel backend: task ${a.ref}'s namespace is unknown`);
    return a.ns;
  }

  idOf(task: TaskRef, from: TaskRef): Promise<number> {
    return Promise.resolve(this.views.idOf(task, from));
  }

  levelForChildren(actor: TaskRef): Promise<number | null> {
    return Promise.resolve(this.views.levelForChildren(actor));
  }

  /** Throws when the runner itself is gone: its actors die with it, and that, not their death, is the news. */
  protected abstract checkRunner(what: string): Promise<void>;

  async life(task: TaskRef): Promise<TaskLife> {
    const a = this.actor(task);
    if (a.exited || a.hostTid === 0) return 'exited';
    const st = statOf(a.hostTid);
    if (st === null || st.state === 'Z' || (st.flags & PF_EXITING) !== 0) {
      // Dead with no report from the runner yet: a killed runner once made this "init has exited", a scenario error.
      await this.checkRunner(`a look at task ${task}`);
      return 'exited';
    }
    if (st.state === 'T' || st.state === 't') return 'stopped';
    return a.pending !== null ? 'blocked' : 'running';
  }

  ps(actor: TaskRef): Promise<readonly PsRow[]> {
    return Promise.resolve(this.views.ps(actor));
  }

  threads(actor: TaskRef, target: TaskRef): Promise<readonly number[] | null> {
    return Promise.resolve(this.views.threads(actor, target));
  }

  status(actor: TaskRef, target: TaskRef): Promise<StatusView | null> {
    return Promise.resolve(this.views.status(actor, target));
  }

  ns(actor: TaskRef): Promise<NsView> {
    return Promise.resolve(this.views.ns(actor));
  }

  /** The pts numbers of the scenario's ptys in the order they were opened (the runner's posix_openpt replies with it). */
  protected readonly ptys: number[] = [];

  jobs(actor: TaskRef): Promise<readonly JobRow[]> {
    return Promise.resolve(this.views.jobs(actor, this.ptys));
  }

  otherNamespaces(actor: TaskRef): Promise<NamespacesView> {
    return Promise.resolve(this.otherNs.view(this.actor(actor)));
  }

  /**
   * What /proc shows of ns0 and the namespaces below it, as a snapshot
   * (src/host/ns_snapshot.ts, the reader `host snapshot --ns` uses), with the
   * namespace parents this backend recorded; read before teardown, so call it
   * before close().
   */
  endState(): NsSnapshot {
    const ns0 = this.nsOf(this.actor(0 as TaskRef));
    const parents = new Map<number, number | null>();
    for (const ns of this.nsByInode.values()) if (ns.inode !== 0) parents.set(ns.inode, ns.parent?.inode ?? null);
    const read = (): NsSnapshot => namespaceSnapshot({ procs: readProcs(), root: ns0.inode, threads: (p) => readThreads(p), parents, pidfds: (pid, tid) => readPidfds(pid, tid) });
    // /proc is read file by file: a task still finishing its exit while the files are read can be seen half-way
    // (once in 50 generated runs a number was seen twice). Two reads in a row that agree, and load, are the state.
    let last = read();
    for (let i = 0; i < 20; i++) {
      const next = read();
      if (JSON.stringify(next) === JSON.stringify(last) && fromJSON(next.json).ok) return next;
      last = next;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
    return last;
  }
}
