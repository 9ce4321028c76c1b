// The scenario language v1 (SCENARIO.md): text to a Script. One step a line,
// so the parser works line by line with a small cursor; every malformed input
// throws a ScenarioError at the 1-based line and column (in characters) of
// the token at fault. Names of actors are only checked for form here: which
// names exist is known at run time, and the runner checks it.

import { constantIn, familiesOf, familyDescription, type ConstantFamily } from '../abi/constants.js';
import { IdType } from '../abi/wait.js';
import {
  ScenarioError,
  type Call,
  type CallName,
  type CallStep,
  type FdArg,
  type FlagTerm,
  type FlagsArg,
  type IntArg,
  type NsTarget,
  type PidArg,
  type Pos,
  type RefArg,
  type Script,
  type SignalDisposition,
  type Step,
  type SysctlKey,
  type View,
  type ViewStep,
} from './ast.js';

/** `[a-z][a-z0-9_]{0,14}`: at most 15 bytes, the kernel's comm length. */
const NAME_RE = /^[a-z][a-z0-9_]{0,14}$/;

export function isName(text: string): boolean {
  return NAME_RE.test(text);
}

/** What each call looks like, for messages about its arguments. */
export const callSignatures = {
  fork: 'fork()',
  clone: 'clone(FLAGS)',
  clone3: 'clone3(flags=FLAGS, set_tid=[N, ...], exit_signal=SIG)',
  unshare: 'unshare(FLAGS)',
  setns: 'setns(TARGET, FLAGS)',
  exit: 'exit(CODE)',
  exit_group: 'exit_group(CODE)',
  execve: 'execve()',
  wait4: 'wait4(PID, OPTIONS)',
  waitid: 'waitid(IDTYPE, ID, OPTIONS)',
  kill: 'kill(PID, SIG)',
  tgkill: 'tgkill(TGID, TID, SIG)',
  pidfd_send_signal: 'pidfd_send_signal(FD, SIG)',
  signal: 'signal(SIG, SIG_DFL|SIG_IGN|catch)',
  getpid: 'getpid()',
  getppid: 'getppid()',
  gettid: 'gettid()',
  getpgrp: 'getpgrp()',
  setsid: 'setsid()',
  getpgid: 'getpgid(PID)',
  getsid: 'getsid(PID)',
  setpgid: 'setpgid(PID, PGID)',
  prctl: 'prctl(OPTION[, ARG])',
  pidfd_open: 'pidfd_open(PID, FLAGS)',
  close: 'close(FD)',
  sysctl: 'sysctl(KEY[, VALUE])',
  setuid: 'setuid(UID)',
} satisfies Record<CallName, string>;

function isCallName(name: string): name is CallName {
  return Object.hasOwn(callSignatures, name);
}

/** The calls whose result `-> NAME` may name. */
const CREATES: ReadonlySet<CallName> = new Set<CallName>(['fork', 'clone', 'clone3', 'pidfd_open']);

const SYSCTL_KEYS: readonly SysctlKey[] = ['kernel.pid_max', 'kernel.ns_last_pid'];
const DISPOSITIONS: readonly SignalDisposition[] = ['SIG_DFL', 'SIG_IGN', 'catch'];

/**
 * Clone flags that take a pointer or suspend the caller: a scenario has no way
 * to pass the pointer, and a vfork parent would block until the child execs.
 */
const UNSUPPORTED_CLONE_FLAGS: ReadonlySet<string> = new Set([
  'CLONE_VFORK',
  'CLONE_SETTLS',
  'CLONE_PARENT_SETTID',
  'CLONE_CHILD_SETTID',
  'CLONE_CHILD_CLEARTID',
  'CLONE_PIDFD',
]);

/** An argument as written, before the call says what kind it must be. */
type RawArg =
  | { readonly kind: 'terms'; readonly terms: readonly RawTerm[]; readonly pos: Pos }
  | { readonly kind: 'ref'; readonly ref: RefArg; readonly pos: Pos }
  | { readonly kind: 'fn'; readonly fn: string; readonly arg: string; readonly argPos: Pos; readonly pos: Pos }
  | { readonly kind: 'list'; readonly items: readonly IntArg[]; readonly pos: Pos }
  | { readonly kind: 'kw'; readonly key: string; readonly value: RawArg; readonly pos: Pos };

