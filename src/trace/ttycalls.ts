// The import table's entries for terminals (issue 13's part of the
// language): a pty pair opened in the trace (open of /dev/ptmx, then
// TIOCGPTPEER), and the job-control ioctls on any fd that refers to one.
//
// The language names the fd a call opened; the trace then moves it around
// (dup2 onto 0, 1, 2, fcntl F_DUPFD, open of /dev/tty). The importer follows
// each process's fds that refer to a named pty end (Proc.ttys) and writes an
// ioctl on any of them with that name: a terminal ioctl acts on the tty, not
// on the fd. Closing one of those fds is no step (the named fd stays open in
// the scenario: only a master's last close, a hangup, would differ, and the
// corpus's programs close their master only by exiting).

import { int, plainResult, unexpressed, type CallContext, type Mapped } from './calls.js';
import { stringArg } from './lexer.js';

/** An fd of a traced process that refers to a pty end the scenario names. */
export interface TtyFd {
  /** The fd name of the scenario (valid in this process: named where it was opened, copied by fork, kept by exec). */
  readonly name: string;
  readonly master: boolean;
  /** Closed by exec (O_CLOEXEC, FD_CLOEXEC). */
  readonly cloexec: boolean;
  /** Its pts number, once TIOCGPTN on the master has shown it (a later open of /dev/pts/N is this pty). */
  readonly ptn?: number;
}

const O_ACCMODE = 3;
const O_NOCTTY = 0o400;
const O_NONBLOCK = 0o4000;
const O_CLOEXEC = 0o2000000;
const O_LARGEFILE = 0o100000;
const ACCESS = ['O_RDONLY', 'O_WRONLY', 'O_RDWR'];

/** open(2) flags, as strace prints them (names, or a number for TIOCGPTPEER's argument). */
export function openFlags(text: string | undefined): { bits: number } | null {
  if (text === undefined) return null;
  const t = text.trim();
  if (/^(0x[0-9a-f]+|\d+)$/.test(t)) return { bits: Number(t) };
  const names: Record<string, number> = { O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2, O_NOCTTY, O_NONBLOCK, O_CLOEXEC, O_LARGEFILE };
  let bits = 0;
  for (const n of t.split('|')) {
    const v = names[n.trim()];
    if (v === undefined) return null;
    bits |= v;
  }
  return { bits };
}

/**
 * The language's FLAGS (O_RDONLY, O_WRONLY, O_RDWR, O_NOCTTY), or why not:
 * O_CLOEXEC is not among them; O_NONBLOCK changes only reads and writes, not
 * identity, and O_LARGEFILE nothing on x86_64: both are dropped.
 */
function languageFlags(bits: number): string | { why: string } {
  if ((bits & O_CLOEXEC) !== 0) return { why: 'O_CLOEXEC (the language opens ptys without it)' };
  const rest = bits & ~(O_ACCMODE | O_NOCTTY | O_NONBLOCK | O_LARGEFILE | O_CLOEXEC);
  if (rest !== 0 || (bits & O_ACCMODE) === 3) return { why: `open flags 0x${bits.toString(16)}` };
  return [ACCESS[bits & O_ACCMODE]!, ...((bits & O_NOCTTY) !== 0 ? ['O_NOCTTY'] : [])].join('|');
}

/** openat(AT_FDCWD, "/dev/ptmx", FLAGS) = FD: posix_openpt(FLAGS) -> ptyFD. Other opens are not steps. */
export function openat(c: CallContext, pathArg: string | undefined, flagsArg: string | undefined): Mapped {
  const path = stringArg(pathArg ?? '');
  if (path !== '/dev/ptmx') return { kind: 'skip' };
  const flags = openFlags(flagsArg);
  const lang = flags === null ? { why: `open flags ${flagsArg ?? ''}` } : languageFlags(flags.bits);
  if (typeof lang !== 'string') return unexpressed(`open of /dev/ptmx with ${lang.why}`);
  const r = c.result;
  if (r.kind !== 'value') return { kind: 'step', call: `posix_openpt(${lang})`, expect: plainResult(r) };
  return { kind: 'step', call: `posix_openpt(${lang})`, expect: 'fd', creates: 'fd', fdName: `pty${r.value}`, tty: { master: true, cloexec: false } };
}

/** The value strace shows an ioctl wrote back, `[5]`. */
const written = (text: string | undefined): number | null => {
  const m = /^\[(-?\d+)\]$/.exec((text ?? '').trim());
  return m === null ? null : Number(m[1]);
};

const TERMINAL = new Set(['TIOCSPGRP', 'TIOCGPGRP', 'TIOCSCTTY', 'TIOCNOTTY', 'TIOCGSID', 'TIOCGPTPEER', 'TIOCSIG', 'TIOCSTI']);

