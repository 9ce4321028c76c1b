// The scenario language v1 (SCENARIO.md): text to a Script. One step a line,
// so the parser works line by line with a small cursor; every malformed input
// throws a ScenarioError at the 1-based line and column (in characters) of
// the token at fault. Names of actors are only checked for form here: which
// names exist is known at run time, and the runner checks it.

import { constantIn, familiesOf, familyDescription, type ConstantFamily } from '../abi/constants.js';
import {
  NS_FILE_TYPES,
  ScenarioError,
  type Call,
  type CallStep,
  type FdArg,
  type FlagTerm,
  type FlagsArg,
  type IntArg,
  type ParsedArg,
  type PidArg,
  type SiginfoArg,
  type Pos,
  type Script,
  type Step,
  type View,
  type ViewStep,
} from './ast.js';
import { allCalls, callSpec } from './calls/index.js';
import type { ArgKind, CallSpec, ParamSpec, WrittenShape } from './calls/spec.js';
import { Cursor, isName, isWordStart, parseArgList, type RawArg } from './lexer.js';
import { isEventLine, parseEventLine } from './event_lines.js';

export { isName } from './lexer.js';

/** What a call looks like, for messages about its arguments: `kill(PID, SIG)`, `clone3(flags=FLAGS, ...)`. */
export function callSignature(spec: CallSpec): string {
  const shape = (p: ParamSpec): string => {
    const k = typeof p.kind === 'function' ? undefined : p.kind;
    if (k?.kind === 'list') return '[N, ...]';
    if (k?.kind === 'word' && k.words.length <= 3) return k.words.join('|');
    return p.name.toUpperCase();
  };
  if (spec.keywords === true) return `${spec.name}(${spec.params.map((p) => `${p.name}=${shape(p)}`).join(', ')})`;
  let text = '';
  spec.params.forEach((p, i) => {
    const sep = i === 0 ? '' : ', ';
    text += p.optional === true ? `[${sep}${shape(p)}]` : `${sep}${shape(p)}`;
  });
  return `${spec.name}(${text})`;
}


// ---------------------------------------------------- argument kinds by call

class ArgReader {
  constructor(
    readonly cur: Cursor,
    readonly spec: CallSpec,
    readonly args: readonly RawArg[],
    readonly close: Pos,
  ) {}

  int(a: RawArg, what: string): IntArg {
    if (a.kind === 'terms' && a.terms.length === 1 && a.terms[0]!.kind === 'int') return a.terms[0]!;
    return this.cur.fail(`expected ${what} (a number)`, a.pos);
  }

  pid(a: RawArg): PidArg {
    if (a.kind === 'ref') return a.ref;
    if (a.kind === 'terms' && a.terms.length === 1 && a.terms[0]!.kind === 'int') return a.terms[0]!;
    return this.cur.fail('expected a pid: a number, $name, -$name or $name@other', a.pos);
  }

  fd(a: RawArg): FdArg {
    if (a.kind === 'terms' && a.terms.length === 1) {
      const t = a.terms[0]!;
      if (t.kind === 'int') return t;
      if (isName(t.text)) return { kind: 'fdname', name: t.text, pos: t.pos };
    }
    return this.cur.fail(`expected an fd: a name from ${joinOr(allCalls().filter((c) => c.creates === 'fd').map((c) => `${c.name}(...)`))} -> NAME, or a number`, a.pos);
  }

  /** Constants of one family and numbers, combined with `|` (only one term when `single`). */
  flags(a: RawArg, family: ConstantFamily, single: boolean): FlagsArg {
    if (a.kind !== 'terms') return this.cur.fail(`expected ${familyDescription[family]}`, a.pos);
    if (single && a.terms.length > 1) this.cur.fail(`expected ${familyDescription[family]}, not a combination`, a.terms[1]!.pos);
    const terms: FlagTerm[] = a.terms.map((t) => {
      if (t.kind === 'int') return t;
      const value = constantIn(family, t.text);
      if (value === undefined) {
        const elsewhere = familiesOf(t.text);
        if (elsewhere.length === 0) return this.cur.fail(`unknown constant ${t.text}`, t.pos);
        return this.cur.fail(`expected ${familyDescription[family]}, got ${t.text}`, t.pos);
      }
      return { kind: 'const', name: t.text, value, pos: t.pos };
    });
    return { kind: 'flags', terms, value: orValues(terms), pos: a.pos };
  }

