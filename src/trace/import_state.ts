// What the second pass of the import keeps of each traced task and process.

import type { FrameAction, MaskState } from './frames.js';
import type { TtyFd } from './ttycalls.js';
import { stringArg } from './lexer.js';


export type Disposition = 'SIG_DFL' | 'SIG_IGN' | 'catch';

export interface Proc {
  tgid: number;
  fds: Map<number, string>;
  /** Its fds that refer to a pty end the scenario names (ttycalls.ts). */
  ttys: Map<number, TtyFd>;
  nsFiles: Map<number, { kind: 'ns' | 'ns_for_children'; actor: string }>;
  handlers: Map<number, Disposition>;
  /** The sa_mask and SA_NODEFER of each handled signal (shared like the handlers, with CLONE_SIGHAND). */
  actions: Map<number, FrameAction>;
  masked: boolean;
  threads: Set<Task>;
  /** Its children by the number it sees them with (what its waits return). */
  children: Map<number, Task>;
}

export interface Task {
  readonly pid: number;
  readonly actor: string;
  /** The base of its name (its program), inherited by its children until they exec. */
  base: string;
  proc: Proc;
  /** Its number as its parent sees it (what wait returns). */
  readonly viewPid: number;
  readonly parent: Task | null;
  ended: boolean;
  /** Its signal mask and the handler frames it is in. */
  readonly mask: MaskState;
}

export const SI_CHILD = /^CLD_/;
/** si_codes of signals the traced tree cannot have sent with a call. */
export const KERNEL_CODES = /^(SI_KERNEL|SI_TIMER|SI_MESGQ|SI_ASYNCIO|SI_SIGIO|SEGV_|BUS_|ILL_|FPE_|TRAP_|SYS_)/;

export function sanitize(name: string): string {
  let s = name.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (!/^[a-z]/.test(s)) s = `p${s}`;
  return s;
}

/** The lines of a text, without copying it into an array. */
export function* linesOf(text: string): Generator<string> {
  let start = 0;
  const n = text.length;
  while (start < n) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = n;
    yield text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
    start = end + 1;
  }
}

/** An open of /proc/PID/ns/pid (or pid_for_children): the fd a later setns names. */
export function openNs(t: Task, pathArg: string, fd: number, taskOf: (pid: number) => Task | undefined): void {
  const path = stringArg(pathArg);
  if (path === null) return;
  const m = /^\/proc\/(self|thread-self|\d+)\/ns\/(pid|pid_for_children)$/.exec(path);
  if (m === null) return;
  const target = m[1] === 'self' || m[1] === 'thread-self' ? t : taskOf(Number(m[1]));
  if (target === undefined) return;
  t.proc.nsFiles.set(fd, { kind: m[2] === 'pid' ? 'ns' : 'ns_for_children', actor: target.actor });
}
