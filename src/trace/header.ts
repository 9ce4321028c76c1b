// The comment block at the top of an imported scenario: where it came from,
// what the import dropped or approximated, and every identity call it could
// not express, by trace line.

export interface HeaderInfo {
  readonly source: string;
  readonly lines: number;
  readonly steps: number;
  readonly rootPid: number;
  /** Pointer flags dropped from clones, with their counts. */
  readonly dropped: ReadonlyMap<string, number>;
  readonly setTidAddress: number;
  readonly footprint: number;
  readonly uncompared: ReadonlySet<string>;
  readonly unexpressed: ReadonlyMap<string, readonly number[]>;
  readonly approximated: ReadonlyMap<string, readonly number[]>;
}

export function scenarioHeader(h: HeaderInfo): string[] {
  const out = [
    `# Imported from ${h.source} by pidns import: ${h.lines} trace lines, ${h.steps} steps with the trace's results.`,
    '# Recorded as unshare --pid --fork --mount-proc strace -f -qq -o FILE -- CMD: `init` is the unshare',
    '# outside the namespace and the outside actor (a signal from outside the traced tree is its kill);',
    `# \`strace\` is pid 1 of the fresh namespace${h.rootPid > 2 ? `, its probe processes took pids 2..${h.rootPid - 1}` : ''}.`,
    '# Steps are in the order the calls began; `# line N` is the trace line (`lines N-M`: began on N, returned on M).',
  ];
  if (h.dropped.size > 0) {
    const what = [...h.dropped.entries()].map(([f, k]) => `${f} (${k})`).join(', ');
    out.push(`# Dropped pointer flags (they change nothing identity shows; glibc's fork is clone(CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD), written fork()): ${what}.`);
  }
  if (h.setTidAddress > 0) out.push(`# set_tid_address is written gettid() (${h.setTidAddress}): it returns the caller's tid.`);
  if (h.footprint > 0) out.push(`# Not compared: ${h.footprint} signals strace showed a task that has no handler for them (ptrace sees them; untraced, nothing happens).`);
  if (h.uncompared.size > 0) out.push(`# Handled signals not compared for ${[...h.uncompared].join(', ')}: a signal call of theirs is not expressible, or they make calls inside a handler (either changes which signals they take).`);
  const block = (title: string, m: ReadonlyMap<string, readonly number[]>): void => {
    if (m.size === 0) return;
    let total = 0;
    for (const l of m.values()) total += l.length;
    out.push(`# ${title} (${total}), by trace line:`);
    for (const [why, lines] of m) {
      out.push(`#   ${why}:`);
      let row = '#    ';
      for (const l of lines) {
        if (row.length + String(l).length + 1 > 100) {
          out.push(row);
          row = '#    ';
        }
        row += ` ${l}`;
      }
      out.push(row);
    }
  };
  block('Not expressible yet', h.unexpressed);
  block('Approximated (the step says less than the trace)', h.approximated);
  out.push('');
  return out;
}
