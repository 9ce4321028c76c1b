// Terminals in a plan (docs/restore.md). Each open pty file of the snapshot
// is opened once, by the holders' common creator (the lowest actor every
// holder descends from in the plan's creation tree), right after it has
// settled and before it creates anyone: fork copies the fd table
// (dup_fd), so each holder is born with that very open file at its number,
// and a master a fork shares stays one file (ptmx_open makes one per
// pair). The actors between the opener and a holder only pass it on and
// close it once everyone is created. The session leader takes the terminal
// (TIOCSCTTY) right after its setsid, so every member, born after it,
// inherits signal->tty (copy_signal); the foreground group is set once the
// groups exist (tiocspgrp needs a member: session_of_pgrp), TOSTOP by the
// master's opener (tty_mode_ioctl acts on the slave), typed input is
// written to the master after creation, and a task asleep in a terminal
// read reads as its last step. A pair whose master no task holds was hung
// up by its last close (pty_close): it is opened, passed on and closed; a
// leader's tty_old_pgrp is made by replaying such a close while the pair
// is its terminal with that group in the foreground.

import type { TtyFileJson, TtyJson } from '../snapshot/schema.js';
import { nrIn, type Actor, type Cast } from './actors.js';
import { FIRST_FD } from './inherit.js';
import { refuse } from './refusal.js';
import type { Names } from './same.js';
import type { Out } from './schedule.js';
import { lastCreds } from './signals.js';
import * as step from './steps.js';

/** n_tty's read buffer holds N_TTY_BUF_SIZE - 1 typed bytes with no reader (drivers/tty/n_tty.c). */
const N_TTY_BUF_SIZE = 4096;
const PRINTABLE = 120; // 'x'
const NEWLINE = 10;
const SIGHUP = 1;

/** The pid an open pty file has in an actor's fd map (Actor.fds): below the fillers' -1, one per open file. */
const ptyMarker = (file: number): number => -2 - file;
/** Whether an actor's fd map entry is a pty file (ptyMarker), not a pidfd or a filler. */
export const isPtyEntry = (f: { readonly pid: number }): boolean => f.pid <= -2;

interface OpenFile {
  /** Its place in `ttyFiles`. */
  readonly index: number;
  readonly file: TtyFileJson;
  readonly fd: number;
  /** The processes whose final table holds it. */
  readonly holders: Actor[];
  opener: Actor;
  /** Every process whose table carries it while the plan creates: the opener, the holders and those between. */
  readonly path: Set<Actor>;
}

interface TtyPlan {
  readonly byIndex: Map<number, OpenFile>;
  readonly byOpener: Map<Actor, OpenFile[]>;
  /** Session leaders that take a terminal, and the pair. */
  readonly leaders: Map<Actor, TtyJson>;
  /** Members born with their session's terminal that give it up (TIOCNOTTY on a slave), and the pair. */
  readonly notty: Map<Actor, TtyJson>;
  /** Session leaders whose terminal's hangup the plan replays (their tty_old_pgrp), the pair and the foreground group then. */
  readonly hangups: Map<Actor, { readonly y: TtyJson; readonly pgrp: number }>;
}

const plans = new WeakMap<Cast, TtyPlan>();

/** What the planner does not rebuild of terminals, refused by name before anything is planned. */
export function refuseTtys(n: Names): void {
  const ttys = n.json.ttys ?? [];
  if (ttys.length === 0) return;
  for (const t of n.liveTasks()) {
    const g = n.groups.get(t.group)!;
    const who = n.taskName(t.seq);
    // __tty_hangup's tty_signal_session_leader set it: the plan replays that hangup on a hung-up pair (planTtys).
    if (g.ttyOldPgrp !== undefined && !ttys.some((y) => y.hungUp)) refuse(who, 'tty_old_pgrp', 'set only by a hangup of its terminal, and no pair of the snapshot is hung up to replay it on');
    const b = t.blocked;
    if (b !== null && 'file' in b) {
      const f = n.json.ttyFiles![b.file]!;
      if (b.syscall !== 'read' || f.master || b.restarts > 0 || b.fromStart || t.stopped) refuse(who, `blocked in a terminal ${b.syscall}`, 'only a read of a slave waiting for a line, not stopped and not restarted, is rebuilt (it blocks as its last step); a write or an ioctl sleeps only stopped by SIGTTOU, a stop in the middle of a call');
    }
  }
  for (const y of ttys) {
    if (y.lines.length === 0 && y.partial === 0) continue;
    // tty_ldisc_hangup() flushes the line discipline's buffer (n_tty_flush_buffer) and no master is left to type more: no
    // history gives this, the model's included (a snapshot written by hand, or by a model before it flushed, can hold it).
    if (y.hungUp) refuse(`pty ${y.index}`, 'typed input', 'on a hung-up pair: the hangup flushed the input (tty_ldisc_hangup) and no master is left to type more, so no history reaches this state');
    if (y.lines.reduce((s, l) => s + l, y.partial) >= N_TTY_BUF_SIZE) refuse(`pty ${y.index}`, 'typed input', 'more than the read buffer keeps, which typing again would not give back');
  }
}

