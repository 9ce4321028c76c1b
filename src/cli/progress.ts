// A progress line on standard error, drawn over itself on a terminal only:
// `[12/130] 9.1/s ETA 13s FILE`, clipped to the terminal's width so that it
// never wraps (a wrapped line cannot be erased with \r).

import type { Io } from './io.js';

/** `75s` -> `1m15s`; under a minute, whole seconds. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** The text of a progress line: count, rate and estimate once a rate is known, then `what`. */
export function progressText(done: number, total: number, elapsedMs: number | null, what: string): string {
  const parts = [`[${done}/${total}]`];
  if (elapsedMs !== null && elapsedMs > 0 && done > 0) {
    const rate = done / (elapsedMs / 1000);
    parts.push(`${rate >= 10 ? rate.toFixed(0) : rate.toFixed(1)}/s`, `ETA ${formatDuration((total - done) / rate)}`);
  }
  parts.push(what);
  return parts.join(' ');
}

/** Cuts `text` to `width` columns (one column per UTF-16 unit: paths and seeds are ASCII). */
export function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

export class Progress {
  private shown = false;
  private readonly start: number | null;

  constructor(private readonly io: Io) {
    this.start = io.now?.() ?? null;
  }

  /** Draws `[done/total] rate ETA what`; `done` counts the items finished. */
  show(done: number, total: number, what: string): void {
    if (this.io.stderrIsTTY !== true) return;
    const now = this.io.now?.();
    const elapsed = now === undefined || this.start === null ? null : now - this.start;
    // One column short of the width: writing the last column makes some terminals wrap.
    const width = (this.io.columns ?? 80) - 1;
    this.io.err(`\r\x1b[K${clip(progressText(done, total, elapsed, what), width)}`);
    this.shown = true;
  }

  /** Erases the line before other output. */
  clear(): void {
    if (!this.shown) return;
    this.io.err('\r\x1b[K');
    this.shown = false;
  }
}
