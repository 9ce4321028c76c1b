// glibc's and uutils' way of resetting an action is a query then a set of
// the same signal: `rt_sigaction(SIG, NULL, &old)`, `rt_sigaction(SIG, &act,
// NULL)`. The importer writes the pair as one step, the set with `oldact`,
// whose old action is the query's: nothing of the process ran between them
// (the importer merges only for a process of one thread), and a program that
// resets all 64 actions gives half the steps (replay speed).

import type { TraceResult } from './lexer.js';
import type { Survey } from './survey.js';

/** The set that completes the query at kept[at] (both returned 0), as one call's arguments, or null. */
export function actionPair(s: Survey, at: number, pid: number, argText: string, result: TraceResult, argsOf: (text: string) => readonly string[]): { line: number; args: string } | null {
  if (result.kind !== 'value' || result.value !== 0 || !argText.includes('NULL')) return null;
  const q = argsOf(argText);
  if (q[1] !== 'NULL' || q[2] === undefined || !q[2].startsWith('{')) return null;
  for (let j = at + 1; j < s.kept.length && j <= at + 8; j++) {
    const [m, r] = s.kept[j]!;
    if ((r.pid ?? s.rootPid) !== pid) continue;
    // The query's own end, when another task's line came between its beginning and its end.
    if (r.kind === 'resumed' && r.name === 'rt_sigaction') continue;
    if ((r.kind !== 'call' && r.kind !== 'unfinished') || r.name !== 'rt_sigaction') return null;
    let args: string;
    let res: TraceResult;
    if (r.kind === 'call') {
      args = r.args;
      res = r.result;
    } else if (r.kind === 'unfinished') {
      const end = s.ends.get(m);
      if (end === undefined) return null;
      args = r.args + end.args;
      res = end.result;
    } else return null;
    if (r.name !== 'rt_sigaction' || res.kind !== 'value' || res.value !== 0) return null;
    const a = argsOf(args);
    if (a[0] !== q[0] || a[1] === undefined || a[1] === 'NULL' || a[2] !== 'NULL') return null;
    return { line: m, args: `${a[0]}, ${a[1]}, ${q[2]}, ${a[3] ?? '8'}` };
  }
  return null;
}
