// wait4 and waitid: the calls that may block until a later step.

import { IdType } from '../../abi/wait.js';
import { sysWait4, sysWaitid } from '../../syscalls/wait.js';
import { waitResult } from './results.js';
import type { ArgKind, CallSpec } from './spec.js';

const WAIT_OPTIONS: ArgKind = { kind: 'flags', family: 'wait' };

export const wait4: CallSpec = {
  name: 'wait4',
  params: [
    { name: 'pid', kind: { kind: 'pid' } },
    { name: 'options', kind: WAIT_OPTIONS },
  ],
  result: 'wait4',
  mayBlock: true,
  model: (ctx, a) => waitResult('wait4', sysWait4(ctx.kernel, ctx.me, a.num(0), a.num(1))),
  wire: (a) => ({ op: 'w4', args: [a.num(0), a.num(1)] }),
  fuzz: [
    { weight: 5, generate: (c) => ({ line: `${c.actor.name}: wait4(-1, ${c.chance(0.8) ? 'WNOHANG' : 'WNOHANG|__WALL'})` }) },
    {
      weight: 4,
      generate: async (c) => {
        const child = c.pick(await c.zombieChildren());
        return child === undefined ? null : { line: `${c.actor.name}: wait4($${child.name}, 0)` };
      },
    },
    // One blocked waiter per thread group at most: two would race for the same child on Linux.
    { weight: 1, generate: (c) => (c.groupBlocked() ? null : { line: `${c.actor.name}: wait4(-1, 0)` }) },
    { weight: 1, generate: (c) => ({ line: `${c.actor.name}: wait4(-1, ${c.pick(['WNOHANG|WUNTRACED', 'WNOHANG|WCONTINUED', 'WNOHANG|__WCLONE'])!})` }) },
  ],
};

/** P_PIDFD's id is an fd, every other id type's a pid. */
const waitidId = (earlier: readonly unknown[]): ArgKind => {
  const idtype = earlier[0] as { kind: string; value: number } | undefined;
  return idtype?.kind === 'flags' && idtype.value === (IdType.P_PIDFD as number) ? { kind: 'fd' } : { kind: 'pid' };
};

export const waitid: CallSpec = {
  name: 'waitid',
  params: [
    { name: 'idtype', kind: { kind: 'const', family: 'idtype' } },
    { name: 'id', kind: waitidId },
    { name: 'options', kind: WAIT_OPTIONS },
  ],
  result: 'waitid',
  mayBlock: true,
  model: (ctx, a) => waitResult('waitid', sysWaitid(ctx.kernel, ctx.me, a.num(0), a.num(1), a.num(2))),
  wire: (a) => ({ op: 'wi', args: [a.num(0), a.num(1), a.num(2)] }),
  fuzz: [
    { weight: 3, generate: (c) => ({ line: `${c.actor.name}: waitid(P_ALL, 0, WEXITED|WNOHANG${c.chance(0.2) ? '|WNOWAIT' : ''})` }) },
    {
      weight: 1,
      generate: async (c) => {
        const target = c.pick(await c.visible());
        if (target === undefined) return null;
        const options = c.pick(['WEXITED|WNOHANG', 'WSTOPPED|WNOHANG', 'WCONTINUED|WNOHANG', 'WEXITED|WSTOPPED|WNOHANG'])!;
        return { line: `${c.actor.name}: waitid(${c.pick(['P_PID', 'P_PGID'])!}, $${target.name}, ${options})` };
      },
    },
    {
      weight: 1,
      generate: (c) => {
        const fd = c.pick(c.actor.fds);
        return fd === undefined ? null : { line: `${c.actor.name}: waitid(P_PIDFD, ${fd}, WEXITED|WNOHANG)` };
      },
    },
  ],
};