  word(a: RawArg, allowed: readonly string[], what: string): ParsedArg {
    if (a.kind === 'terms' && a.terms.length === 1) {
      const t = a.terms[0]!;
      if (t.kind === 'word' && allowed.includes(t.text)) return { kind: 'word', text: t.text, pos: t.pos };
    }
    return this.cur.fail(`expected ${what}`, a.pos);
  }

  nsFile(a: RawArg): ParsedArg {
    if (a.kind === 'fn') {
      if (a.fn !== 'ns' && a.fn !== 'ns_for_children') return this.cur.fail(`expected ns(NAME) or ns_for_children(NAME), got ${a.fn}(...)`, a.pos);
      const second = a.second;
      if (second === undefined) return { kind: a.fn, actor: a.arg, pos: a.argPos };
      const type = NS_FILE_TYPES.find((t) => t === second.text);
      if (type === undefined) return this.cur.fail(`expected a namespace type (${NS_FILE_TYPES.join(', ')}), got ${second.text}`, second.pos);
      // /proc/PID/ns has time_for_children and pid_for_children only.
      if (a.fn === 'ns_for_children' && type !== 'time') return this.cur.fail(`there is no ${type}_for_children: ns_for_children(NAME) or ns_for_children(NAME, time)`, second.pos);
      return { kind: a.fn, actor: a.arg, pos: a.argPos, type };
    }
    return this.fd(a);
  }

  /** One argument of the kind its parameter asks for. */
  read(kind: ArgKind, a: RawArg, keyword?: string): ParsedArg {
    switch (kind.kind) {
      case 'int':
        return this.int(a, kind.what);
      case 'pid':
        return this.pid(a);
      case 'fd':
        return this.fd(a);
      case 'flags':
        if (kind.nullable === true && isNullWord(a)) return { kind: 'word', text: 'NULL', pos: a.pos };
        return this.flags(a, kind.family, false);
      case 'siginfo':
        return this.siginfo(a);
      case 'const':
        return this.flags(a, kind.family, true);
      case 'list':
        if (a.kind === 'list') return { kind: 'list', items: a.items, pos: a.pos };
        return this.cur.fail(`expected a list: ${keyword === undefined ? '' : `${keyword}=`}[N, ...]`, a.pos);
      case 'word':
        return this.word(a, kind.words, kind.what);
      case 'nsfile':
        return this.nsFile(a);
    }
  }

  /** `{si_code=CODE, si_value=N, si_pid=N, si_signo=SIG}` (any order, each once, si_code required), or NULL. */
  siginfo(a: RawArg): ParsedArg {
    if (isNullWord(a)) return { kind: 'word', text: 'NULL', pos: a.pos };
    const shape = '{si_code=CODE[, si_value=N][, si_pid=N][, si_signo=SIG]} or NULL';
    if (a.kind !== 'struct') return this.cur.fail(`expected a siginfo: ${shape}`, a.pos);
    const fields: SiginfoArg['fields'][number][] = [];
    for (const f of a.fields) {
      if (f.kind !== 'kw') return this.cur.fail(`expected KEY=VALUE in ${shape}`, f.pos);
      const key = SIGINFO_KEYS.find((k) => k === f.key);
      if (key === undefined) return this.cur.fail(`unknown siginfo field ${f.key} (${SIGINFO_KEYS.join(', ')})`, f.pos);
      if (fields.some((x) => x.key === key)) this.cur.fail(`siginfo field ${key} given twice`, f.pos);
      const value = key === 'si_signo' ? this.flags(f.value, 'signal', true) : key === 'si_code' ? this.flags(f.value, 'sicode', true) : this.int(f.value, key);
      fields.push({ key, value, pos: f.pos });
    }
    if (!fields.some((x) => x.key === 'si_code')) this.cur.fail(`a siginfo needs si_code: ${shape}`, a.pos);
    return { kind: 'siginfo', fields, pos: a.pos };
  }

