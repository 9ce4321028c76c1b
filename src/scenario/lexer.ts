// The scenario language's tokens within one line: a cursor over its
// characters (positions in characters, 1-based columns), and arguments as
// written (raw: before the call says which kind each must be).

import { ScenarioError, type IntArg, type Pos, type RefArg } from './ast.js';

/** `[a-z][a-z0-9_]{0,14}`: at most 15 bytes, the kernel's comm length. */
const NAME_RE = /^[a-z][a-z0-9_]{0,14}$/;

export function isName(text: string): boolean {
  return NAME_RE.test(text);
}

/** An argument as written, before the call says what kind it must be. */
export type RawArg =
  | { readonly kind: 'terms'; readonly terms: readonly RawTerm[]; readonly pos: Pos }
  | { readonly kind: 'ref'; readonly ref: RefArg; readonly pos: Pos }
  | { readonly kind: 'fn'; readonly fn: string; readonly arg: string; readonly argPos: Pos; readonly pos: Pos; readonly second?: { readonly text: string; readonly pos: Pos } }
  | { readonly kind: 'list'; readonly items: readonly IntArg[]; readonly pos: Pos }
  | { readonly kind: 'kw'; readonly key: string; readonly value: RawArg; readonly pos: Pos }
  /** `{KEY=VALUE, ...}`: a struct argument (a siginfo); each field a `kw`. */
  | { readonly kind: 'struct'; readonly fields: readonly RawArg[]; readonly pos: Pos };

export type RawTerm = { readonly kind: 'word'; readonly text: string; readonly pos: Pos } | IntArg;

// Character tests by code, not by a regular expression per character: the lexer's hot path
// (an imported trace's scenario has hundreds of long signal sets).
const letter = (n: number): boolean => (n >= 65 && n <= 90) || (n >= 97 && n <= 122) || n === 95;
export const isWordStart = (c: string | undefined): boolean => c !== undefined && c.length === 1 && letter(c.charCodeAt(0));
const isWordChar = (c: string | undefined): boolean => {
  if (c === undefined || c.length !== 1) return false;
  const n = c.charCodeAt(0);
  return letter(n) || (n >= 48 && n <= 57) || n === 46;
};
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** The longest word (name, call, constant, sysctl key) the language has, with room to spare. */
const MAX_WORD = 64;
/** The longest message a parse error carries. */
const MAX_MESSAGE = 300;

/** A cursor over one line, counted in characters (code points), comment removed. */
export class Cursor {
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

  /** `[A-Za-z_][A-Za-z0-9_.]*` (dots for sysctl keys), or undefined; `SIGRTMIN+N` and `SIGRTMAX-N` are one word. */
  word(): { text: string; pos: Pos } | undefined {
    this.skipSpace();
    if (!isWordStart(this.peek())) return undefined;
    const start = this.i;
    const chars = this.chars;
    while (isWordChar(chars[this.i])) this.i++;
    const sign = chars[this.i];
    // Joined once below; only an 8-letter word followed by a sign can be SIGRTMIN+N or SIGRTMAX-N.
    if (this.i - start === 8 && (sign === '+' || sign === '-') && isDigit(chars[this.i + 1])) {
      const text = chars.slice(start, this.i).join('');
      if ((text === 'SIGRTMIN' && sign === '+') || (text === 'SIGRTMAX' && sign === '-')) {
        this.i++;
        while (isDigit(chars[this.i])) this.i++;
      }
    }
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
  if (c === '{') {
    cur.i++;
    const fields: RawArg[] = [];
    if (!cur.eat('}')) {
      do fields.push(parseArg(cur, true));
      while (cur.eat(','));
      cur.expect('}', "or ',' in the {KEY=VALUE, ...} argument");
    }
    return { kind: 'struct', fields, pos: start };
  }
  if (isDigit(c) || (c === '-' && isDigit(cur.peek(1)))) return parseTerms(cur, cur.int());
  const w = cur.word();
  if (w === undefined) return cur.fail(`expected an argument, got ${cur.describeNext()}`);
  if (cur.eat('(')) {
    const arg = cur.name('actor name');
    cur.skipSpace();
    let second: { text: string; pos: Pos } | undefined;
    if (cur.eat(',')) {
      cur.skipSpace();
      const t = cur.word();
      if (t === undefined) return cur.fail(`expected a namespace type after ${w.text}(${arg.text}, `);
      second = { text: t.text, pos: t.pos };
      cur.skipSpace();
    }
    cur.expect(')', `to close ${w.text}(`);
    const fn = { kind: 'fn' as const, fn: w.text, arg: arg.text, argPos: arg.pos, pos: start };
    return second === undefined ? fn : { ...fn, second };
  }
  if (allowKeyword && cur.eat('=')) {
    return { kind: 'kw', key: w.text, value: parseArg(cur, false), pos: start };
  }
  return parseTerms(cur, { kind: 'word', text: w.text, pos: w.pos });
}

/** `(ARG, ...)`: the raw arguments and where `)` is. */
export function parseArgList(cur: Cursor, call: string): { args: RawArg[]; close: Pos } {
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

