// Reading one task's files under /proc (proc(5)): the parsers that the live
// host commands and the kernel backend share. Every reader returns null when
// the task vanished or the file cannot be read, never throws.

import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** The inode of a namespace link (`readlink /proc/PID/ns/pid` is `pid:[INODE]`). */
export function nsInode(path: string): number | null {
  try {
    const m = /\[(\d+)\]/.exec(readlinkSync(path));
    return m === null ? null : Number(m[1]);
  } catch {
    return null;
  }
}

/** /proc/PID/stat's fields after comm (which may hold spaces and parentheses). */
export interface ProcStat {
  /** R, S, D, T, t, Z, X, ... */
  readonly state: string;
  readonly ppid: number;
  readonly pgrp: number;
  readonly session: number;
  /** PF_* flags (PF_EXITING is 0x4). */
  readonly flags: number;
  /** The controlling terminal's device (new_encode_dev), 0 for none. */
  readonly ttyNr: number;
  /** Its foreground group in the reader's namespace, -1 without a terminal. */
  readonly tpgid: number;
  /** Field 38, exit_signal: what the parent is sent at its death (-1 for a thread, proc(5)). */
  readonly exitSignal: number;
  /** Field 52, exit_code: the wait status word of a zombie (0 while alive; shown to a reader with ptrace access). */
  readonly exitCode: number;
}

export function parseStat(text: string): ProcStat {
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[i] is field i + 3 of proc(5) (field 1 is the pid, 2 the comm).
  const at = (field: number): number => {
    const n = Number(rest[field - 3]);
    return Number.isInteger(n) ? n : 0;
  };
  return { state: rest[0] ?? '?', ppid: Number(rest[1]), pgrp: Number(rest[2]), session: Number(rest[3]), flags: Number(rest[6] ?? 0), ttyNr: Number(rest[4] ?? 0), tpgid: Number(rest[5] ?? -1), exitSignal: at(38), exitCode: at(52) };
}

export function readStat(path: string): ProcStat | null {
  const text = readText(path);
  return text === null ? null : parseStat(text);
}

/** The identity lines of /proc/PID/status; NS* columns run from the reader's level down. */
export interface ProcStatusFile {
  readonly name: string;
  /** The state letter. */
  readonly state: string;
  readonly ppid: number;
  readonly nstgid: readonly number[];
  readonly nspid: readonly number[];
  readonly nspgid: readonly number[];
  readonly nssid: readonly number[];
  /** Real, effective, saved uid. */
  readonly uids: readonly [number, number, number];
  /** A signal in SigPnd or ShdPnd that this thread does not block (SigBlk): one it will still take. */
  readonly sigPending: boolean;
  /** The signal sets (bit sig-1), each 0 when the line is absent: pending to this thread, to its group, blocked, ignored, caught. */
  readonly sets: { readonly sigPnd: bigint; readonly shdPnd: bigint; readonly sigBlk: bigint; readonly sigIgn: bigint; readonly sigCgt: bigint };
}

/** A sigset_t as /proc prints it (16 hex digits); an absent or garbled field is empty. */
function hexSet(text: string): bigint {
  return /^[0-9a-f]{1,16}$/.test(text) ? BigInt(`0x${text}`) : 0n;
}

export function parseStatus(text: string): ProcStatusFile {
  const field = (name: string): string => {
    const m = new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(text);
    return m?.[1]?.trim() ?? '';
  };
  const nums = (name: string): number[] => field(name).split(/\s+/).filter((x) => x !== '').map(Number);
  const u = nums('Uid');
  return {
    name: field('Name'),
    state: field('State').charAt(0),
    ppid: Number(field('PPid')),
    nstgid: nums('NStgid'),
    nspid: nums('NSpid'),
    nspgid: nums('NSpgid'),
    nssid: nums('NSsid'),
    uids: [u[0] ?? 0, u[1] ?? 0, u[2] ?? 0],
    sigPending: ((hexSet(field('SigPnd')) | hexSet(field('ShdPnd'))) & ~hexSet(field('SigBlk'))) !== 0n,
    sets: { sigPnd: hexSet(field('SigPnd')), shdPnd: hexSet(field('ShdPnd')), sigBlk: hexSet(field('SigBlk')), sigIgn: hexSet(field('SigIgn')), sigCgt: hexSet(field('SigCgt')) },
  };
}

export function readStatus(path: string): ProcStatusFile | null {
  const text = readText(path);
  return text === null ? null : parseStatus(text);
}

/** A pidfd a process holds, as /proc/PID/fdinfo/FD shows it. */
export interface LivePidfd {
  /** The pidfs inode: one per struct pid, so two pidfds of one process (alive or reaped) share it. */
  readonly ino: number;
  /** `Pid:`, the target's number in the reader's namespace; -1 once it is reaped. */
  readonly nr: number;
  /** `flags:` (octal f_flags): PIDFD_THREAD is O_EXCL, PIDFD_NONBLOCK O_NONBLOCK. */
  readonly flags: number;
}

/** The pidfds the fd table of thread TID of process PID holds (/proc/PID/task/TID/fd); [] when it vanished. */
export function readPidfds(pid: number, tid = pid, proc = '/proc'): LivePidfd[] {
  const dir = `${proc}/${pid}/task/${tid}`;
  let fds: string[];
  try {
    fds = readdirSync(`${dir}/fd`);
  } catch {
    return [];
  }
  const out: LivePidfd[] = [];
  for (const fd of fds) {
    try {
      if (readlinkSync(`${dir}/fd/${fd}`) !== 'anon_inode:[pidfd]') continue;
      const info = readFileSync(`${dir}/fdinfo/${fd}`, 'utf8');
      const field = (name: string): string => new RegExp(`^${name}:\\s*(\\S+)`, 'm').exec(info)?.[1] ?? '';
      out.push({ ino: Number(field('ino')), nr: Number(field('Pid')), flags: Number.parseInt(field('flags'), 8) });
    } catch {
      // Closed meanwhile.
    }
  }
  return out;
}
