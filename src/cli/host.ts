// `pidns host tree|ps|translate|snapshot`: the live machine's PID namespaces,
// read from /proc by src/host/proc.ts (Linux only). The tables follow
// util-linux's habits (lsns(8), lsblk(8)): `-o` chooses the columns (`+COL`
// adds to the default ones), `--noheadings` drops the header, `--raw` prints
// unaligned columns separated by one space with blanks escaped as \x20, and
// `--json` prints every field. Nothing is read from /proc before the
// arguments have been accepted.

import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { namespaceTree, psIn, readProcs, readProcsReport, resolveNs, translate, type HostNs, type HostProc } from '../host/proc.js';
import { HostSnapshotError, hostSnapshot } from '../host/snapshot.js';
import { namespaceSnapshot, readThreads } from '../host/ns_snapshot.js';
import { nsInode } from '../host/proc_files.js';
import { integerValue, isParseOutcome, parseCommand, quoteArg, usageError, type CommandSpec } from './args.js';
import { colorsFor } from './color.js';
import { answerParse, Exit } from './exit.js';
import { writeFailure, type Io } from './io.js';
import { writeFileAtomic } from './snapshot_file.js';
import { chooseColumns, columnsHelp, formatTable, type Column } from './table.js';

export { chooseColumns, formatTable, rawEscape } from './table.js';

export const HOST_SPEC = {
  name: 'host',
  usage: 'pidns host tree|ps|translate|snapshot [OPTIONS]',
  help: `Usage: pidns host tree|ps|translate|snapshot [OPTIONS]

  pidns host tree [-o COLS] [-n] [-r] [-p] [--json]
                          the tree of PID namespaces (-p: of processes)
  pidns host ps [--ns NS | --pid PID] [-o COLS] [-n] [-r] [--json]
                          processes as one namespace sees them
  pidns host translate PID --from NS --to NS [--json]
                          one number between namespaces
  pidns host snapshot [--ns NS] [-o FILE]
                          the live state as a pidns snapshot (--ns: one
                          namespace and those below it, with threads)

NS is a namespace inode (as readlink /proc/PID/ns/pid shows it) or pid:N,
the namespace of host pid N. ps defaults to the reader's own namespace.
pidns host COMMAND --help lists a command's columns.
Exit status: 0 ok, 1 not visible (translate), 2 bad input.
`,
  options: {},
  positionals: { min: 0, max: 1, name: 'COMMAND' },
} as const satisfies CommandSpec;

/** User names from /etc/passwd (as lsns and ps show them), the uid itself when it has none. */
function userNames(): (uid: number) => string {
  const names = new Map<number, string>();
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [name, , uid] = line.split(':');
      if (name !== undefined && uid !== undefined && /^\d+$/.test(uid) && !names.has(Number(uid))) names.set(Number(uid), name);
    }
  } catch {
    // No passwd file (a bare container): numbers it is.
  }
  return (uid) => names.get(uid) ?? String(uid);
}

/** A process's command line as lsns shows it (/proc/PID/cmdline, NULs as spaces), else its name in brackets as ps does for kernel threads. */
function commandLine(p: HostProc): string {
  try {
    const raw = readFileSync(`/proc/${p.pid}/cmdline`, 'utf8');
    const args = raw.split('\0').filter((a) => a !== '');
    if (args.length > 0) return args.join(' ');
  } catch {
    // Gone meanwhile: its name will do.
  }
  return `[${p.comm}]`;
}

/** How NSpid reads in /proc/PID/status: the numbers from the outer namespace in, separated by blanks. */
function nspidText(nspid: readonly number[]): string {
  return nspid.join(' ');
}

// -------------------------------------------------------------------- tree

/** A namespace as `host tree` shows it: lsns -t pid's columns, plus the tree's own. */
interface TreeRow {
  readonly ns: HostNs;
  readonly depth: number;
  /** The tree drawn in front of NS (`├─`, `└─`); empty at the top. */
  readonly prefix: string;
  /** Its lowest pid, as lsns gives it (the reader's number). */
  readonly pid: HostProc | undefined;
  readonly user: string;
  readonly command: string;
}

