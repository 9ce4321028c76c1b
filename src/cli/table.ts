// Tables as util-linux prints them (lsns, ps): chosen columns, headings,
// right-aligned numbers, and a raw form with blanks escaped.

/** A column of a table: its header, how a row gives its text, and whether it is a number (right-aligned). */
export interface Column<R> {
  readonly name: string;
  readonly help: string;
  readonly number: boolean;
  readonly text: (row: R) => string;
}

/**
 * `-o` as util-linux takes it: a comma list of column names (any case), or
 * `+LIST` to add to the defaults. Returns the columns or the first unknown name.
 */
export function chooseColumns<R>(all: readonly Column<R>[], defaults: readonly string[], spec: string | undefined): Column<R>[] | { readonly unknown: string } {
  if (spec === undefined) return defaults.map((d) => all.find((c) => c.name === d)!);
  const add = spec.startsWith('+');
  const names = (add ? [...defaults, ...spec.slice(1).split(',')] : spec.split(',')).map((n) => n.trim().toUpperCase());
  const out: Column<R>[] = [];
  for (const n of names) {
    const c = all.find((col) => col.name === n);
    if (c === undefined) return { unknown: n === '' ? '(empty)' : n };
    out.push(c);
  }
  return out;
}

/** `--raw`: util-linux escapes blanks, backslashes and control characters as \xHH so that columns split on spaces. */
export function rawEscape(text: string): string {
  return text === '' ? '-' : text.replace(/[\s\\\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export interface TableOptions {
  readonly headings: boolean;
  readonly raw: boolean;
  /** Bold headers (a terminal, colour on). */
  readonly bold: (s: string) => string;
}

/** Rows as text: aligned columns (numbers right, text left, the last column unpadded), or --raw. */
export function formatTable<R>(columns: readonly Column<R>[], rows: readonly R[], opts: TableOptions): string {
  const cells = rows.map((r) => columns.map((c) => c.text(r)));
  if (opts.raw) {
    const lines = [...(opts.headings ? [columns.map((c) => c.name).join(' ')] : []), ...cells.map((row) => row.map(rawEscape).join(' '))];
    return lines.map((l) => `${l}\n`).join('');
  }
  const widths = columns.map((c, i) => Math.max(opts.headings ? c.name.length : 0, ...cells.map((row) => row[i]!.length)));
  const line = (row: readonly string[]): string =>
    row
      .map((cell, i) => {
        const last = i === row.length - 1;
        if (columns[i]!.number) return cell.padStart(widths[i]!);
        return last ? cell : cell.padEnd(widths[i]!);
      })
      .join(' ');
  const out: string[] = [];
  if (opts.headings) out.push(opts.bold(line(columns.map((c) => c.name))));
  for (const row of cells) out.push(line(row));
  return out.map((l) => `${l}\n`).join('');
}

export function columnsHelp(columns: readonly Column<unknown>[], defaults: readonly string[]): string {
  return columns.map((c) => `  ${defaults.includes(c.name) ? ' ' : '+'}${c.name.padEnd(9)} ${c.help}`).join('\n');
}

