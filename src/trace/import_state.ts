// What the second pass of the import keeps of each traced task and process.


export type Disposition = 'SIG_DFL' | 'SIG_IGN' | 'catch';

export interface Proc {
  tgid: number;
  fds: Map<number, string>;
  nsFiles: Map<number, { kind: 'ns' | 'ns_for_children'; actor: string }>;
  handlers: Map<number, Disposition>;
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
  /** Handler frames it is in (a `--- SIG ---` it catches opens one, rt_sigreturn closes it), and where the outermost began. */
  handlers?: { depth: number; since: number } | undefined;
}

export const SI_CHILD = /^CLD_/;
/** si_codes of signals the traced tree cannot have sent with a call. */
export const KERNEL_CODES = /^(SI_KERNEL|SI_TIMER|SI_MESGQ|SI_ASYNCIO|SI_SIGIO|SEGV_|BUS_|ILL_|FPE_|TRAP_|SYS_)/;

export function sanitize(name: string): string {
  let s = name.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (!/^[a-z]/.test(s)) s = `p${s}`;
  return s;
}
