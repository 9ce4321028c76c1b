// Signalfds (fs/signalfd.c), rebuilt in the fd phase (fds.ts) at their fd
// numbers: each table's holder opens one with the snapshot's mask and flags
// when the lowest free fd is its number (fillers hold the gaps below). A
// signalfd reads its reader's pending signals, not its opener's, so one
// opened by the table's holder after every fork is what an inherited one
// would be: the snapshot keeps a mask and flags per table, not which tables
// share an open file (so a later signalfd(FD, MASK) on an inherited one,
// which changes every table's, is not a state it records).
// A task blocked in a read of one reads it by the name given here (waits.ts).

import type { SigSetJson } from '../snapshot/schema.js';
import type { Actor, Cast } from './actors.js';
import { refuse } from './refusal.js';
import type { Out } from './schedule.js';
import * as step from './steps.js';

/** A signalfd entry of a table: [fd, 'signalfd', mask, nonblock, cloexec]. */
export type SignalfdFile = readonly [number, 'signalfd', SigSetJson, boolean, boolean];

const big = (hex: SigSetJson): bigint => BigInt(`0x${hex === '' ? '0' : hex}`);

/** The scenario name of each signalfd the plan opened, by fd table serial and fd number. */
const opened = new WeakMap<Cast, Map<string, string>>();

const key = (files: number, fd: number): string => `${files}:${fd}`;

/** The signalfd at `fd` in `a`'s table, or null. */
export function signalfdAt(cast: Cast, a: Actor, fd: number): SignalfdFile | null {
  const files = cast.n.groups.get(a.task!.group)!.files;
  if (files === null) return null;
  for (const f of cast.n.fdTables.get(files)?.files ?? []) if (f[0] === fd && f[1] === 'signalfd') return f;
  return null;
}

/** `holder` opens table `files`'s signalfd `f` (the lowest free fd is f's number now). */
export function openSignalfd(cast: Cast, holder: Actor, files: number, f: SignalfdFile, out: Out): void {
  const name = cast.fdName();
  out.step(step.signalfd(holder.name, big(f[2]), f[3], f[4], name), `fd ${f[0]}: a signalfd`);
  const names = opened.get(cast) ?? new Map<string, string>();
  names.set(key(files, f[0]), name);
  opened.set(cast, names);
}

/** The name `a` reads its table's signalfd `fd` by (a thread's or CLONE_FILES sharer's table is the holder's). */
export function signalfdName(cast: Cast, a: Actor, fd: number): string {
  const files = cast.n.groups.get(a.task!.group)!.files;
  const name = files === null ? undefined : opened.get(cast)?.get(key(files, fd));
  if (name === undefined) return refuse(cast.n.taskName(a.task!.seq), `fd ${fd}`, 'its signalfd was not opened by the plan');
  return name;
}