  kindOf(p: ParamSpec, earlier: readonly (ParsedArg | undefined)[], raw: RawArg | undefined): ArgKind {
    return typeof p.kind === 'function' ? p.kind(earlier, writtenShape(raw)) : p.kind;
  }

  /** Positional arguments: between the required count and all of them, none KEY=VALUE. */
  positional(): Call {
    const spec = this.spec;
    // The signature is for messages only: written when one is.
    const sig = (): string => callSignature(spec);
    const params = spec.params;
    const min = params.filter((p) => p.optional !== true).length;
    for (const a of this.args) if (a.kind === 'kw') this.cur.fail(`${a.key}=... is not an argument of ${sig()}`, a.pos);
    const extra = this.args[params.length];
    if (extra !== undefined) this.cur.fail(params.length === 0 ? `${spec.name} takes no arguments` : `too many arguments: ${sig()}`, extra.pos);
    if (this.args.length < min) this.cur.fail(`missing argument: ${sig()}`, this.close);
    const out: (ParsedArg | undefined)[] = [];
    params.forEach((p, i) => {
      const raw = this.args[i];
      out.push(raw === undefined ? undefined : this.read(this.kindOf(p, out, raw), raw));
    });
    return { name: spec.name, args: out };
  }

  /** KEY=VALUE arguments (clone3): each key once, in any order. */
  keywords(): Call {
    const spec = this.spec;
    const names = spec.params.map((p) => p.name);
    const out: (ParsedArg | undefined)[] = spec.params.map(() => undefined);
    const keys: number[] = [];
    for (const a of this.args) {
      if (a.kind !== 'kw') return this.cur.fail(`${spec.name} takes KEY=VALUE arguments: ${names.map((n) => `${n}=`).join(', ')}`, a.pos);
      const i = names.indexOf(a.key);
      if (i < 0) return this.cur.fail(`unknown ${spec.name} key ${a.key} (${names.join(', ')})`, a.pos);
      if (keys.includes(i)) this.cur.fail(`${spec.name} key ${a.key} given twice`, a.pos);
      keys.push(i);
      out[i] = this.read(this.kindOf(spec.params[i]!, out, a.value), a.value, a.key);
    }
    return { name: spec.name, args: out, keys };
  }
}

const SIGINFO_KEYS = ['si_signo', 'si_code', 'si_pid', 'si_value'] as const;

const isNullWord = (a: RawArg): boolean => a.kind === 'terms' && a.terms.length === 1 && a.terms[0]!.kind === 'word' && a.terms[0]!.text === 'NULL';

/** What a raw argument looks like, for parameters whose kind depends on it. */
function writtenShape(a: RawArg | undefined): WrittenShape {
  if (a === undefined) return 'other';
  if (a.kind === 'struct') return 'braces';
  if (isNullWord(a)) return 'null';
  if (a.kind === 'terms' && a.terms.length === 1) return a.terms[0]!.kind === 'int' ? 'number' : 'word';
  return 'other';
}