/** The chain of processes `a` descends from in the plan (itself first, the start's init last). */
function chain(a: Actor): Actor[] {
  const out: Actor[] = [];
  for (let x: Actor | null = a.leader; x !== null; x = x.creator === null ? null : x.creator.leader) out.push(x);
  return out;
}

/** The lowest actor every one of `list` descends from (or is). */
function commonCreator(list: readonly Actor[]): Actor | undefined {
  const others = list.slice(1).map((x) => new Set(chain(x)));
  return chain(list[0]!).find((x) => others.every((s) => s.has(x)));
}

/** Decides who opens each pty file, and who passes it on (after the creators are chosen, before creation). */
export function planTtys(cast: Cast): void {
  const n = cast.n;
  const plan: TtyPlan = { byIndex: new Map(), byOpener: new Map(), leaders: new Map(), notty: new Map(), hangups: new Map() };
  plans.set(cast, plan);
  const ttys = n.json.ttys ?? [];
  if (ttys.length === 0) return;
  // A leader's tty_old_pgrp: its terminal was hung up (pty_close -> tty_vhangup) with that group in the foreground. The
  // plan replays it on a hung-up pair (each its own; any is as good, none has a session left): the leader takes it,
  // sets the foreground group, and the master's last close in 1b hangs it up, SIGHUP ignored meanwhile.
  const spare = ttys.filter((y) => y.hungUp);
  const replayOf = new Map<number, Actor>();
  for (const a of cast.all) {
    const old = a.kind === 'target' ? n.groups.get(a.task!.group)!.ttyOldPgrp : undefined;
    if (old === undefined) continue;
    const y = spare.shift();
    if (y === undefined) refuse(who(cast, a), 'tty_old_pgrp', 'more leaders with one than hung-up pairs to replay their hangups on');
    plan.hangups.set(a, { y: y!, pgrp: old });
    replayOf.set(y!.index, a);
  }
  const files = n.json.ttyFiles ?? [];
  let highest = FIRST_FD;
  for (const a of cast.all) {
    if (a.kind !== 'target') continue;
    const g = n.groups.get(a.task!.group)!;
    for (const f of g.files === null ? [] : (n.fdTables.get(g.files)?.files ?? [])) {
      highest = Math.max(highest, f[0]);
      if (f[1] !== 'pty') continue;
      let o = plan.byIndex.get(f[2]);
      if (o === undefined) plan.byIndex.set(f[2], (o = { index: f[2], file: files[f[2]]!, fd: f[0], holders: [], opener: a, path: new Set() }));
      if (o.fd !== f[0]) refuse(n.taskName(a.task!.seq), `fd ${f[0]}: a pty`, `the same open file is at fd ${o.fd} elsewhere; fork keeps fd numbers and the language has no dup`);
      o.holders.push(a);
    }
  }
  controllingTerminals(cast, plan);
  for (const y of ttys) {
    const mine = [...plan.byIndex.values()].filter((o) => o.file.tty === y.index);
    const masterIndex = files.findIndex((f) => f.tty === y.index && f.master);
    const replay = replayOf.get(y.index);
    if (mine.length === 0 && y.session === null && replay === undefined) continue;
    const slaves = mine.filter((o) => !o.file.master);
    // TIOCNOTTY needs a slave (the master is nobody's terminal): the first, or one opened for them and closed after.
    const giving = [...plan.notty].filter(([, x]) => x === y).map(([a]) => a);
    let master = plan.byIndex.get(masterIndex);
    const leader = replay ?? (y.session === null ? undefined : cast.origin.get(y.session) ?? cast.bySeq.get(n.pids.get(y.session)!.task ?? -1));
    // A slave opened only for TIOCNOTTY is opened where the master is (by the common creator of the master's holders,
    // the leader and the members giving it up), so the master passes through no table but its holders' and the leader's:
    // a member may then open another pty at the master's number (fork's copy of the master is closed at its birth).
    const temp = giving.length > 0 && slaves.length === 0;
    if (temp) {
      const index = files.length + ttys.length + y.index;
      const file: OpenFile = { index, file: { tty: y.index, master: false, readable: true, writable: true, hungUp: false }, fd: highest + 2 + 2 * y.index, holders: [], opener: giving[0]!, path: new Set() };
      plan.byIndex.set(index, file);
      slaves.push(file);
    }
    const masterSide = temp ? [...(master?.holders ?? []), ...(leader === undefined ? [] : [leader])] : [];
    for (const s of slaves) s.opener = commonCreator([...s.holders, ...(s === slaves[0] ? [...giving, ...masterSide] : [])])!;
    for (const x of giving) walk(slaves[0]!, x);
    const extra = slaves.map((s) => s.opener);
    if (y.session !== null || replay !== undefined) {
      if (leader === undefined || leader.kind !== 'target') refuse(`pty ${y.index}`, 'controlling terminal', 'its session has no leader the plan rebuilds to take it');
      extra.push(leader!);
      plan.leaders.set(leader!, y);
    }
    if (master === undefined) {
      // No task holds the master (the snapshot lists no file of it): its last close hung the pair up. Open it anyway, above every
      // fd the snapshot has, as an open file numbered past the snapshot's, and close it once the slaves are passed on.
      if (!y.hungUp || masterIndex >= 0) refuse(`pty ${y.index}`, 'pty', 'no task holds its master, yet it was not hung up');
      const index = files.length + y.index;
      master = { index, file: { tty: y.index, master: true, readable: true, writable: true, hungUp: false }, fd: highest + 1 + 2 * y.index, holders: [], opener: extra[0]!, path: new Set() };
      plan.byIndex.set(index, master);
    }
    master.opener = commonCreator([...master.holders, ...extra])!;
    for (const x of extra) walk(master, x);
  }
  const tables = new Map<unknown, Map<number, number>>();
  for (const o of plan.byIndex.values()) {
    if (o.opener === undefined) refuse(`pty file ${o.index}`, 'pty', 'its holders have no common creator in the plan');
    for (const h of o.holders) walk(o, h);
    const list = plan.byOpener.get(o.opener) ?? [];
    list.push(o);
    plan.byOpener.set(o.opener, list);
    for (const x of o.path) {
      if (x !== o.opener && x.creator?.leader === o.opener && (cast.early.get(o.opener) ?? []).includes(x)) refuse(who(cast, x), `fd ${o.fd}: a pty`, `it is born before its creator ${o.opener.name} settles and opens the pty it must inherit`);
      const key = x.task === null ? x : (n.groups.get(x.task.group)!.files ?? x);
      const t = tables.get(key) ?? new Map<number, number>();
      tables.set(key, t);
      if (t.has(o.fd) && t.get(o.fd) !== o.index) refuse(who(cast, x), `fd ${o.fd}: a pty`, 'two pty files pass through its table at one fd number');
      t.set(o.fd, o.index);
    }
  }
  // Masters first: a slave is opened by TIOCGPTPEER on its master.
  for (const list of plan.byOpener.values()) list.sort((a, b) => Number(b.file.master) - Number(a.file.master));
}