type RawTerm = { readonly kind: 'word'; readonly text: string; readonly pos: Pos } | IntArg;

const isWordStart = (c: string | undefined): boolean => c !== undefined && /[A-Za-z_]/.test(c);
const isWordChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_.]/.test(c);
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** The longest word (name, call, constant, sysctl key) the language has, with room to spare. */
const MAX_WORD = 64;
/** The longest message a parse error carries. */
const MAX_MESSAGE = 300;

/** A cursor over one line, counted in characters (code points), comment removed. */
class Cursor {
  i = 0;
  constructor(
    readonly file: string,
    readonly line: number,
    readonly chars: readonly string[],
  ) {}

  pos(i: number = this.i): Pos {
    return { line: this.line, col: i + 1 };
  }

  peek(k = 0): string | undefined {
    return this.chars[this.i + k];
  }

  skipSpace(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.i++;
  }

  atEnd(): boolean {
    this.skipSpace();
    return this.i >= this.chars.length;
  }

  fail(message: string, pos: Pos = this.pos()): never {
    // A message quotes the input: a huge token must not make a huge line.
    throw new ScenarioError(this.file, pos, message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}...` : message);
  }

  /** The next token's text, for messages: a word, a number, one character, or "end of line". */
  describeNext(): string {
    this.skipSpace();
    const c = this.peek();
    if (c === undefined) return 'end of line';
    let j = this.i;
    if (isWordChar(c)) while (isWordChar(this.chars[j])) j++;
    else j++;
    const text = this.chars.slice(this.i, Math.min(j, this.i + MAX_WORD)).join('');
    return `'${text}${j - this.i > MAX_WORD ? '...' : ''}'`;
  }

  eat(s: string): boolean {
    this.skipSpace();
    for (let k = 0; k < s.length; k++) if (this.peek(k) !== s[k]) return false;
    this.i += s.length;
    return true;
  }

  expect(s: string, context: string): void {
    if (!this.eat(s)) this.fail(`expected '${s}' ${context}, got ${this.describeNext()}`);
  }

  /** `[A-Za-z_][A-Za-z0-9_.]*` (dots for sysctl keys), or undefined. */
  word(): { text: string; pos: Pos } | undefined {
    this.skipSpace();
    if (!isWordStart(this.peek())) return undefined;
    const start = this.i;
    while (isWordChar(this.peek())) this.i++;
    if (this.i - start > MAX_WORD) this.fail(`a word of ${this.i - start} characters: names, calls and constants have at most ${MAX_WORD}`, this.pos(start));
    return { text: this.chars.slice(start, this.i).join(''), pos: this.pos(start) };
  }

  /** A name of the `[a-z][a-z0-9_]{0,14}` form; `what` says what it names. */
  name(what: string): { text: string; pos: Pos } {
    const w = this.word();
    if (w === undefined) this.fail(`expected ${what}, got ${this.describeNext()}`);
    if (!isName(w.text)) this.fail(`bad ${what} '${w.text}': names are [a-z][a-z0-9_]{0,14}`, w.pos);
    return w;
  }

  /** A decimal integer, maybe negative. */
  int(): IntArg {
    this.skipSpace();
    const start = this.i;
    if (this.peek() === '-') this.i++;
    if (!isDigit(this.peek())) this.fail(`expected a number, got ${this.describeNext()}`, this.pos(start));
    while (isDigit(this.peek())) this.i++;
    if (isWordChar(this.peek())) {
      while (isWordChar(this.peek())) this.i++;
      this.fail(`bad number '${this.chars.slice(start, this.i).join('')}'`, this.pos(start));
    }
    const value = Number(this.chars.slice(start, this.i).join(''));
    if (!Number.isSafeInteger(value)) this.fail('number out of range', this.pos(start));
    // -0 is written 0 everywhere else; keep one zero.
    return { kind: 'int', value: value === 0 ? 0 : value, pos: this.pos(start) };
  }
}

// ---------------------------------------------------------------- arguments

function parseRef(cur: Cursor): RawArg {
  cur.skipSpace();
  const start = cur.pos();
  const negate = cur.peek() === '-';
  if (negate) cur.i++;
  cur.i++; // '$'
  if (!isWordStart(cur.peek())) cur.fail(`expected an actor name after '$', got ${cur.describeNext()}`);
  const actor = cur.name('actor name');
  let from: { text: string; pos: Pos } | undefined;
  if (cur.peek() === '@') {
    cur.i++;
    if (!isWordStart(cur.peek())) cur.fail(`expected an actor name after '@', got ${cur.describeNext()}`);
    from = cur.name('actor name');
  }
  const ref: RefArg =
    from === undefined
      ? { kind: 'ref', actor: actor.text, negate, from: undefined, pos: start }
      : { kind: 'ref', actor: actor.text, negate, from: from.text, pos: start, fromPos: from.pos };
  return { kind: 'ref', ref, pos: start };
}

function parseTerm(cur: Cursor): RawTerm {
  cur.skipSpace();
  const c = cur.peek();
  if (isDigit(c) || (c === '-' && isDigit(cur.peek(1)))) return cur.int();
  const w = cur.word();
  if (w === undefined) cur.fail(`expected a constant or a number, got ${cur.describeNext()}`);
  return { kind: 'word', text: w.text, pos: w.pos };
}

function parseTerms(cur: Cursor, first: RawTerm): RawArg {
  const terms: RawTerm[] = [first];
  while (cur.eat('|')) terms.push(parseTerm(cur));
  return { kind: 'terms', terms, pos: first.pos };
}

function parseArg(cur: Cursor, allowKeyword: boolean): RawArg {
  cur.skipSpace();
  const start = cur.pos();
  const c = cur.peek();
  if (c === '$' || (c === '-' && cur.peek(1) === '$')) return parseRef(cur);
  if (c === '[') {
    cur.i++;
    const items: IntArg[] = [];
    if (!cur.eat(']')) {
      do items.push(cur.int());
      while (cur.eat(','));
      cur.expect(']', 'to close the list');
    }
    return { kind: 'list', items, pos: start };
  }
  if (isDigit(c) || (c === '-' && isDigit(cur.peek(1)))) return parseTerms(cur, cur.int());
  const w = cur.word();
  if (w === undefined) return cur.fail(`expected an argument, got ${cur.describeNext()}`);
  if (cur.eat('(')) {
    const arg = cur.name('actor name');
    cur.expect(')', `to close ${w.text}(`);
    return { kind: 'fn', fn: w.text, arg: arg.text, argPos: arg.pos, pos: start };
  }
  if (allowKeyword && cur.eat('=')) {
    return { kind: 'kw', key: w.text, value: parseArg(cur, false), pos: start };
  }
  return parseTerms(cur, { kind: 'word', text: w.text, pos: w.pos });
}

/** `(ARG, ...)`: the raw arguments and where `)` is. */
function parseArgList(cur: Cursor, call: string): { args: RawArg[]; close: Pos } {
  cur.expect('(', `after ${call}`);
  const args: RawArg[] = [];
  if (cur.eat(')')) return { args, close: cur.pos(cur.i - 1) };
  for (;;) {
    args.push(parseArg(cur, true));
    if (cur.eat(',')) continue;
    cur.skipSpace();
    const close = cur.pos();
    cur.expect(')', 'or \',\' in the argument list');
    return { args, close };
  }
}

// ---------------------------------------------------- argument kinds by call

class ArgReader {
  constructor(
    readonly cur: Cursor,
    readonly call: CallName,
    readonly args: readonly RawArg[],
    readonly close: Pos,
  ) {}

  /** Checks the count: between min and max arguments, none of them KEY=VALUE. */
  count(min: number, max: number = min): void {
    const sig = callSignatures[this.call];
    for (const a of this.args) if (a.kind === 'kw') this.cur.fail(`${a.key}=... is not an argument of ${sig}`, a.pos);
    const extra = this.args[max];
    if (extra !== undefined) this.cur.fail(max === 0 ? `${this.call} takes no arguments` : `too many arguments: ${sig}`, extra.pos);
    if (this.args.length < min) this.cur.fail(`missing argument: ${sig}`, this.close);
  }

  at(i: number): RawArg {
    return this.args[i]!;
  }

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
    return this.cur.fail('expected an fd: a name from pidfd_open(...) -> NAME, or a number', a.pos);
  }

  /** Constants of one family and numbers, combined with `|` (only one term when `single`). */
  flags(a: RawArg, family: ConstantFamily, single = false): FlagsArg {
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
      if (family === 'clone' && UNSUPPORTED_CLONE_FLAGS.has(t.text)) {
        return this.cur.fail(`${t.text} is not supported in scenarios (it needs a pointer or blocks the caller)`, t.pos);
      }
      return { kind: 'const', name: t.text, value, pos: t.pos };
    });
    return { kind: 'flags', terms, value: orValues(terms), pos: a.pos };
  }

  word<T extends string>(a: RawArg, allowed: readonly T[], what: string): T {
    if (a.kind === 'terms' && a.terms.length === 1) {
      const t = a.terms[0]!;
      const found = allowed.find((x) => t.kind === 'word' && x === t.text);
      if (found !== undefined) return found;
    }
    return this.cur.fail(`expected ${what}`, a.pos);
  }

  nsTarget(a: RawArg): NsTarget {
    if (a.kind === 'fn') {
      if (a.fn !== 'ns' && a.fn !== 'ns_for_children') return this.cur.fail(`expected ns(NAME) or ns_for_children(NAME), got ${a.fn}(...)`, a.pos);
      return { kind: a.fn, actor: a.arg, pos: a.argPos };
    }
    return { kind: 'fd', fd: this.fd(a) };
  }
}

/** The OR of the terms; BigInt because flags pass 2^31 (CLONE_IO, __WCLONE) and even 2^32. */
function orValues(terms: readonly FlagTerm[]): number {
  return Number(terms.reduce((acc, t) => acc | BigInt(t.value), 0n));
}

function clone3Call(r: ArgReader): Call {
  const keys: ('flags' | 'set_tid' | 'exit_signal')[] = [];
  let flags: FlagsArg | undefined;
  let setTid: readonly IntArg[] | undefined;
  let exitSignal: FlagsArg | undefined;
  for (const a of r.args) {
    if (a.kind !== 'kw') return r.cur.fail('clone3 takes KEY=VALUE arguments: flags=, set_tid=, exit_signal=', a.pos);
    if (a.key !== 'flags' && a.key !== 'set_tid' && a.key !== 'exit_signal') {
      return r.cur.fail(`unknown clone3 key ${a.key} (flags, set_tid, exit_signal)`, a.pos);
    }
    if (keys.includes(a.key)) r.cur.fail(`clone3 key ${a.key} given twice`, a.pos);
    keys.push(a.key);
    if (a.key === 'flags') flags = r.flags(a.value, 'clone');
    else if (a.key === 'exit_signal') exitSignal = r.flags(a.value, 'signal', true);
    else if (a.value.kind === 'list') setTid = a.value.items;
    else r.cur.fail('expected a list: set_tid=[N, ...]', a.value.pos);
  }
  return { name: 'clone3', keys, flags, setTid, exitSignal };
}

function buildCall(r: ArgReader): Call {
  const name = r.call;
  switch (name) {
    case 'fork':
    case 'execve':
    case 'getpid':
    case 'getppid':
    case 'gettid':
    case 'getpgrp':
    case 'setsid':
      r.count(0);
      return { name };
    case 'clone':
    case 'unshare':
      r.count(1);
      return { name, flags: r.flags(r.at(0), 'clone') };
    case 'clone3':
      return clone3Call(r);
    case 'setns':
      r.count(2);
      return { name, target: r.nsTarget(r.at(0)), flags: r.flags(r.at(1), 'clone') };
    case 'exit':
    case 'exit_group':
      r.count(1);
      return { name, code: r.int(r.at(0), 'an exit code') };
    case 'wait4':
      r.count(2);
      return { name, pid: r.pid(r.at(0)), options: r.flags(r.at(1), 'wait') };
    case 'waitid': {
      r.count(3);
      const idtype = r.flags(r.at(0), 'idtype', true);
      // P_PIDFD's id is an fd, every other id type's a pid.
      const id = idtype.value === (IdType.P_PIDFD as number) ? r.fd(r.at(1)) : r.pid(r.at(1));
      return { name, idtype, id, options: r.flags(r.at(2), 'wait') };
    }
    case 'kill':
      r.count(2);
      return { name, pid: r.pid(r.at(0)), sig: r.flags(r.at(1), 'signal', true) };
    case 'tgkill':
      r.count(3);
      return { name, tgid: r.pid(r.at(0)), tid: r.pid(r.at(1)), sig: r.flags(r.at(2), 'signal', true) };
    case 'pidfd_send_signal':
      r.count(2);
      return { name, fd: r.fd(r.at(0)), sig: r.flags(r.at(1), 'signal', true) };
    case 'signal':
      r.count(2);
      return { name, sig: r.flags(r.at(0), 'signal', true), disposition: r.word(r.at(1), DISPOSITIONS, 'SIG_DFL, SIG_IGN or catch') };
    case 'getpgid':
    case 'getsid':
      r.count(1);
      return { name, pid: r.pid(r.at(0)) };
    case 'setpgid':
      r.count(2);
      return { name, pid: r.pid(r.at(0)), pgid: r.pid(r.at(1)) };
    case 'prctl':
      r.count(1, 2);
      return { name, option: r.flags(r.at(0), 'prctl', true), arg: r.args.length > 1 ? r.int(r.at(1), "prctl's argument") : undefined };
    case 'pidfd_open':
      r.count(2);
      return { name, pid: r.pid(r.at(0)), flags: r.flags(r.at(1), 'pidfd') };
    case 'close':
      r.count(1);
      return { name, fd: r.fd(r.at(0)) };
    case 'sysctl':
      r.count(1, 2);
      return {
        name,
        key: r.word(r.at(0), SYSCTL_KEYS, 'kernel.pid_max or kernel.ns_last_pid'),
        value: r.args.length > 1 ? r.int(r.at(1), 'a value') : undefined,
      };
    case 'setuid':
      r.count(1);
      return { name, uid: r.int(r.at(0), 'a uid') };
  }
}

// ------------------------------------------------------------------- lines

function parseCallStep(cur: Cursor, actor: { text: string; pos: Pos }): CallStep {
  cur.expect(':', 'after the actor name');
  const callWord = cur.word();
  if (callWord === undefined) return cur.fail(`expected a call, got ${cur.describeNext()}`);
  if (!isCallName(callWord.text)) return cur.fail(`unknown call ${callWord.text}`, callWord.pos);
  const { args, close } = parseArgList(cur, callWord.text);
  const call = buildCall(new ArgReader(cur, callWord.text, args, close));
  let bind: string | undefined;
  let bindPos: Pos | undefined;
  cur.skipSpace();
  const arrow = cur.pos();
  if (cur.eat('->')) {
    if (!CREATES.has(call.name)) cur.fail(`${call.name} creates nothing to name: -> NAME follows fork, clone, clone3 or pidfd_open`, arrow);
    const n = cur.name('name');
    bind = n.text;
    bindPos = n.pos;
  }
  let expect: string | undefined;
  cur.skipSpace();
  const eq = cur.pos();
  if (cur.eat('=')) {
    expect = cur.chars.slice(cur.i).join('').trim();
    if (expect === '') cur.fail('expected a result after =', eq);
    cur.i = cur.chars.length;
  }
  if (!cur.atEnd()) cur.fail(`unexpected ${cur.describeNext()} after the step`);
  return { kind: 'call', actor: actor.text, call, bind, expect, pos: actor.pos, callPos: callWord.pos, bindPos };
}

const VIEW_KINDS = ['ps', 'threads', 'status', 'ns', 'tree'] as const;

function parseView(cur: Cursor): Omit<ViewStep, 'expect'> {
  cur.skipSpace();
  const at = cur.pos();
  cur.i++; // '@'
  const kindWord = isWordStart(cur.peek()) ? cur.word() : undefined;
  const kind = VIEW_KINDS.find((k) => k === kindWord?.text);
  if (kind === undefined) return cur.fail(`unknown view @${kindWord?.text ?? ''} (@ps, @threads, @status, @ns, @tree)`, at);
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

/** The characters of a line up to its comment, trailing blanks dropped. */
function lineChars(line: string): string[] {
  const chars = Array.from(line);
  const hash = chars.indexOf('#');
  const kept = hash < 0 ? chars : chars.slice(0, hash);
  while (kept.length > 0 && /\s/.test(kept[kept.length - 1]!)) kept.pop();
  return kept;
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
    const cur: Cursor = new Cursor(file, index + 1, lineChars(raw));
    if (cur.atEnd()) return;
    const c = cur.peek();
    const top = stack[stack.length - 1]!;

    if (c === '|') {
      if (view === undefined) cur.fail("'|' line outside a view's output: it must follow @ps, @threads, @status, @ns or @tree");
      // One space after `|` belongs to the syntax; comparison folds white space anyway.
      const rest = cur.chars.slice(cur.i + 1).join('');
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
