// The views of the kernel backend (@ps, @threads, @status, @ns, and `$b`'s
// id), read from the host's /proc and translated into the viewer's
// namespace: the NS* columns run from the host's level down, so the column
// at the viewer's level is the number it sees.

import { readdirSync } from 'node:fs';
import { nsInode, readStatus, type ProcStatusFile } from '../host/proc_files.js';
import type { JobRow, NsView, PsRow, StatusView, TaskRef } from '../scenario/backend.js';
import { procState, sees, statOf, statusOf, type Actor, type NsInfo } from './actors.js';

/** What the views read of the backend's bookkeeping. */
export interface ActorWorld {
  readonly actors: ReadonlyMap<number, Actor>;
  readonly byTid: ReadonlyMap<number, Actor>;
  readonly nsByInode: Map<number, NsInfo>;
  actor(ref: TaskRef): Actor;
  nsOf(a: Actor): NsInfo;
}

export class HostViews {
  /** NSpid columns by host pid, as last read: a foreground group whose members are gone still has its numbers (@jobs). */
  private readonly cols = new Map<number, readonly number[]>();

  constructor(private readonly w: ActorWorld) {}

  private gone(a: Actor): boolean {
    return statOf(a.hostTid) === null;
  }

  /** task's tid as from's namespace sees it; 0 when not visible or gone. */
  idOf(task: TaskRef, from: TaskRef): number {
    const t = this.w.actor(task);
    if (t.hostTid === 0 || this.gone(t)) return 0;
    const viewer = this.w.nsOf(this.w.actor(from));
    if (!sees(viewer, this.w.nsOf(t))) return 0;
    const s = statusOf(t.hostTid);
    if (s !== null) this.cols.set(t.hostTid, s.nspid);
    return s?.nspid[viewer.level] ?? 0;
  }

  levelForChildren(actor: TaskRef): number {
    const a = this.w.actor(actor);
    const inode = nsInode(`/proc/${a.hostTid}/ns/pid_for_children`);
    if (inode !== null) {
      const ns = this.w.nsByInode.get(inode);
      if (ns !== undefined) return ns.level;
    }
    return a.pendingNs?.level ?? this.w.nsOf(a).level;
  }

  /** The processes (thread-group leaders) of the scenario that still have a /proc entry. */
  private leaders(): { a: Actor; s: ProcStatusFile }[] {
    const out: { a: Actor; s: ProcStatusFile }[] = [];
    const seen = new Set<number>();
    for (const a of this.w.actors.values()) {
      if (a.hostTid === 0 || a.hostTid !== a.hostTgid || seen.has(a.hostTgid)) continue;
      const s = statusOf(a.hostTgid);
      if (s === null) continue;
      seen.add(a.hostTgid);
      out.push({ a, s });
    }
    return out;
  }

  /** PPid as the viewer's namespace sees it: the parent's tgid there, 0 when invisible or outside the scenario. */
  private ppidIn(viewer: NsInfo, hostPpid: number): number {
    const parent = this.w.byTid.get(hostPpid) ?? [...this.w.actors.values()].find((x) => x.hostTgid === hostPpid);
    if (parent === undefined) return 0;
    if (!sees(viewer, this.w.nsOf(parent))) return 0;
    return statusOf(hostPpid)?.nstgid[viewer.level] ?? 0;
  }

  ps(actor: TaskRef): PsRow[] {
    const viewer = this.w.nsOf(this.w.actor(actor));
    const L = viewer.level;
    const rows: PsRow[] = [];
    for (const { a, s } of this.leaders()) {
      if (!sees(viewer, this.w.nsOf(a))) continue;
      rows.push({ pid: s.nstgid[L] ?? 0, ppid: this.ppidIn(viewer, s.ppid), pgid: s.nspgid[L] ?? 0, sid: s.nssid[L] ?? 0, state: procState(s.state), name: s.name });
    }
    return rows.sort((x, y) => x.pid - y.pid);
  }