/**
 * Which processes have their session's terminal when they create: a
 * leader from its TIOCSCTTY on, a member as it is to end (born with its
 * creator's, given up by TIOCNOTTY at its settling if it must not have it),
 * a session helper none (setsid), a nursery or group helper its creator's.
 */
function controllingTerminals(cast: Cast, plan: TtyPlan): void {
  const n = cast.n;
  const ttys = n.json.ttys ?? [];
  const held = new Map<Actor, number | undefined>();
  const has = (x: Actor): number | undefined => {
    if (held.has(x)) return held.get(x);
    const own = x.task === null ? undefined : n.groups.get(x.task.group)!;
    const v = own !== undefined ? own.ctty : x.kind === 'session helper' || x.creator === null ? undefined : has(x.creator.leader);
    held.set(x, v);
    return v;
  };
  for (const a of cast.all) {
    if (a.kind !== 'target' || a.creator === null) continue;
    const want = has(a);
    if (a.sid === a.task!.pid) continue; // setsid clears it; a leader with one takes it (plan.leaders)
    const born = has(a.creator.leader);
    if (born === want) continue;
    if (want !== undefined || n.groups.get(a.task!.group)!.session !== ttys[born!]!.session) refuse(who(cast, a), want === undefined ? 'no controlling terminal' : 'controlling terminal', want === undefined ? 'it is born in another session with its creator\'s terminal' : `its creator in the plan (${a.creator.name}) has no terminal for it to inherit, and only a session leader takes one`);
    plan.notty.set(a, ttys[born!]!);
  }
  // A child born before its creator settles (schedule.ts findEarly) would get the terminal the creator still has then.
  for (const c of plan.notty.keys()) for (const e of cast.early.get(c) ?? []) if (has(e) === undefined) refuse(who(cast, e), 'no controlling terminal', `it is born before its creator ${c.name} gives the terminal up`);
}

