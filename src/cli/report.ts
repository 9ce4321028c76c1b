// How failed expectations are shown: per step, a small line diff of what
// was written against what ran, with the file and line, and the repeat round.

import type { Mismatch, Round } from '../scenario/run.js';
import type { Colors } from './color.js';
import { foldSpace } from '../scenario/transcript.js';

function roundsText(rounds: readonly Round[]): string {
  if (rounds.length === 0) return '';
  return ` [${rounds.map((r) => `round ${r.index} of ${r.count} (repeat at line ${r.pos.line})`).join(', ')}]`;
}

/** A line diff on folded text (as the comparison sees it): `- ` written, `+ ` ran, `  ` both. */
export function lineDiff(expected: readonly string[], actual: readonly string[]): string[] {
  const e = expected.map(foldSpace).filter((l) => l !== '');
  const a = actual.map(foldSpace).filter((l) => l !== '');
  // Longest common subsequence, table from the ends so the walk goes forwards.
  const lcs: number[][] = Array.from({ length: e.length + 1 }, () => new Array<number>(a.length + 1).fill(0));
  for (let i = e.length - 1; i >= 0; i--) {
    for (let j = a.length - 1; j >= 0; j--) {
      lcs[i]![j] = e[i] === a[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < e.length || j < a.length) {
    if (i < e.length && j < a.length && e[i] === a[j]) {
      out.push(`  ${e[i++]!}`);
      j++;
    } else if (i < e.length && (j === a.length || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      out.push(`- ${e[i++]!}`);
    } else {
      out.push(`+ ${a[j++]!}`);
    }
  }
  return out;
}

/** Every failed step once (its first failing round), with how many other rounds failed there. */
export function mismatchReport(mismatches: readonly Mismatch[]): string[] {
  const groups = new Map<string, Mismatch[]>();
  for (const m of mismatches) {
    const key = `${m.pos.line}:${m.pos.col}`;
    const list = groups.get(key) ?? [];
    list.push(m);
    groups.set(key, list);
  }
  const out: string[] = [];
  for (const [, list] of groups) {
    const m = list[0]!;
    out.push(`${m.file}:${m.pos.line}: ${m.step}${roundsText(m.rounds)}`);
    // One push per line: a spread is one argument per line, and a million-line view overflows the stack.
    for (const l of lineDiff(m.expected, m.actual)) out.push(l);
    if (list.length > 1) out.push(`  (and ${list.length - 1} more round${list.length > 2 ? 's' : ''})`);
  }
  return out;
}

/** A line of mismatchReport, coloured: the location bold, `- ` written red, `+ ` ran green. */
export function reportLine(c: Colors, line: string): string {
  if (line.startsWith('- ')) return c.red(line);
  if (line.startsWith('+ ')) return c.green(line);
  if (line.startsWith(' ')) return line;
  return c.bold(line);
}