const TREE_COLUMNS: readonly Column<TreeRow>[] = [
  { name: 'NS', help: 'namespace inode (the tree drawn before it, unless --raw)', number: false, text: (r) => `${r.prefix}${r.ns.inode}` },
  { name: 'TYPE', help: 'namespace type (pid)', number: false, text: () => 'pid' },
  { name: 'NPROCS', help: 'processes whose own namespace it is', number: true, text: (r) => String(r.ns.processes) },
  { name: 'PID', help: 'lowest pid in the namespace, as the reader numbers it', number: true, text: (r) => String(r.pid?.pid ?? '-') },
  { name: 'USER', help: 'owner of that process', number: false, text: (r) => r.user },
  { name: 'COMMAND', help: 'command line of that process', number: false, text: (r) => r.command },
  { name: 'LEVEL', help: 'depth below the reader\'s namespace', number: true, text: (r) => String(r.ns.level) },
  { name: 'PNS', help: 'parent namespace inode', number: true, text: (r) => String(r.ns.parent ?? '-') },
  { name: 'INIT', help: 'host pid of its init (pid 1 there)', number: true, text: (r) => String(r.ns.init ?? '-') },
  { name: 'VISIBLE', help: 'processes visible in it (its own, its descendants\')', number: true, text: (r) => String(r.ns.visible) },
];
const TREE_DEFAULTS = ['NS', 'TYPE', 'NPROCS', 'PID', 'USER', 'COMMAND'];

const TREE_SPEC = {
  name: 'host tree',
  usage: 'pidns host tree [-o COLS] [-n] [-r] [-p] [--json]',
  help: `Usage: pidns host tree [-o COLS] [-n] [-r] [-p] [--json]

The tree of PID namespaces below the reader's, with the columns lsns -t pid
shows; the tree is drawn in the NS column, as lsns --tree does.

  -o, --output COLS   columns, comma-separated; +COLS adds to the default ones
  -n, --noheadings    no header line
  -r, --raw           unaligned, one space between columns, no tree
  -p, --processes     the processes instead, as pstree -p -S draws them: a
                      process that lives in another PID namespace than its
                      parent is marked ",pid"
      --json          every namespace's fields, as a JSON array

Columns (+: not shown unless asked for):
${columnsHelp(TREE_COLUMNS as readonly Column<unknown>[], TREE_DEFAULTS)}
`,
  options: {
    output: { type: 'string', short: 'o' },
    noheadings: { type: 'boolean', short: 'n' },
    raw: { type: 'boolean', short: 'r' },
    processes: { type: 'boolean', short: 'p' },
    json: { type: 'boolean' },
  },
  positionals: { min: 0, max: 0, name: 'argument' },
} as const satisfies CommandSpec;

/** Draws a forest: `line(node, prefix)` for each node, children below with ├─ / └─ and │ as pstree and lsns --tree do. */
function drawTree<T>(roots: readonly T[], children: (t: T) => readonly T[], line: (t: T, prefix: string, depth: number) => void): void {
  const walk = (nodes: readonly T[], lead: string, depth: number): void => {
    nodes.forEach((n, i) => {
      const last = i === nodes.length - 1;
      line(n, depth === 0 ? '' : `${lead}${last ? '└─' : '├─'}`, depth);
      walk(children(n), depth === 0 ? '' : `${lead}${last ? '  ' : '│ '}`, depth + 1);
    });
  };
  walk(roots, '', 0);
}

/** The process view: `name(pid)`, `name(pid,pid)` where a process is in another PID namespace than its parent (pstree -S). */
export function processTreeText(procs: ReadonlyMap<number, HostProc>): string {
  const kids = new Map<number, HostProc[]>();
  const roots: HostProc[] = [];
  for (const p of [...procs.values()].sort((a, b) => a.pid - b.pid)) {
    const parent = procs.get(p.ppid);
    if (parent === undefined) roots.push(p);
    else kids.set(parent.pid, [...(kids.get(parent.pid) ?? []), p]);
  }
  const lines: string[] = [];
  drawTree(
    roots,
    (p) => kids.get(p.pid) ?? [],
    (p, prefix) => {
      const parent = procs.get(p.ppid);
      const moved = parent !== undefined && parent.ns !== p.ns;
      lines.push(`${prefix}${p.comm}(${p.pid}${moved ? ',pid' : ''})`);
    },
  );
  return lines.map((l) => `${l}\n`).join('');
}