export function ioctl(c: CallContext): Mapped {
  const fd = int(c.args[0]);
  const req = (c.args[1] ?? '').trim();
  if (!TERMINAL.has(req) || fd === null) return { kind: 'skip' };
  const r = c.result;
  const tty = c.tty(fd);
  let target: string;
  if (tty !== null) target = tty.name;
  else if (fd >= 0 && fd <= 2 && r.kind === 'errno') {
    // Not a terminal (the output went to a file, ENOTTY): the scenario's fds 0, 1, 2 are /dev/null, ENOTTY too.
    target = String(fd);
  } else if (fd >= 0 && fd <= 2) {
    return unexpressed(`ioctl ${req} on fd ${fd}, a terminal opened outside the trace (the recorder's pty, whose session is not in the traced namespace): the scenario has no such start state`);
  } else {
    return unexpressed(`ioctl ${req} on fd ${fd}, which the trace did not open as a pty`);
  }
  switch (req) {
    case 'TIOCGPTPEER': {
      const flags = openFlags(c.args[2]);
      const lang = flags === null ? { why: `flags ${c.args[2] ?? ''}` } : languageFlags(flags.bits);
      if (typeof lang !== 'string') return unexpressed(`ioctl TIOCGPTPEER with ${lang.why}`);
      const call = `ioctl(${target}, TIOCGPTPEER, ${lang})`;
      if (r.kind !== 'value') return { kind: 'step', call, expect: plainResult(r) };
      return { kind: 'step', call, expect: 'fd', creates: 'fd', fdName: `pts${r.value}`, tty: { master: false, cloexec: false, ...(tty?.ptn === undefined ? {} : { ptn: tty.ptn }) } };
    }
    case 'TIOCGPGRP':
    case 'TIOCGSID': {
      // The kernel writes the id through the pointer and returns 0; the language's result is the id.
      const v = written(c.args[2]);
      const expect = r.kind === 'value' && v !== null ? String(v) : plainResult(r);
      return { kind: 'step', call: `ioctl(${target}, ${req})`, expect };
    }
    case 'TIOCSPGRP': {
      const pgrp = written(c.args[2]);
      if (pgrp === null) return unexpressed(`ioctl TIOCSPGRP with ${c.args[2] ?? 'no argument'}`);
      return { kind: 'step', call: `ioctl(${target}, TIOCSPGRP, ${pgrp})`, expect: plainResult(r) };
    }
    case 'TIOCSCTTY': {
      const arg = int(c.args[2] ?? '0');
      if (arg === null) return unexpressed(`ioctl TIOCSCTTY with ${c.args[2] ?? ''}`);
      return { kind: 'step', call: `ioctl(${target}, TIOCSCTTY, ${arg})`, expect: plainResult(r) };
    }
    case 'TIOCNOTTY':
      return { kind: 'step', call: `ioctl(${target}, TIOCNOTTY)`, expect: plainResult(r) };
    default:
      return unexpressed(`ioctl ${req}: not in the language`);
  }
}

/** What the fd-moving calls do to a process's pty fds: dup, dup2, dup3, fcntl F_DUPFD/F_SETFD, close, and /dev/tty opens. */
export function moveTtyFds(ttys: Map<number, TtyFd>, name: string, args: readonly string[], result: { kind: string; value?: number }): void {
  if (result.kind !== 'value' || result.value === undefined) return;
  const to = result.value;
  const from = int(args[0]);
  const copy = (cloexec: boolean): void => {
    const f = from === null ? undefined : ttys.get(from);
    if (f === undefined) ttys.delete(to);
    else ttys.set(to, { ...f, cloexec });
  };
  switch (name) {
    case 'dup':
    case 'dup2':
      if (from !== to) copy(false);
      return;
    case 'dup3':
      copy((args[2] ?? '').includes('O_CLOEXEC'));
      return;
    case 'fcntl': {
      const cmd = (args[1] ?? '').trim();
      if (cmd === 'F_DUPFD' || cmd === 'F_DUPFD_CLOEXEC') copy(cmd === 'F_DUPFD_CLOEXEC');
      else if (cmd === 'F_SETFD' && from !== null) {
        const f = ttys.get(from);
        if (f !== undefined) ttys.set(from, { ...f, cloexec: (args[2] ?? '').includes('FD_CLOEXEC') });
      }
      return;
    }
    case 'close':
      if (from !== null) ttys.delete(from);
      return;
    case 'ioctl': {
      // TIOCGPTN: the master's pts number, for a later open of /dev/pts/N.
      const f = from === null ? undefined : ttys.get(from);
      const ptn = /^\[(\d+)\]$/.exec((args[2] ?? '').trim());
      if ((args[1] ?? '').trim() === 'TIOCGPTN' && f !== undefined && ptn !== null) ttys.set(from!, { ...f, ptn: Number(ptn[1]) });
      return;
    }
    case 'openat':
    case 'open': {
      // The new fd replaces whatever that number was. /dev/tty is the caller's controlling terminal: the
      // slave its process holds, when it holds exactly one; /dev/pts/N opened O_NOCTTY is pty N's slave
      // (without O_NOCTTY a session leader could acquire it, which this alias would not say).
      ttys.delete(to);
      const path = stringArg(args[name === 'open' ? 0 : 1] ?? '') ?? '';
      const flags = args[name === 'open' ? 1 : 2] ?? '';
      const cloexec = flags.includes('O_CLOEXEC');
      const slaves = [...ttys.values()].filter((f) => !f.master);
      const pts = /^\/dev\/pts\/(\d+)$/.exec(path);
      let names: string[] = [];
      if (path === '/dev/tty') names = slaves.map((f) => f.name);
      else if (pts !== null && flags.includes('O_NOCTTY')) names = slaves.filter((f) => f.ptn === Number(pts[1])).map((f) => f.name);
      const one = new Set(names);
      if (one.size === 1) ttys.set(to, { ...slaves.find((f) => f.name === names[0])!, cloexec });
      return;
    }
  }
}

/** The calls moveTtyFds follows (the survey keeps them once a trace has opened a pty). */
export const FD_MOVES = new Set(['dup', 'dup2', 'dup3', 'fcntl', 'close', 'openat', 'open', 'ioctl']);
