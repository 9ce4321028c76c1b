// Line diffs of two transcripts in the unified format of `diff -u`: Myers'
// O(ND) shortest edit script, then hunks with a few lines of context. Written
// here rather than taken from a package: the project has no runtime
// dependencies, and a transcript is a few hundred lines at most.

/** One line of an edit script: kept, deleted from `a`, or inserted from `b`. */
export type Edit =
  | { readonly op: 'keep'; readonly line: string }
  | { readonly op: 'del'; readonly line: string }
  | { readonly op: 'ins'; readonly line: string };

/**
 * A shortest edit script turning `a` into `b` (E. Myers, "An O(ND) Difference
 * Algorithm and Its Variations", 1986). Within a changed run, deletions come
 * before insertions, as diff(1) prints them.
 */
export function editScript(a: readonly string[], b: readonly string[]): Edit[] {
  // Common prefix and suffix cost nothing to find and shrink the search.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const middle = myers(a.slice(start, endA), b.slice(start, endB));
  return [
    ...a.slice(0, start).map((line): Edit => ({ op: 'keep', line })),
    ...middle,
    ...a.slice(endA).map((line): Edit => ({ op: 'keep', line })),
  ];
}

function myers(a: readonly string[], b: readonly string[]): Edit[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  // v[offset + k]: the furthest x reached on diagonal k (y = x - k).
  const v = new Int32Array(2 * max + 3);
  // trace[d] is v as it stood before round d, for the walk back.
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      // Down (an insertion) from diagonal k+1, or right (a deletion) from k-1.
      const down = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!);
      let x = down ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  // Walk back from (n, m) through the rounds, collecting edits in reverse.
  const out: Edit[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const before = trace[d]!;
    const k = x - y;
    const down = k === -d || (k !== d && before[offset + k - 1]! < before[offset + k + 1]!);
    const prevK = down ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : before[offset + prevK]!;
    const prevY = d === 0 ? 0 : prevX - prevK;
    while (x > prevX && y > prevY) {
      out.push({ op: 'keep', line: a[--x]! });
      y--;
    }
    if (d === 0) break;
    if (down) out.push({ op: 'ins', line: b[--y]! });
    else out.push({ op: 'del', line: a[--x]! });
  }
  out.reverse();
  return reorderRuns(out);
}

/** Within each run of changes, deletions first: `-` lines above `+` lines, as diff(1) prints. */
function reorderRuns(edits: readonly Edit[]): Edit[] {
  const out: Edit[] = [];
  let dels: Edit[] = [];
  let ins: Edit[] = [];
  const flush = (): void => {
    out.push(...dels, ...ins);
    dels = [];
    ins = [];
  };
  for (const e of edits) {
    if (e.op === 'keep') {
      flush();
      out.push(e);
    } else if (e.op === 'del') {
      dels.push(e);
    } else {
      ins.push(e);
    }
  }
  flush();
  return out;
}

export interface UnifiedDiffOptions {
  /** The `---` label (the left side). */
  readonly from: string;
  /** The `+++` label (the right side). */
  readonly to: string;
  /** Unchanged lines shown around each change; 3 by default, as `diff -u`. */
  readonly context?: number;
}

/**
 * `diff -u`'s output as lines (no newlines): `--- from`, `+++ to`, then
 * `@@ -l,s +l,s @@` hunks. Empty when the two are equal. Hunk ranges follow
 * GNU diff: a count of 1 is omitted, an empty range starts at the line before.
 */
export function unifiedDiff(a: readonly string[], b: readonly string[], options: UnifiedDiffOptions): string[] {
  const context = options.context ?? 3;
  const edits = editScript(a, b);
  if (edits.every((e) => e.op === 'keep')) return [];
  const out = [`--- ${options.from}`, `+++ ${options.to}`];
  // Positions in a and b before each edit.
  const posA: number[] = [];
  const posB: number[] = [];
  let ia = 0;
  let ib = 0;
  for (const e of edits) {
    posA.push(ia);
    posB.push(ib);
    if (e.op !== 'ins') ia++;
    if (e.op !== 'del') ib++;
  }
  let i = 0;
  while (i < edits.length) {
    // The next change, and the hunk around it: extend while the next change is
    // within 2 * context unchanged lines.
    while (i < edits.length && edits[i]!.op === 'keep') i++;
    if (i === edits.length) break;
    const first = Math.max(0, i - context);
    let last = i;
    for (let j = i; j < edits.length; j++) {
      if (edits[j]!.op !== 'keep') last = j;
      else if (j - last > 2 * context) break;
    }
    const end = Math.min(edits.length, last + context + 1);
    const hunk = edits.slice(first, end);
    const lenA = hunk.filter((e) => e.op !== 'ins').length;
    const lenB = hunk.filter((e) => e.op !== 'del').length;
    out.push(`@@ -${range(posA[first]!, lenA)} +${range(posB[first]!, lenB)} @@`);
    for (const e of hunk) out.push(`${e.op === 'keep' ? ' ' : e.op === 'del' ? '-' : '+'}${e.line}`);
    i = end;
  }
  return out;
}

/** `start,len` with 1-based start; `start` alone when len is 1; for len 0 the line before. */
function range(start: number, len: number): string {
  if (len === 0) return `${start},0`;
  if (len === 1) return `${start + 1}`;
  return `${start + 1},${len}`;
}