function treeCommand(argv: readonly string[], io: Io): Exit {
  const parsed = parseCommand(TREE_SPEC, argv);
  if (isParseOutcome(parsed)) return answerParse(parsed, io);
  const { values } = parsed;
  const columns = chooseColumns(TREE_COLUMNS, TREE_DEFAULTS, values.output);
  if ('unknown' in columns) return answerParse(usageError(TREE_SPEC, `unknown column ${quoteArg(columns.unknown)} for -o (${TREE_COLUMNS.map((c) => c.name).join(', ')})`), io);
  const procs = readProcs();
  if (values.processes === true) {
    io.out(processTreeText(procs));
    return Exit.Ok;
  }
  const nss = namespaceTree(procs);
  if (values.json === true) {
    io.out(`${JSON.stringify(nss)}\n`);
    return Exit.Ok;
  }
  const user = userNames();
  const lowest = new Map<number, HostProc>();
  for (const p of procs.values()) if ((lowest.get(p.ns)?.pid ?? Infinity) > p.pid) lowest.set(p.ns, p);
  const known = new Set(nss.map((n) => n.inode));
  const rows: TreeRow[] = [];
  drawTree(
    nss.filter((n) => n.parent === null || !known.has(n.parent)),
    (n) => nss.filter((c) => c.parent === n.inode),
    (ns, prefix, depth) => {
      const pid = lowest.get(ns.inode);
      rows.push({ ns, depth, prefix: values.raw === true ? '' : prefix, pid, user: pid === undefined ? '-' : user(pid.uids[0]), command: pid === undefined ? '-' : commandLine(pid) });
    },
  );
  io.out(formatTable(columns, rows, { headings: values.noheadings !== true, raw: values.raw === true, bold: colorsFor(io).bold }));
  return Exit.Ok;
}

// ---------------------------------------------------------------------- ps

type PsView = ReturnType<typeof psIn>[number] & { readonly host: HostProc | undefined; readonly user: string };

const PS_COLUMNS: readonly Column<PsView>[] = [
  { name: 'PID', help: 'process id, as the namespace numbers it', number: true, text: (r) => String(r.pid) },
  { name: 'PPID', help: 'parent\'s pid there (0: outside it)', number: true, text: (r) => String(r.ppid) },
  { name: 'PGID', help: 'process group there (0: outside it)', number: true, text: (r) => String(r.pgid) },
  { name: 'SID', help: 'session there (0: outside it)', number: true, text: (r) => String(r.sid) },
  { name: 'NSPID', help: 'NSpid from this namespace down, as /proc/PID/status prints it', number: false, text: (r) => nspidText(r.nspid) },
  { name: 'COMMAND', help: 'command name (ps -o comm)', number: false, text: (r) => r.comm },
  { name: 'STAT', help: 'state letter (R, S, Z, T, ...)', number: false, text: (r) => r.host?.state ?? '?' },
  { name: 'USER', help: 'real user', number: false, text: (r) => r.user },
  { name: 'NS', help: 'inode of its own PID namespace', number: true, text: (r) => String(r.ns) },
  { name: 'HOSTPID', help: 'pid as the reader numbers it', number: true, text: (r) => String(r.host?.pid ?? '-') },
];
const PS_DEFAULTS = ['PID', 'PPID', 'PGID', 'SID', 'NSPID', 'COMMAND'];

const PS_SPEC = {
  name: 'host ps',
  usage: 'pidns host ps [--ns NS | --pid PID] [-o COLS] [-n] [-r] [--json]',
  help: `Usage: pidns host ps [--ns NS | --pid PID] [-o COLS] [-n] [-r] [--json]

The processes visible in one PID namespace (default: the reader's own),
numbered as that namespace numbers them.

      --ns NS         that namespace (an inode, or pid:N)
      --pid PID       the namespace of host pid PID
  -o, --output COLS   columns, comma-separated; +COLS adds to the default ones
  -n, --noheadings    no header line
  -r, --raw           unaligned, one space between columns (blanks as \\x20)
      --json          every process's fields, as a JSON array

Columns (+: not shown unless asked for):
${columnsHelp(PS_COLUMNS as readonly Column<unknown>[], PS_DEFAULTS)}
`,
  options: {
    ns: { type: 'string' },
    pid: { type: 'string' },
    output: { type: 'string', short: 'o' },
    noheadings: { type: 'boolean', short: 'n' },
    raw: { type: 'boolean', short: 'r' },
    json: { type: 'boolean' },
  },
  positionals: { min: 0, max: 0, name: 'argument' },
} as const satisfies CommandSpec;