function who(cast: Cast, a: Actor): string {
  return a.task === null ? a.name : cast.n.taskName(a.task.seq);
}

/** Adds `x`'s chain up to the file's opener to its path. */
function walk(o: OpenFile, x: Actor): void {
  for (const y of chain(x)) {
    o.path.add(y);
    if (y === o.opener) return;
  }
}

/** Whether a child keeps its copy of the fd its creator passes on (inherit.ts closeAfterChild). */
export function keepsTty(cast: Cast, a: Actor, pid: number): boolean {
  if (pid > -2) return false;
  return plans.get(cast)?.byIndex.get(-2 - pid)?.path.has(a.leader) ?? false;
}

/** The name `a`'s table gives an open pty file, if it holds it now. */
function nameIn(a: Actor, index: number): string | undefined {
  for (const f of a.leader.fds.values()) if (f.pid === ptyMarker(index)) return f.name;
  return undefined;
}

function masterOf(cast: Cast, tty: number): OpenFile {
  return [...plans.get(cast)!.byIndex.values()].find((o) => o.file.tty === tty && o.file.master)!;
}

/** At the end of an actor's settling (schedule.ts): the pty files it opens, and the terminal its session takes. */
export function settleTtys(cast: Cast, a: Actor, out: Out): void {
  const plan = plans.get(cast);
  if (plan === undefined) return;
  for (const o of plan.byOpener.get(a) ?? []) openAt(cast, a, o, out);
  const y = plan.leaders.get(a);
  if (y !== undefined) out.step(step.setCtty(a.name, nameIn(a, masterOf(cast, y.index).index)!), 'the session leader takes the terminal: every member, born after, inherits it');
  const gives = plan.notty.get(a);
  if (gives !== undefined) {
    const slave = [...plan.byIndex.values()].find((o) => o.file.tty === gives.index && !o.file.master && nameIn(a, o.index) !== undefined);
    // planTtys passes or opens a slave for it; one whose fd table the plan shares or rebuilds otherwise (an exec's copy) has none.
    if (slave === undefined) return refuse(who(cast, a), 'no controlling terminal', 'it must give up its session\'s terminal, TIOCNOTTY needs a slave fd, and its fd table holds none when it settles');
    out.step(step.giveUpCtty(a.name, nameIn(a, slave.index)!), 'born with its session\'s terminal, which it does not have: it gives it up (no_tty; not a leader, so nobody else loses it)');
  }
}

function openAt(cast: Cast, a: Actor, o: OpenFile, out: Out): void {
  const table = a.leader.fds;
  if (table.has(o.fd)) refuse(who(cast, a), `fd ${o.fd}: a pty`, 'it holds another fd at that number when it opens the pty');
  const fillers: [number, string][] = [];
  for (let nr = FIRST_FD; nr < o.fd; nr++) {
    if (table.has(nr)) continue;
    const filler = cast.fdName();
    out.step(step.openPidfd(a.name, a.name, false, false, filler), `holds fd ${nr} so the pty lands on ${o.fd}`);
    table.set(nr, { pid: -1, name: filler });
    fillers.push([nr, filler]);
  }
  const name = cast.fdName();
  const tty = cast.n.json.ttys![o.file.tty]!;
  const holders = o.holders.length === 0 ? (o.file.master ? 'to be closed: its last close hangs the pair up' : 'for the TIOCNOTTY of members born with the terminal, closed after') : `for ${o.holders.map((h) => h.name).join(', ')}`;
  if (o.file.master) out.step(step.openMaster(a.name, o.file.readable, o.file.writable, name), `a pty pair's master at fd ${o.fd}, ${holders}`);
  else out.step(step.openSlave(a.name, nameIn(a, masterOf(cast, o.file.tty).index)!, o.file.readable, o.file.writable, name), `its slave at fd ${o.fd}, ${holders}`);
  table.set(o.fd, { pid: ptyMarker(o.index), name });
  for (const [nr, f] of fillers) {
    out.step(step.closeFd(a.name, f), 'the filler goes');
    table.delete(nr);
  }
  if (o.file.master && tty.tostop) out.step(step.setTostop(a.name, name), 'TOSTOP (set on the slave through its master)');
}

