// The id getters and setters: getpid, getppid, gettid, getpgrp, getpgid,
// getsid, setpgid, setsid, and setresuid. Every id is as the caller's namespace sees it.

import { sysGetpgid, sysGetpgrp, sysGetpid, sysGetppid, sysGetsid, sysGettid, sysSetpgid, sysSetsid } from '../../syscalls/ids.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Task } from '../../kernel/task.js';
import type { SysResult } from '../../syscalls/result.js';
import { sysSetresuid } from '../../syscalls/sys.js';
import { value } from './results.js';
import { runnerRestoresPdeath } from './runner_start.js';
import type { CallSpec, FuzzRule } from './spec.js';

/**
 * A getter with no arguments: the runner makes it by its x86_64 system call
 * number (`g NR`), so that the runner needs no case of its own for it.
 */
function getter(name: string, nr: number, sys: (k: Kernel, me: Task) => SysResult<number>, fuzz?: readonly FuzzRule[]): CallSpec {
  return {
    name,
    params: [],
    result: 'value',
    model: (ctx) => value(sys(ctx.kernel, ctx.me)),
    wire: () => ({ op: 'g', args: [nr] }),
    ...(fuzz === undefined ? {} : { fuzz }),
  };
}

const idsRule = (name: string): readonly FuzzRule[] => [{ weight: 1, generate: (c) => ({ line: `${c.actor.name}: ${name}()` }) }];

export const getpid = getter('getpid', 39, sysGetpid, idsRule('getpid'));
export const getppid = getter('getppid', 110, sysGetppid, idsRule('getppid'));
export const gettid = getter('gettid', 186, sysGettid, idsRule('gettid'));
export const getpgrp = getter('getpgrp', 111, sysGetpgrp, idsRule('getpgrp'));
export const setsid = getter('setsid', 112, sysSetsid, [{ weight: 2, generate: (c) => ({ line: `${c.actor.name}: setsid()` }) }]);

/** One pid argument, likewise by number (`g1 NR PID`). */
function getterOf(name: string, nr: number, sys: (k: Kernel, me: Task, pid: number) => SysResult<number>, fuzz: readonly FuzzRule[]): CallSpec {
  return {
    name,
    params: [{ name: 'pid', kind: { kind: 'pid' } }],
    result: 'value',
    model: (ctx, a) => value(sys(ctx.kernel, ctx.me, a.num(0))),
    wire: (a) => ({ op: 'g1', args: [nr, a.num(0)] }),
    fuzz,
  };
}

export const getpgid = getterOf('getpgid', 121, sysGetpgid, [
  {
    weight: 2,
    generate: async (c) => {
      const target = c.pick(await c.visible());
      return target === undefined ? null : { line: `${c.actor.name}: getpgid($${target.name})` };
    },
  },
]);

export const getsid = getterOf('getsid', 124, sysGetsid, [
  {
    weight: 1,
    generate: async (c) => {
      const target = c.chance(0.5) ? undefined : c.pick(await c.visible());
      return { line: `${c.actor.name}: getsid(${target === undefined ? '0' : `$${target.name}`})` };
    },
  },
]);

export const setpgid: CallSpec = {
  name: 'setpgid',
  params: [
    { name: 'pid', kind: { kind: 'pid' } },
    { name: 'pgid', kind: { kind: 'pid' } },
  ],
  result: 'value',
  model: (ctx, a) => value(sysSetpgid(ctx.kernel, ctx.me, a.num(0), a.num(1))),
  wire: (a) => ({ op: 'sp', args: [a.num(0), a.num(1)] }),
  fuzz: [{ weight: 2, generate: (c) => ({ line: `${c.actor.name}: setpgid(0, 0)` }) }],
};

const UID: CallSpec['params'][number]['kind'] = { kind: 'int', what: 'a uid, or -1 to keep it' };

/** setresuid(RUID, EUID, SUID): -1 keeps an id (what glibc's seteuid() and setuid-safe programs call). */
export const setresuid: CallSpec = {
  name: 'setresuid',
  params: [
    { name: 'ruid', kind: UID },
    { name: 'euid', kind: UID },
    { name: 'suid', kind: UID },
  ],
  result: 'value',
  model: (ctx, a) => {
    const r = sysSetresuid(ctx.kernel, ctx.me, a.num(0), a.num(1), a.num(2));
    if (r.ok) runnerRestoresPdeath(ctx);
    return value(r);
  },
  wire: (a) => ({ op: 'sr', args: [a.num(0), a.num(1), a.num(2)] }),
  fuzz: [
    {
      weight: 1,
      generate: (c) => ({ line: `${c.actor.name}: setresuid(${c.pick(['-1', '-1', '0', '1000'])!}, ${c.pick(['-1', '0', '1000', '1000', '2000'])!}, ${c.pick(['-1', '-1', '0', '1000'])!})` }),
    },
  ],
};
