// pidns/trace: strace logs of real programs, turned into scenarios and
// replayed on the model (docs/trace.md). Engine only: no Node, no DOM; the
// recorder (it runs strace) is src/cli/trace_record.ts.

export { TraceError, lexLine, splitArgs, structFields } from './lexer.js';
export type { TraceRecord, TraceResult } from './lexer.js';
export { importTrace, importTraceText, linesOf } from './importer.js';
export type { Expectation, ExpectedEvent, ImportResult, ListedCall, TraceSource } from './importer.js';
export { CALLS } from './table.js';
export type { CallContext, Mapped } from './calls.js';
export { replayImport } from './replay.js';
export type { ReplayMismatch, ReplayReport } from './replay.js';

import { importTraceText } from './importer.js';

/** Trace text -> scenario text (what the visualizer opens). Throws TraceError on bad input. */
export function traceToScenario(text: string, name = 'trace'): string {
  return importTraceText(text, name).scenario;
}
