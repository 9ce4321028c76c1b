// What the --json outputs share (docs/cli.md, "JSON output"): every object
// carries `version` (JSON_VERSION, raised when a field changes meaning or
// goes away; new fields do not raise it), and a call's result is given as
// fields, not only as the transcript's text.

import { errnoFromName } from '../abi/errno.js';

/** The version of the --json schemas of run, check, diff and fuzz. */
export const JSON_VERSION = 1;

/**
 * A call's result as fields, read back from the transcript's text after `= `
 * (formatResult, src/scenario/transcript.ts): `-1 ESRCH` gives
 * `{ ok: false, errno: 3, code: 'ESRCH' }`, `2 {exited 0}` gives
 * `{ ok: true, value: 2, status: 'exited 0' }`, `fd` `{ ok: true, fd: true }`,
 * `?` (exit) `{ ok: true, returns: false }`, `<unfinished ...>` `{ ok: true, blocked: true }`.
 */
export type ResultFields =
  | { readonly ok: true; readonly value: number; readonly status?: string; readonly siginfo?: string }
  | { readonly ok: true; readonly fd: true }
  | { readonly ok: true; readonly returns: false }
  | { readonly ok: true; readonly blocked: true }
  | { readonly ok: false; readonly errno: number | null; readonly code: string };

export function resultFields(text: string): ResultFields | null {
  const t = text.trim();
  if (t === 'fd') return { ok: true, fd: true };
  if (t === '?') return { ok: true, returns: false };
  if (t === '<unfinished ...>') return { ok: true, blocked: true };
  const err = /^-1 ([A-Z][A-Z0-9]*)$/.exec(t);
  if (err !== null) return { ok: false, errno: errnoFromName(err[1]!) ?? null, code: err[1]! };
  const m = /^(-?\d+)(?: \{(.*)\})?$/.exec(t);
  if (m === null) return null;
  const value = Number(m[1]);
  const brace = m[2];
  if (brace === undefined) return { ok: true, value };
  // waitid prints 0 and its siginfo; wait4 the pid and what happened to it.
  return brace.startsWith('si_') ? { ok: true, value, siginfo: brace } : { ok: true, value, status: brace };
}