/** `a, b or c`. */
function joinOr(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]!}`;
}

/** The OR of the terms; BigInt because flags pass 2^31 (CLONE_IO, __WCLONE) and even 2^32. */
function orValues(terms: readonly FlagTerm[]): number {
  // Most sets (signals 1..31, small flags) fit in 31 bits, where a number's OR is the same.
  let small = 0;
  for (const t of terms) {
    const v = t.value;
    if (!(v >= 0 && v <= 0x7fffffff && Number.isInteger(v))) return Number(terms.reduce((acc, x) => acc | BigInt(x.value), 0n));
    small |= v;
  }
  return small;
}

// ------------------------------------------------------------------- lines

function parseCallStep(cur: Cursor, actor: { text: string; pos: Pos }): CallStep {
  cur.expect(':', 'after the actor name');
  const callWord = cur.word();
  if (callWord === undefined) return cur.fail(`expected a call, got ${cur.describeNext()}`);
  const spec = callSpec(callWord.text);
  if (spec === undefined) return cur.fail(`unknown call ${callWord.text}`, callWord.pos);
  const { args, close } = parseArgList(cur, callWord.text);
  const reader = new ArgReader(cur, spec, args, close);
  const call = spec.keywords === true ? reader.keywords() : reader.positional();
  let bind: string | undefined;
  let bindPos: Pos | undefined;
  let bindPidfd: string | undefined;
  let bindPidfdPos: Pos | undefined;
  cur.skipSpace();
  const arrow = cur.pos();
  if (cur.eat('->')) {
    if (spec.creates === undefined) {
      cur.fail(`${call.name} creates nothing to name: -> NAME follows ${joinOr(allCalls().filter((c) => c.creates !== undefined).map((c) => c.name))}`, arrow);
    }
    const n = cur.name('name');
    bind = n.text;
    bindPos = n.pos;
    cur.skipSpace();
    if (cur.eat(',')) {
      cur.skipSpace();
      const key = cur.pos();
      const word = cur.word();
      if (word?.text !== 'pidfd' || spec.namesPidfd !== true) cur.fail(`expected pidfd=NAME after -> ${bind},`, key);
      cur.skipSpace();
      cur.expect('=', 'after pidfd');
      cur.skipSpace();
      const fd = cur.name('fd name');
      if (!cloneFlagsOf(call).includes('CLONE_PIDFD')) cur.fail('pidfd=NAME names the fd of CLONE_PIDFD: add it to the flags', key);
      bindPidfd = fd.text;
      bindPidfdPos = fd.pos;
    }
  }
  let expect: string | undefined;
  cur.skipSpace();
  const eq = cur.pos();
  if (cur.eat('=')) {
    expect = cur.rest().trim();
    if (expect === '') cur.fail('expected a result after =', eq);
    cur.i = cur.text.length;
  }
  if (!cur.atEnd()) cur.fail(`unexpected ${cur.describeNext()} after the step`);
  const step: CallStep = { kind: 'call', actor: actor.text, call, bind, expect, pos: actor.pos, callPos: callWord.pos, bindPos };
  return bindPidfd === undefined || bindPidfdPos === undefined ? step : { ...step, bindPidfd, bindPidfdPos };
}

/** The constant names of a call's first flags argument (clone's FLAGS, clone3's flags=). */
function cloneFlagsOf(call: Call): string[] {
  const flags = call.args[0];
  return flags?.kind === 'flags' ? flags.terms.flatMap((t) => (t.kind === 'const' ? [t.name] : [])) : [];
}

const VIEW_KINDS = ['ps', 'threads', 'status', 'ns', 'tree', 'namespaces', 'jobs'] as const;

function parseView(cur: Cursor): Omit<ViewStep, 'expect'> {
  cur.skipSpace();
  const at = cur.pos();
  cur.i++; // '@'
  const kindWord = isWordStart(cur.peek()) ? cur.word() : undefined;
  const kind = VIEW_KINDS.find((k) => k === kindWord?.text);
  if (kind === undefined) return cur.fail(`unknown view @${kindWord?.text ?? ''} (@ps, @threads, @status, @ns, @tree, @namespaces, @jobs)`, at);
  const withTarget = kind === 'threads' || kind === 'status';
  const usage = withTarget ? `@${kind} ACTOR TARGET` : `@${kind} ACTOR`;
  if (cur.atEnd()) cur.fail(`missing actor: ${usage}`);
  const actor = cur.name('actor name');
  let view: View;
  if (withTarget) {
    if (cur.atEnd()) cur.fail(`missing target: ${usage}`);
    const target = cur.name('actor name');
    view = { kind, actor: actor.text, target: target.text, targetPos: target.pos };
  } else {
    view = { kind, actor: actor.text };
  }
  if (!cur.atEnd()) cur.fail(`unexpected ${cur.describeNext()}: ${usage}`);
  return { kind: 'view', view, pos: at, actorPos: actor.pos };
}

interface OpenBlock {
  readonly steps: Step[];
  /** Undefined for the file's top level. */
  readonly repeat: { readonly count: number; readonly pos: Pos } | undefined;
}

/** A line up to its comment, trailing blanks dropped. */
function lineText(line: string): string {
  const hash = line.indexOf('#');
  return (hash < 0 ? line : line.slice(0, hash)).trimEnd();
}

/**
 * How deep `repeat` blocks may nest. The runner, formatter and transcript walk
 * a body by recursion, so depth costs stack; no story needs more than a few.
 */
export const MAX_REPEAT_DEPTH = 64;

export function parseScenario(text: string, file: string): Script {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const stack: OpenBlock[] = [{ steps: [], repeat: undefined }];
  // The view whose `|` lines are being read: blank and comment lines do not end it (they are ignored).
  let view: { step: Omit<ViewStep, 'expect'>; lines: string[] | undefined; block: Step[] } | undefined;
  const endView = (): void => {
    if (view !== undefined) view.block.push({ ...view.step, expect: view.lines });
    view = undefined;
  };

  lines.forEach((raw, index) => {
    if (isEventLine(raw)) {
      endView();
      const top = stack[stack.length - 1]!;
      const ev = parseEventLine(raw, file, index + 1);
      const last = top.steps[top.steps.length - 1];
      if (last?.kind !== 'call') throw new ScenarioError(file, ev.pos, 'an event line follows the call step that caused it (here there is none in this block)');
      top.steps[top.steps.length - 1] = { ...last, events: [...(last.events ?? []), ev] };
      return;
    }
    const cur: Cursor = new Cursor(file, index + 1, lineText(raw));
    if (cur.atEnd()) return;
    const c = cur.peek();
    const top = stack[stack.length - 1]!;

    if (c === '|') {
      if (view === undefined) cur.fail("'|' line outside a view's output: it must follow @ps, @threads, @status, @ns or @tree");
      // One space after `|` belongs to the syntax; comparison folds white space anyway.
      const rest = cur.text.slice(cur.i + 1);
      (view.lines ??= []).push(rest.startsWith(' ') ? rest.slice(1) : rest);
      return;
    }
    endView();

    if (c === '@') {
      view = { step: parseView(cur), lines: undefined, block: top.steps };
      return;
    }
    if (c === '}') {
      const closed = top.repeat;
      if (closed === undefined) cur.fail('} without a matching repeat');
      cur.i++;
      if (!cur.atEnd()) cur.fail(`unexpected ${cur.describeNext()} after }`);
      stack.pop();
      stack[stack.length - 1]!.steps.push({ kind: 'repeat', count: closed.count, body: top.steps, pos: closed.pos });
      return;
    }
    const word = cur.word();
    if (word === undefined) cur.fail(`expected a step (ACTOR: CALL(...), @view, repeat N {, }), got ${cur.describeNext()}`);
    cur.skipSpace();
    if (word.text === 'repeat' && cur.peek() !== ':') {
      const count = cur.int();
      if (count.value < 1) cur.fail('repeat count must be at least 1', count.pos);
      cur.expect('{', 'after the repeat count');
      if (!cur.atEnd()) cur.fail(`unexpected ${cur.describeNext()} after {: the body starts on the next line`);
      // stack[0] is the top level, so stack.length - 1 repeats are open here.
      if (stack.length > MAX_REPEAT_DEPTH) cur.fail(`repeat nested more than ${MAX_REPEAT_DEPTH} deep`, word.pos);
      stack.push({ steps: [], repeat: { count: count.value, pos: word.pos } });
      return;
    }
    if (!isName(word.text)) cur.fail(`bad actor name '${word.text}': names are [a-z][a-z0-9_]{0,14}`, word.pos);
    top.steps.push(parseCallStep(cur, word));
  });
  endView();

  const unclosed = stack[stack.length - 1]!.repeat;
  if (unclosed !== undefined) throw new ScenarioError(file, unclosed.pos, 'repeat without a closing }');
  return { file, steps: stack[0]!.steps };
}
