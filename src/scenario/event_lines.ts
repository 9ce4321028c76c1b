// Event lines written as expectations (language.md, "Events as
// expectations"): `LABEL: +++ ... +++`, `LABEL: --- ... ---` and
// `LABEL: <... CALL resumed> = RESULT` after a call step, in the form the
// transcript prints them (transcript.ts formatEvent). Each is read to that
// canonical text, so the runner compares it with what the step caused as it
// compares `= RESULT`: white space folded.

import { parseSignal, signalName } from '../abi/signal.js';
import type { ExpectedEvent, Pos } from './ast.js';
import { callSpec } from './calls/index.js';
import { Cursor } from './lexer.js';

/** A transcript label: an actor name, or `COMM#REF` for a task without one. */
const LABEL = /^(\s*)([a-z][a-z0-9_]{0,14}(?:#\d+)?)(\s*):(\s*)(\+\+\+|---|<\.\.\.)/;

/** Whether a raw line is an event line (its label may hold a `#` that is not a comment). */
export function isEventLine(raw: string): boolean {
  return LABEL.test(raw);
}

/** An event line with its comment dropped (`#` starts one only after the label), and where its label ends. */
function eventText(raw: string): { text: string; labelEnd: number } {
  const m = LABEL.exec(raw)!;
  const labelEnd = m[1]!.length + m[2]!.length;
  const hash = raw.indexOf('#', labelEnd);
  return { text: (hash < 0 ? raw : raw.slice(0, hash)).trimEnd(), labelEnd };
}

const fold = (s: string): string => s.trim().replace(/\s+/g, ' ');

/**
 * One event line to its label and canonical text; a malformed one throws a
 * ScenarioError at the token at fault.
 */
export function parseEventLine(raw: string, file: string, line: number): ExpectedEvent {
  const { text: kept, labelEnd } = eventText(raw);
  const cur = new Cursor(file, line, kept);
  cur.skipSpace();
  const pos = cur.pos();
  const label = kept.slice(cur.i, labelEnd);
  cur.i = labelEnd;
  cur.skipSpace();
  cur.expect(':', 'after the label');
  cur.skipSpace();
  const textPos = cur.pos();
  const rest = cur.rest();
  const at = (offset: number): Pos => ({ line, col: textPos.col + offset });
  const fail = (message: string, offset = 0): never => cur.fail(message, at(offset));
  let text: string;
  if (rest.startsWith('<...')) text = resumed(rest, fail);
  else text = framed(rest, rest.startsWith('+++') ? '+++' : '---', fail);
  return { label, text, pos };
}

type Fail = (message: string, offset?: number) => never;

/** A signal name (or number) at `offset` of the event text, in its canonical name. */
function signal(word: string, offset: number, fail: Fail): string {
  const sig = parseSignal(word);
  if (sig === undefined || sig < 1) return fail(`expected a signal, got ${word === '' ? 'nothing' : word}`, offset);
  return signalName(sig);
}

/** `<... CALL resumed> = RESULT`. */
function resumed(rest: string, fail: Fail): string {
  const m = /^<\.\.\.(\s*)([A-Za-z_][A-Za-z0-9_]*)?(\s*)(resumed>)?(\s*)(=)?(.*)$/.exec(rest)!;
  const nameAt = 4 + m[1]!.length;
  const name = m[2];
  if (name === undefined) return fail('expected <... CALL resumed> = RESULT', nameAt);
  if (callSpec(name) === undefined) return fail(`unknown call ${name}`, nameAt);
  const after = nameAt + name.length + m[3]!.length;
  if (m[4] === undefined) return fail(`expected resumed> after <... ${name}`, after);
  const eqAt = after + 8 + m[5]!.length;
  if (m[6] === undefined) return fail('expected = RESULT after resumed>', eqAt);
  const result = fold(m[7]!);
  if (result === '') return fail('expected a result after =', eqAt + 1);
  return `<... ${name} resumed> = ${result}`;
}

/** `+++ ... +++` and `--- ... ---`: the ends, then one of the transcript's forms inside. */
function framed(rest: string, mark: '+++' | '---', fail: Fail): string {
  if (rest.length < 6 || !rest.endsWith(mark)) return fail(`expected the line to end with ${mark}`, Array.from(rest).length);
  const inner = rest.slice(3, rest.length - 3);
  const lead = inner.length - inner.trimStart().length;
  const body = inner.trim();
  const base = 3 + lead;
  if (mark === '+++') return `+++ ${endEvent(body, base, fail)} +++`;
  return `--- ${signalEvent(body, base, fail)} ---`;
}

const END_FORMS = 'exited with N, killed by SIG, stopped by SIG, continued, superseded by execve';

function endEvent(body: string, base: number, fail: Fail): string {
  const words = fold(body).split(' ');
  const [w0, w1, w2] = words;
  const argAt = (): number => base + body.lastIndexOf(words[words.length - 1]!);
  if (w0 === 'continued' && words.length === 1) return 'continued';
  if (w0 === 'superseded' && w1 === 'by' && w2 === 'execve' && words.length === 3) return 'superseded by execve';
  if (w0 === 'exited' && w1 === 'with' && words.length === 3) {
    if (!/^-?\d+$/.test(w2!)) return fail(`expected an exit code, got ${w2!}`, argAt());
    return `exited with ${Number(w2)}`;
  }
  if ((w0 === 'killed' || w0 === 'stopped') && w1 === 'by' && words.length === 3) return `${w0} by ${signal(w2!, argAt(), fail)}`;
  return fail(`expected +++ ${END_FORMS.replace(/, /g, ' +++, +++ ')} +++`, base);
}

function signalEvent(body: string, base: number, fail: Fail): string {
  if (fold(body) === 'child_tid cleared, futex woken') return 'child_tid cleared, futex woken';
  const m = /^(\S+)(\s*)(.*)$/.exec(body)!;
  const sig = signal(m[1]!, base, fail);
  const infoAt = base + m[1]!.length + m[2]!.length;
  const info = m[3]!;
  const inner = /^\{(.*)\}$/.exec(info);
  if (inner === null) return fail('expected {si_pid=N, si_code=CODE[, si_status=S]} after the signal', infoAt);
  const shape = '{si_pid=N, si_code=CODE[, si_status=S]}';
  const keys = ['si_pid', 'si_code', 'si_status'];
  const out: string[] = [];
  let offset = infoAt + 1;
  inner[1]!.split(',').forEach((raw, i) => {
    const at = offset + (raw.length - raw.trimStart().length);
    offset += raw.length + 1;
    const f = fold(raw);
    const kv = /^([a-z_]+) ?= ?(\S+)$/.exec(f);
    const key = keys[i];
    if (kv === null || key === undefined || kv[1] !== key) return fail(`expected ${shape}, got ${f === '' ? 'nothing' : f}`, at);
    const v = kv[2]!;
    const number = /^-?\d+$/.test(v);
    if (key === 'si_pid' && !number) return fail(`expected si_pid=N, got ${f}`, at);
    // si_status is a number for CLD_EXITED and a signal otherwise (transcript.md); si_code as the transcript names it.
    out.push(`${key}=${number ? String(Number(v)) : key === 'si_status' ? signal(v, at + raw.trimStart().lastIndexOf(v), fail) : v}`);
  });
  if (out.length < 2) return fail(`expected ${shape}`, infoAt);
  return `${sig} {${out.join(', ')}}`;
}