function psCommand(argv: readonly string[], io: Io): Exit {
  const parsed = parseCommand(PS_SPEC, argv);
  if (isParseOutcome(parsed)) return answerParse(parsed, io);
  const { values } = parsed;
  if (values.ns !== undefined && values.pid !== undefined) return answerParse(usageError(PS_SPEC, '--ns and --pid each choose the namespace: give one'), io);
  let pidArg: number | undefined;
  if (values.pid !== undefined) {
    const n = integerValue(PS_SPEC, 'pid', values.pid, 1);
    if (typeof n !== 'number') return answerParse(n, io);
    pidArg = n;
  }
  if (values.ns !== undefined && !/^(?:pid:\d+|\d+|pid:\[\d+\])$/.test(values.ns)) {
    return answerParse(usageError(PS_SPEC, `--ns takes an inode or pid:N, got ${quoteArg(values.ns)}`), io);
  }
  const columns = chooseColumns(PS_COLUMNS, PS_DEFAULTS, values.output);
  if ('unknown' in columns) return answerParse(usageError(PS_SPEC, `unknown column ${quoteArg(columns.unknown)} for -o (${PS_COLUMNS.map((c) => c.name).join(', ')})`), io);
  const procs = readProcs();
  const nsArg = values.ns ?? `pid:${pidArg ?? process.pid}`;
  const ns = resolveNs(procs, nsArg);
  const rows = ns === null ? [] : psIn(procs, ns);
  if (ns === null || rows.length === 0) {
    io.err(`error: no such namespace: ${quoteArg(values.pid !== undefined ? `pid ${values.pid}` : nsArg)}\n`);
    return Exit.BadInput;
  }
  if (values.json === true) {
    io.out(`${JSON.stringify(rows)}\n`);
    return Exit.Ok;
  }
  // Host pids: a row's last-but-own NSpid entries start at the chosen level; the reader's number is found by matching.
  const byChain = new Map([...procs.values()].map((p) => [`${p.ns}:${p.nspid.at(-1)!}`, p]));
  const user = userNames();
  const views: PsView[] = rows.map((r) => {
    const host = byChain.get(`${r.ns}:${r.nspid.at(-1)!}`);
    return { ...r, host, user: host === undefined ? '-' : user(host.uids[0]) };
  });
  io.out(formatTable(columns, views, { headings: values.noheadings !== true, raw: values.raw === true, bold: colorsFor(io).bold }));
  return Exit.Ok;
}

// --------------------------------------------------------------- translate

