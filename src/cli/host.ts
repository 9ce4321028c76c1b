// `pidns host tree|ps|translate`: the live machine's PID namespaces, read
// from /proc by src/host/proc.ts (Linux only).

import { namespaceTree, psIn, readProcs, resolveNs, translate } from '../host/proc.js';
import { hostSnapshot } from '../host/snapshot.js';
import { writeFileAtomic } from './snapshot_file.js';
import type { HostNs } from '../host/proc.js';
import { Exit } from './exit.js';
import type { Io } from './io.js';

export const HELP_HOST = `Usage:
  pidns host tree [--json]                     the tree of PID namespaces
  pidns host ps [--ns NS | --pid PID] [--json] processes as one namespace sees them
  pidns host translate PID --from NS --to NS [--json]
                                               one number between namespaces
  pidns host snapshot [-o FILE]                the live state as a pidns snapshot

NS is a namespace inode (as readlink /proc/PID/ns/pid shows it) or pid:N,
the namespace of host pid N. ps defaults to the reader's own namespace.
Exit status: 0 ok, 1 not visible (translate), 2 bad input.
`;

function treeText(nss: readonly HostNs[]): string {
  const kids = new Map<number | null, HostNs[]>();
  for (const n of nss) kids.set(n.parent, [...(kids.get(n.parent) ?? []), n]);
  const lines = ['        NS LEVEL  INIT  PROCS VISIBLE'];
  const walk = (parent: number | null, depth: number): void => {
    for (const n of kids.get(parent) ?? []) {
      lines.push(`${`${'  '.repeat(depth)}${n.inode}`.padStart(10 + 2 * depth)} ${String(n.level).padStart(5)} ${String(n.init ?? '-').padStart(5)} ${String(n.processes).padStart(6)} ${String(n.visible).padStart(7)}`);
      walk(n.inode, depth + 1);
    }
  };
  walk(null, 0);
  return `${lines.join('\n')}\n`;
}

export async function hostCommand(argv: readonly string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    io.out(HELP_HOST);
    return sub === undefined ? Exit.BadInput : Exit.Ok;
  }
  const json = rest.includes('--json');
  const args = rest.filter((a) => a !== '--json');
  const opt = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const bad = (msg: string): number => {
    io.err(`error: ${msg}\n`);
    return Exit.BadInput;
  };
  const procs = readProcs();
  if (sub === 'tree') {
    const nss = namespaceTree(procs);
    io.out(json ? `${JSON.stringify(nss)}\n` : treeText(nss));
    return Exit.Ok;
  }
  if (sub === 'ps') {
    const nsArg = opt('--ns');
    const pidArg = opt('--pid');
    let ns: number | null;
    if (nsArg !== undefined) ns = resolveNs(procs, nsArg);
    else if (pidArg !== undefined) ns = resolveNs(procs, `pid:${pidArg}`);
    else ns = resolveNs(procs, `pid:${process.pid}`);
    if (ns === null) return bad(`no such namespace: ${nsArg ?? `pid:${pidArg ?? process.pid}`}`);
    const rows = psIn(procs, ns);
    if (json) io.out(`${JSON.stringify(rows)}\n`);
    else {
      io.out(`${'PID'.padStart(7)} ${'PPID'.padStart(7)} ${'PGID'.padStart(7)} ${'SID'.padStart(7)} NSPID            COMM\n`);
      for (const r of rows) io.out(`${String(r.pid).padStart(7)} ${String(r.ppid).padStart(7)} ${String(r.pgid).padStart(7)} ${String(r.sid).padStart(7)} ${r.nspid.join(',').padEnd(16)} ${r.comm}\n`);
    }
    return Exit.Ok;
  }
  if (sub === 'translate') {
    const pid = Number(args[0]);
    const fromArg = opt('--from');
    const toArg = opt('--to');
    if (!Number.isInteger(pid) || pid <= 0 || fromArg === undefined || toArg === undefined) return bad('usage: pidns host translate PID --from NS --to NS');
    const from = resolveNs(procs, fromArg);
    const to = resolveNs(procs, toArg);
    if (from === null) return bad(`no such namespace: ${fromArg}`);
    if (to === null) return bad(`no such namespace: ${toArg}`);
    const nr = translate(procs, pid, from, to);
    if (json) io.out(`${JSON.stringify({ pid, from, to, result: nr === 0 ? null : nr })}\n`);
    else if (nr !== 0) io.out(`${nr}\n`);
    if (nr === 0) {
      io.err(`pid ${pid} of namespace ${from} is not visible in namespace ${to}\n`);
      return Exit.Mismatch;
    }
    return Exit.Ok;
  }
  if (sub === 'snapshot') {
    const text = `${JSON.stringify(hostSnapshot(procs, resolveNs(procs, `pid:${process.pid}`) ?? 0))}\n`;
    const out = opt('-o') ?? opt('--output');
    if (out === undefined) io.out(text);
    else await writeFileAtomic(out, text);
    return Exit.Ok;
  }
  return bad(`unknown host command ${sub} (pidns host --help)`);
}
