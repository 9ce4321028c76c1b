// Every kernel constant a scenario may name, by family, so that the parser can
// both resolve a name and say when a name of the wrong family is written
// (a signal where wait options belong, say). Values come from the other abi
// files, which cite their uapi headers.

import { cloneFlagNames } from './clone.js';
import { PIDFD_NONBLOCK, PIDFD_THREAD } from './pidfd.js';
import { PR_GET_CHILD_SUBREAPER, PR_GET_NAME, PR_GET_PDEATHSIG, PR_SET_CHILD_SUBREAPER, PR_SET_NAME, PR_SET_PDEATHSIG } from './prctl.js';
import { NSIG, Signal } from './signal.js';
import { IdType, waitOptionNames } from './wait.js';

export type ConstantFamily = 'clone' | 'clone_exit' | 'signal' | 'wait' | 'idtype' | 'prctl' | 'pidfd';

/** How an error message names a family: "expected a signal, got WNOHANG". */
export const familyDescription = {
  clone: 'CLONE_* flags',
  clone_exit: 'CLONE_* flags and an exit signal',
  signal: 'a signal',
  wait: 'wait options',
  idtype: 'an id type (P_ALL, P_PID, P_PGID, P_PIDFD)',
  prctl: 'a prctl option',
  pidfd: 'PIDFD_* flags',
} satisfies Record<ConstantFamily, string>;

function enumEntries(e: Record<string, string | number>): [string, number][] {
  return Object.entries(e).filter((kv): kv is [string, number] => typeof kv[1] === 'number');
}

// SIGRTMIN and SIGRTMAX as the kernel numbers them (glibc reserves the first two or three).
const signals: ReadonlyMap<string, number> = new Map([...enumEntries(Signal), ['SIGRTMIN', 34], ['SIGRTMAX', NSIG]]);

const families: Readonly<Record<ConstantFamily, ReadonlyMap<string, number>>> = {
  clone: new Map(Object.entries(cloneFlagNames)),
  // Legacy clone's flags word: its low byte is the exit signal (CSIGNAL), so a signal name may be or'ed in.
  clone_exit: new Map([...Object.entries(cloneFlagNames), ...signals]),
  signal: signals,
  wait: new Map(Object.entries(waitOptionNames)),
  idtype: new Map(enumEntries(IdType)),
  prctl: new Map([
    ['PR_SET_PDEATHSIG', PR_SET_PDEATHSIG],
    ['PR_GET_PDEATHSIG', PR_GET_PDEATHSIG],
    ['PR_SET_NAME', PR_SET_NAME],
    ['PR_GET_NAME', PR_GET_NAME],
    ['PR_SET_CHILD_SUBREAPER', PR_SET_CHILD_SUBREAPER],
    ['PR_GET_CHILD_SUBREAPER', PR_GET_CHILD_SUBREAPER],
  ]),
  pidfd: new Map([
    ['PIDFD_THREAD', PIDFD_THREAD],
    ['PIDFD_NONBLOCK', PIDFD_NONBLOCK],
  ]),
};

/** The value of `name` in `family`, or undefined when the family has no such name. */
export function constantIn(family: ConstantFamily, name: string): number | undefined {
  return families[family].get(name);
}

/** The families that define `name` (empty for an unknown name). */
export function familiesOf(name: string): ConstantFamily[] {
  return (Object.keys(families) as ConstantFamily[]).filter((f) => families[f].has(name));
}