const TRANSLATE_SPEC = {
  name: 'host translate',
  usage: 'pidns host translate [--json] PID --from NS --to NS',
  help: `Usage: pidns host translate [--json] PID --from NS --to NS

Prints the number that namespace --to gives the process that namespace
--from numbers PID. When it is not visible there: a line on standard error,
exit 1.

      --from NS   the namespace PID is numbered in (an inode, or pid:N)
      --to NS     the namespace to number it in
      --json      {"pid":..,"from":..,"to":..,"result":N or null}
`,
  options: { from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' } },
  positionals: { min: 1, max: 1, name: 'PID' },
} as const satisfies CommandSpec;

function translateCommand(argv: readonly string[], io: Io): Exit {
  const parsed = parseCommand(TRANSLATE_SPEC, argv);
  if (isParseOutcome(parsed)) return answerParse(parsed, io);
  const { values } = parsed;
  const pid = integerValue(TRANSLATE_SPEC, 'PID', parsed.positionals[0]!, 1);
  if (typeof pid !== 'number') return answerParse(usageError(TRANSLATE_SPEC, `PID must be a positive integer, got ${quoteArg(parsed.positionals[0]!)}`), io);
  if (values.from === undefined || values.to === undefined) return answerParse(usageError(TRANSLATE_SPEC, `needs --${values.from === undefined ? 'from' : 'to'} NS`), io);
  const procs = readProcs();
  const from = resolveNs(procs, values.from);
  const to = resolveNs(procs, values.to);
  if (from === null || to === null) {
    io.err(`error: no such namespace: ${quoteArg(from === null ? values.from : values.to)}\n`);
    return Exit.BadInput;
  }
  const nr = translate(procs, pid, from, to);
  if (values.json === true) io.out(`${JSON.stringify({ pid, from, to, result: nr === 0 ? null : nr })}\n`);
  else if (nr !== 0) io.out(`${nr}\n`);
  if (nr === 0) {
    io.err(`pid ${pid} of namespace ${from} is not visible in namespace ${to}\n`);
    return Exit.Mismatch;
  }
  return Exit.Ok;
}

// ---------------------------------------------------------------- snapshot

const SNAPSHOT_SPEC = {
  name: 'host snapshot',
  usage: 'pidns host snapshot [--ns NS] [-o FILE]',
  help: `Usage: pidns host snapshot [--ns NS] [-o FILE]

Writes the live state below the reader's namespace as a pidns snapshot
(docs/snapshot.md), for pidns run --from-snapshot and pidns restore.

      --ns NS         only PID namespace NS and those below it (a container,
                      as criu-ns takes it), every thread a task; NS is an
                      inode, pid:N (the namespace host pid N lives in), or a
                      path to a namespace file (/proc/N/ns/pid). Its parent
                      becomes the snapshot's host namespace (docs/restore.md)
  -o, --output FILE   write it to FILE, atomically (a temporary file renamed
                      over it: a reader never sees half of it); - or no -o:
                      standard output
`,
  options: { ns: { type: 'string' }, output: { type: 'string', short: 'o' } },
  positionals: { min: 0, max: 0, name: 'argument' },
} as const satisfies CommandSpec;

/** Why `path` cannot be written as a file, found before anything is read: it is a directory. */
async function outputProblem(path: string): Promise<string | null> {
  try {
    return (await stat(path)).isDirectory() ? 'is a directory' : null;
  } catch {
    // Missing is fine (it is made); other problems show when it is written.
    return null;
  }
}

async function snapshotCommand(argv: readonly string[], io: Io): Promise<Exit> {
  const parsed = parseCommand(SNAPSHOT_SPEC, argv);
  if (isParseOutcome(parsed)) return answerParse(parsed, io);
  const out = parsed.values.output;
  if (out !== undefined && out !== '-') {
    const problem = await outputProblem(out);
    if (problem !== null) {
      io.err(`error: -o ${quoteArg(out)}: ${problem}\n`);
      return Exit.BadInput;
    }
  }
  const nsArg = parsed.values.ns;
  if (nsArg !== undefined && !/^(?:pid:\d+|\d+|pid:\[\d+\]|\/.*)$/.test(nsArg)) {
    return answerParse(usageError(SNAPSHOT_SPEC, `--ns takes an inode, pid:N or a namespace file's path, got ${quoteArg(nsArg)}`), io);
  }
  const { procs, unreadable } = readProcsReport();
  let text: string;
  try {
    if (nsArg === undefined) text = `${JSON.stringify(hostSnapshot(procs, resolveNs(procs, `pid:${process.pid}`) ?? 0))}\n`;
    else {
      const root = nsArgInode(procs, nsArg);
      if (typeof root === 'string') {
        io.err(`error: --ns ${quoteArg(nsArg)}: ${root}\n`);
        return Exit.BadInput;
      }
      const snap = namespaceSnapshot({ procs, root, threads: (p) => readThreads(p) });
      for (const n of snap.notes) io.err(`pidns host snapshot: ${n}\n`);
      text = `${JSON.stringify(snap.json)}\n`;
    }
  } catch (e) {
    if (!(e instanceof HostSnapshotError)) throw e;
    io.err(`error: host snapshot: ${e.message}; nothing written\n`);
    return Exit.BadInput;
  }
  // Processes whose /proc could not be read (but that are still there) are left out: say so.
  if (unreadable.length > 0) {
    const shown = unreadable.slice(0, 20).join(' ');
    io.err(`pidns host snapshot: left out ${unreadable.length} process${unreadable.length === 1 ? '' : 'es'} whose /proc could not be read: ${shown}${unreadable.length > 20 ? ' ...' : ''}\n`);
  }
  if (out === undefined || out === '-') {
    io.out(text);
    return Exit.Ok;
  }
  try {
    await writeFileAtomic(out, text);
  } catch (e) {
    io.err(`error: -o ${quoteArg(out)}: ${writeFailure(e)}\n`);
    return Exit.BadInput;
  }
  return Exit.Ok;
}

/**
 * --ns NS as an inode: a path is read as a namespace link; /proc/N/ns/pid, when
 * the link is refused (a sandbox refuses /proc/1/ns/pid even to root), is
 * pid:N, whose namespace readProc knows from its NSpid; or why not.
 */
function nsArgInode(procs: ReadonlyMap<number, HostProc>, arg: string): number | string {
  if (arg.startsWith('/')) {
    const ino = nsInode(arg);
    if (ino !== null) return ino;
    const m = /^\/proc\/(\d+)\/ns\/pid$/.exec(arg);
    if (m === null) return 'not a namespace file (readlink gave no pid:[INODE])';
    arg = `pid:${m[1]!}`;
  }
  const ino = resolveNs(procs, arg);
  return ino === null || ![...procs.values()].some((p) => p.ns === ino) ? 'no such PID namespace with a process in it' : ino;
}

/** The host group's commands, for main's table. */
export const HOST_COMMANDS: readonly { readonly spec: CommandSpec; readonly run: (argv: readonly string[], io: Io) => Promise<Exit> }[] = [
  { spec: TREE_SPEC, run: (argv, io) => Promise.resolve(treeCommand(argv, io)) },
  { spec: PS_SPEC, run: (argv, io) => Promise.resolve(psCommand(argv, io)) },
  { spec: TRANSLATE_SPEC, run: (argv, io) => Promise.resolve(translateCommand(argv, io)) },
  { spec: SNAPSHOT_SPEC, run: snapshotCommand },
];
