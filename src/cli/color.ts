// Colour on a terminal (picocolors): failures red, passes green, diff lines
// red/green with cyan hunk headers, table headers bold. Off when standard
// output is not a terminal or NO_COLOR is set (https://no-color.org), on
// whatever the output when FORCE_COLOR is set (to anything but 0).

import pc from 'picocolors';
import type { Io } from './io.js';

export type Colors = ReturnType<typeof pc.createColors>;

/** Whether output to `io` gets colour. FORCE_COLOR wins over NO_COLOR, as in Node and chalk. */
export function colorEnabled(io: Pick<Io, 'env' | 'stdoutIsTTY'>): boolean {
  const force = io.env?.['FORCE_COLOR'];
  if (force !== undefined) return force !== '0' && force !== 'false';
  const no = io.env?.['NO_COLOR'];
  if (no !== undefined && no !== '') return false;
  return io.stdoutIsTTY === true;
}

export function colorsFor(io: Pick<Io, 'env' | 'stdoutIsTTY'>): Colors {
  return pc.createColors(colorEnabled(io));
}

/** A unified diff's line, coloured by its first character. */
export function diffLine(c: Colors, line: string): string {
  if (line.startsWith('+++') || line.startsWith('---')) return c.bold(line);
  if (line.startsWith('@@')) return c.cyan(line);
  if (line.startsWith('+')) return c.green(line);
  if (line.startsWith('-')) return c.red(line);
  return line;
}

/** The closing `N passed, N failed[, N skipped]` line, green when nothing failed. */
export function summaryLine(c: Colors, passed: number, failed: number, skipped = 0): string {
  const text = `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
  return failed > 0 ? c.red(text) : c.green(text);
}