/** After creation: foreground groups, typed input, then the fds only passed on are closed (a master's last close hangs its pair up). */
export function ttyControl(cast: Cast, out: Out): void {
  const plan = plans.get(cast);
  if (plan === undefined || plan.byIndex.size === 0) return;
  const n = cast.n;
  out.section('1b. Terminals: foreground groups, typed input; then each pty fd that was only passed on is closed.');
  for (const [leader, y] of plan.leaders) {
    const pgrp = plan.hangups.get(leader)?.pgrp ?? y.pgrp;
    if (pgrp === null || pgrp === leader.pgid) continue;
    const nr = nrIn(n.pids.get(pgrp)!, leader.ns);
    if (nr === 0) refuse(who(cast, leader), 'foreground group', 'its number is not visible to the session leader');
    if (!cast.all.some((x) => x.pgid === pgrp && (x.kind === 'target' || x.kind === 'group helper'))) refuse(who(cast, leader), 'foreground group', 'no process of the plan is in it, and TIOCSPGRP needs one (session_of_pgrp)');
    out.step(step.setForeground(leader.name, nameIn(leader, masterOf(cast, y.index).index)!, nr), `the foreground group ${n.pidName(pgrp)}${plan.hangups.has(leader) ? ', to be its tty_old_pgrp at the hangup' : ''}`);
  }
  // tty_signal_session_leader() sends the leader SIGHUP and SIGCONT (SEND_SIG_PRIV): SIGHUP is ignored until the hangup is
  // over (phase 5 sets the disposition the snapshot has); SIGCONT, at SIG_DFL with nothing stopped or blocked yet, is dropped.
  for (const leader of plan.hangups.keys()) out.step(step.action(leader.name, SIGHUP, 'SIG_IGN', 0, 0n), 'for now: the replayed hangup sends it SIGHUP');
  for (const y of n.json.ttys ?? []) {
    if (y.lines.length === 0 && y.partial === 0) continue;
    const m = masterOf(cast, y.index);
    // Every process is alive now (deaths and stops come later): any holder of the master types.
    const typist = m.holders[0];
    const fd = typist === undefined ? undefined : nameIn(typist, m.index);
    if (typist === undefined || fd === undefined) return refuse(`pty ${y.index}`, 'typed input', 'no process of the plan holds its master to type it');
    const bytes: number[] = [];
    for (const len of y.lines) bytes.push(...new Array<number>(len - 1).fill(PRINTABLE), NEWLINE);
    bytes.push(...new Array<number>(y.partial).fill(PRINTABLE));
    bytes.forEach((b, i) => {
      out.step(step.type(typist.name, fd, b), i === 0 ? `typed input, not read yet: ${y.lines.length === 0 ? 'no complete line' : `lines of ${y.lines.join(', ')} bytes`}, ${y.partial} of a line being typed` : '');
    });
  }
  for (const o of plan.byIndex.values()) {
    for (const x of o.path) {
      if (o.holders.includes(x) || x.kind === 'nursery') continue;
      const name = nameIn(x, o.index);
      if (name === undefined) continue;
      const replay = o.file.master ? [...plan.hangups].find(([, h]) => h.y.index === o.file.tty)?.[0] : undefined;
      const last = o.holders.length === 0 && o.file.master;
      out.step(step.closeFd(x.name, name), last && replay !== undefined ? `the master is closed: the pair hangs up, ${replay.name}'s terminal (its tty_old_pgrp the foreground group)` : last ? 'the master is closed: the pair hangs up (it has no session)' : 'it only passed the pty on');
      x.leader.fds.delete(o.fd);
    }
  }
  for (const leader of plan.hangups.keys()) out.step(step.action(leader.name, SIGHUP, 'SIG_DFL', 0, 0n), 'the hangup is over');
}

/** After the stops (plan.ts): a task asleep in a terminal read reads, its last step. */
export function ttyReads(cast: Cast, out: Out): void {
  for (const a of cast.all) {
    const b = a.task?.blocked;
    if (b === undefined || b === null || !('file' in b)) continue;
    const fd = nameIn(a, b.file);
    if (fd === undefined) refuse(who(cast, a), 'blocked in a terminal read', 'its group does not hold the file it reads');
    lastCreds(cast, a, out);
    out.step(step.readFd(a.name, fd!), 'waits for a line, as in the snapshot');
    cast.waited.add(a);
  }
}
