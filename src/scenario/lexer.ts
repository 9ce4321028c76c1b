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
const wordCode = (n: number): boolean => letter(n) || (n >= 48 && n <= 57) || n === 46;
const digitCode = (n: number): boolean => n >= 48 && n <= 57;
export const isWordStart = (c: string | undefined): boolean => c !== undefined && c.length === 1 && letter(c.charCodeAt(0));
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** The longest word (name, call, constant, sysctl key) the language has, with room to spare. */
const MAX_WORD = 64;
/** The longest message a parse error carries. */
const MAX_MESSAGE = 300;

/** UTF-16 index -> 0-based column in code points, for a line with characters outside the BMP (elsewhere they agree). */
function codePointColumns(text: string): number[] | null {
  if (!/[\uD800-\uDFFF]/.test(text)) return null;
  const cols: number[] = [];
  let col = 0;
  for (const ch of text) {
    for (let k = 0; k < ch.length; k++) cols.push(col);
    col++;
  }
  cols.push(col);
  return cols;
}

/**
 * A cursor over one line, comment removed. It walks the line's UTF-16 code
 * units (every token of the language is ASCII: no copy of the line into an
 * array of characters); positions are reported in characters (code points).
 */
export class Cursor {
  /** Index in `text` (UTF-16 units). */
  i = 0;
  private readonly cols: number[] | null;
  constructor(
    readonly file: string,
    readonly line: number,
    readonly text: string,
  ) {
    this.cols = codePointColumns(text);
  }

  pos(i: number = this.i): Pos {
    return { line: this.line, col: (this.cols === null ? i : this.cols[i]!) + 1 };
  }

  peek(k = 0): string | undefined {
    return this.text[this.i + k];
  }

  /** The rest of the line from the cursor. */
  rest(): string {
    return this.text.slice(this.i);
  }

  skipSpace(): void {
    const t = this.text;
    for (let c = t.charCodeAt(this.i); c === 32 || c === 9; c = t.charCodeAt(this.i)) this.i++;
  }

  atEnd(): boolean {
    this.skipSpace();
    return this.i >= this.text.length;
  }

  fail(message: string, pos: Pos = this.pos()): never {
    // A message quotes the input: a huge token must not make a huge line.
    throw new ScenarioError(this.file, pos, message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}...` : message);
  }

  /** The next token's text, for messages: a word, a number, one character, or "end of line". */
  describeNext(): string {
    this.skipSpace();
    const t = this.text;
    if (this.i >= t.length) return 'end of line';
    let j = this.i;
    if (wordCode(t.charCodeAt(j))) while (wordCode(t.charCodeAt(j))) j++;
    else j += t.codePointAt(j)! > 0xffff ? 2 : 1;
    const text = t.slice(this.i, Math.min(j, this.i + MAX_WORD));
    return `'${text}${j - this.i > MAX_WORD ? '...' : ''}'`;
  }

  eat(s: string): boolean {
    this.skipSpace();
    if (!this.text.startsWith(s, this.i)) return false;
    this.i += s.length;
    return true;
  }

  expect(s: string, context: string): void {
    if (!this.eat(s)) this.fail(`expected '${s}' ${context}, got ${this.describeNext()}`);
  }

  /** `[A-Za-z_][A-Za-z0-9_.]*` (dots for sysctl keys), or undefined; `SIGRTMIN+N` and `SIGRTMAX-N` are one word. */
  word(): { text: string; pos: Pos } | undefined {
    this.skipSpace();
    const t = this.text;
    const start = this.i;
    if (!letter(t.charCodeAt(start))) return undefined;
    let i = start + 1;
    while (wordCode(t.charCodeAt(i))) i++;
    // Only an 8-letter word followed by a sign can be SIGRTMIN+N or SIGRTMAX-N.
    if (i - start === 8 && digitCode(t.charCodeAt(i + 1))) {
      const sign = t[i];
      if ((sign === '+' && t.startsWith('SIGRTMIN', start)) || (sign === '-' && t.startsWith('SIGRTMAX', start))) {
        i++;
        while (digitCode(t.charCodeAt(i))) i++;
      }
    }
    this.i = i;
    if (i - start > MAX_WORD) this.fail(`a word of ${i - start} characters: names, calls and constants have at most ${MAX_WORD}`, this.pos(start));
    return { text: t.slice(start, i), pos: this.pos(start) };
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
    const t = this.text;
    const start = this.i;
    if (t.charCodeAt(this.i) === 45) this.i++;
    if (!digitCode(t.charCodeAt(this.i))) this.fail(`expected a number, got ${this.describeNext()}`, this.pos(start));
    while (digitCode(t.charCodeAt(this.i))) this.i++;
    if (wordCode(t.charCodeAt(this.i))) {
      while (wordCode(t.charCodeAt(this.i))) this.i++;
      this.fail(`bad number '${t.slice(start, this.i)}'`, this.pos(start));
    }
    const value = Number(t.slice(start, this.i));
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

