// The terminal calls (docs/language.md, "Terminals"): posix_openpt, ioctl
// on a pty (TIOCGPTPEER opens the slave), write of one byte (typed on a
// master), and read of a slave (calls/signal.ts' read, which hands a pty
// to syscalls/tty.ts).

import { Signal } from '../../abi/signal.js';
import { TCSETS, TIOCGPGRP, TIOCGPTPEER, TIOCGSID, TIOCNOTTY, TIOCSPGRP } from '../../abi/tty.js';
import { sysIoctl, sysPosixOpenpt, sysWrite } from '../../syscalls/tty.js';
import { VSUSP_CHAR } from '../../kernel/n_tty.js';
import { fdResult, ttyResult } from './results.js';
import type { ArgKind, CallSpec, FuzzContext, ParamSpec } from './spec.js';

/** x86_64 system call numbers a stopped or sleeping tty call shows in /proc/TID/syscall. */
const NR_WRITE = 1;
const NR_IOCTL = 16;

/** posix_openpt(FLAGS) -> NAME: a new pty pair's master (/dev/ptmx, unlocked). */
export const posix_openpt: CallSpec = {
  name: 'posix_openpt',
  params: [{ name: 'flags', kind: { kind: 'flags', family: 'open' } }],
  creates: 'fd',
  result: 'fd',
  traits: () => ({ opensPty: true }),
  model: (ctx, a) => fdResult(sysPosixOpenpt(ctx.kernel, ctx.me, a.num(0))),
  wire: (a) => ({ op: 'pt', args: [a.num(0)] }),
  fuzz: [
    {
      weight: 1,
      generate: (c) => {
        const name = c.newFdName();
        return { line: `${c.actor.name}: posix_openpt(O_RDWR|O_NOCTTY) -> ${name}`, opensFd: name, opensMaster: true };
      },
    },
  ],
};

/** Which requests take no argument, and what the others take. */
const NO_ARG = new Set([TIOCNOTTY, TIOCGPGRP, TIOCGSID]);
const ioctlArg = (earlier: readonly unknown[]): ArgKind => {
  const req = earlier[1] as { kind: string; value: number } | undefined;
  const v = req?.kind === 'flags' ? req.value : -1;
  if (v === TIOCSPGRP) return { kind: 'pid' };
  if (v === TIOCGPTPEER) return { kind: 'flags', family: 'open' };
  if (v === TCSETS) return { kind: 'flags', family: 'lflag' };
  return { kind: 'int', what: "the ioctl's argument" };
};
const IOCTL_PARAMS: readonly ParamSpec[] = [
  { name: 'fd', kind: { kind: 'fd' } },
  { name: 'request', kind: { kind: 'const', family: 'ioctl' } },
  { name: 'arg', kind: ioctlArg, optional: true },
];

/** A fuzz candidate on one of the caller's fds (any of them: a pidfd answers ENOTTY). */
function onFd(c: FuzzContext, text: (fd: string) => string): { line: string } | null {
  const fd = c.pick(c.actor.fds);
  return fd === undefined ? null : { line: `${c.actor.name}: ${text(fd)}` };
}

/** ioctl(FD, REQUEST[, ARG]): the terminal ioctls; TIOCGPGRP and TIOCGSID answer with the id (strace's `[N]`). */
export const ioctl: CallSpec = {
  name: 'ioctl',
  params: IOCTL_PARAMS,
  creates: 'fd',
  result: 'outValue',
  resultFor: (a) => (a.num(1) === TIOCGPTPEER ? 'fd' : 'outValue'),
  // A background TIOCSPGRP or TCSETS stops its caller with SIGTTOU (the call restarts when it continues).
  mayBlock: true,
  blocksIn: [NR_IOCTL],
  traits: (a) => (a.num(1) === TIOCNOTTY ? { sends: Signal.SIGHUP } : { stopSignal: Signal.SIGTTOU }),
  model: (ctx, a) => ttyResult(sysIoctl(ctx.kernel, ctx.me, a.num(0), a.num(1), a.num(2, 0)), a.num(1) === TIOCGPTPEER),
  wire: (a) => ({ op: 'io', args: [a.num(0), a.num(1), a.num(2, 0)] }),
  check: (args, ctx) => {
    const req = args[1];
    if (req?.kind !== 'flags') return Promise.resolve();
    const takes = !NO_ARG.has(req.value);
    const arg = args[2];
    if (takes && arg === undefined) ctx.fail(req.pos, `ioctl(FD, ${req.terms.map((t) => (t.kind === 'const' ? t.name : String(t.value))).join('|')}, ARG) needs its argument`);
    if (!takes && arg !== undefined) ctx.fail(arg.pos, 'TIOCNOTTY, TIOCGPGRP and TIOCGSID take no argument');
    return Promise.resolve();
  },
  fuzz: [
    { weight: 2, generate: (c) => onFd(c, (fd) => `ioctl(${fd}, TIOCGPGRP)`) },
    { weight: 1, generate: (c) => onFd(c, (fd) => `ioctl(${fd}, TIOCGSID)`) },
    { weight: 1, generate: (c) => onFd(c, (fd) => `ioctl(${fd}, TIOCSCTTY, ${c.pick(['0', '0', '1'])!})`) },
    { weight: 1, generate: (c) => onFd(c, (fd) => `ioctl(${fd}, TIOCNOTTY)`) },
    {
      weight: 2,
      generate: async (c) => {
        const target = c.pick(await c.visible());
        return target === undefined ? null : onFd(c, (fd) => `ioctl(${fd}, TIOCSPGRP, $${target.name})`);
      },
    },
    { weight: 1, generate: (c) => onFd(c, (fd) => `ioctl(${fd}, TCSETS, ${c.pick(['TOSTOP', '0'])!})`) },
    {
      weight: 2,
      generate: (c) => {
        const fd = c.pick(c.actor.fds);
        if (fd === undefined) return null;
        const name = c.newFdName();
        return { line: `${c.actor.name}: ioctl(${fd}, TIOCGPTPEER, ${c.pick(['O_RDWR', 'O_RDWR', 'O_RDWR|O_NOCTTY', 'O_WRONLY'])!}) -> ${name}`, opensFd: name };
      },
    },
  ],
};

/** write(FD, BYTE): one byte; on a master it is typed (docs/language.md lists the bytes). */
export const write: CallSpec = {
  name: 'write',
  params: [
    { name: 'fd', kind: { kind: 'fd' } },
    { name: 'byte', kind: { kind: 'int', what: 'a byte (0..255)' } },
  ],
  result: 'value',
  // A background write with TOSTOP stops its caller with SIGTTOU; a typed ^Z stops the foreground group with SIGTSTP.
  mayBlock: true,
  blocksIn: [NR_WRITE],
  traits: (a) => ({ stopSignal: a.num(1) === VSUSP_CHAR ? Signal.SIGTSTP : Signal.SIGTTOU }),
  model: (ctx, a) => ttyResult(sysWrite(ctx.kernel, ctx.me, a.num(0), a.num(1))),
  wire: (a) => ({ op: 'wr', args: [a.num(0), a.num(1)] }),
  check: (args, ctx) => {
    const b = args[1];
    if (b?.kind === 'int' && (b.value < 0 || b.value > 255)) ctx.fail(b.pos, 'a byte is 0..255');
    return Promise.resolve();
  },
  fuzz: [{ weight: 3, generate: (c) => onFd(c, (fd) => `write(${fd}, ${c.pick(['3', '26', '28', '10', '10', '120'])!})`) }],
};