  /**
   * @jobs: /proc/PID/stat's tpgid translated into the viewer's namespace
   * through a live member (or the task) with that host number; the
   * terminal named by the order the scenario's ptys were opened in.
   */
  jobs(actor: TaskRef, ptys: readonly number[]): JobRow[] {
    const viewer = this.w.nsOf(this.w.actor(actor));
    const L = viewer.level;
    const statuses = this.leaders().map((x) => x.s);
    const live = [...this.w.actors.values()].flatMap((x) => (x.exited || x.hostTid === 0 ? [] : [statusOf(x.hostTid)].filter((s) => s !== null)));
    for (const s of [...statuses, ...live]) this.cols.set(s.nspid[0]!, s.nspid);
    const tpgidIn = (host: number): number => {
      if (host <= 0) return host;
      const member = [...statuses, ...live].find((s) => s.nspgid[0] === host);
      if (member !== undefined) return member.nspgid[L] ?? 0;
      return this.cols.get(host)?.[L] ?? 0;
    };
    const rows: JobRow[] = [];
    for (const { a, s } of this.leaders()) {
      if (!sees(viewer, this.w.nsOf(a))) continue;
      const st = statOf(a.hostTgid);
      const minor = st === null ? -1 : (st.ttyNr & 0xff) | ((st.ttyNr >> 12) & 0xfff00);
      const index = st === null || st.ttyNr === 0 ? -1 : ptys.indexOf(minor);
      rows.push({
        pid: s.nstgid[L] ?? 0,
        ppid: this.ppidIn(viewer, s.ppid),
        pgid: s.nspgid[L] ?? 0,
        sid: s.nssid[L] ?? 0,
        tpgid: st === null ? -1 : tpgidIn(st.tpgid),
        tty: index < 0 ? '?' : `pts/${index}`,
        state: procState(s.state),
        name: s.name,
      });
    }
    return rows.sort((x, y) => x.pid - y.pid);
  }

  threads(actor: TaskRef, target: TaskRef): number[] | null {
    const viewer = this.w.nsOf(this.w.actor(actor));
    const t = this.w.actor(target);
    if (t.hostTid === 0 || this.gone(t) || !sees(viewer, this.w.nsOf(t))) return null;
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${t.hostTgid}/task`);
    } catch {
      return null;
    }
    const out = tids.map((tid) => readStatus(`/proc/${t.hostTgid}/task/${tid}/status`)?.nspid[viewer.level] ?? 0).filter((n) => n !== 0);
    return out.sort((x, y) => x - y);
  }

  status(actor: TaskRef, target: TaskRef): StatusView | null {
    const viewer = this.w.nsOf(this.w.actor(actor));
    const t = this.w.actor(target);
    if (t.hostTid === 0 || !sees(viewer, this.w.nsOf(t))) return null;
    const s = statusOf(t.hostTid);
    if (s === null) return null;
    const L = viewer.level;
    return {
      name: s.name,
      state: procState(s.state),
      tgid: s.nstgid[L] ?? 0,
      pid: s.nspid[L] ?? 0,
      ppid: this.ppidIn(viewer, s.ppid),
      nstgid: s.nstgid.slice(L),
      nspid: s.nspid.slice(L),
      nspgid: s.nspgid.slice(L),
      nssid: s.nssid.slice(L),
    };
  }

  ns(actor: TaskRef): NsView {
    const a = this.w.actor(actor);
    const pid = this.w.nsOf(a).index;
    const inode = nsInode(`/proc/${a.hostTid}/ns/pid_for_children`);
    if (inode === null) return { pid, pidForChildren: null };
    let ns = this.w.nsByInode.get(inode);
    if (ns === undefined && a.pendingNs !== null && a.pendingNs.inode === 0) {
      ns = a.pendingNs;
      ns.inode = inode;
      this.w.nsByInode.set(inode, ns);
    }
    return { pid, pidForChildren: ns?.index ?? null };
  }
}
