// A scenario's comments as narration: the parser drops comments, so they are
// read here from the raw text by line. A block of comment lines belongs to
// the first step after it (blank lines may come between), and a comment at
// the end of a step's own line belongs to that step. The file's opening
// block, when a blank line separates it from the first step, introduces the
// whole scenario instead. No DOM here.

export interface Narration {
  /** The opening comment block (shown before step 1), or empty. */
  readonly intro: readonly string[];
  /** Comment text by the 1-based line of the step it precedes. */
  readonly byLine: ReadonlyMap<number, readonly string[]>;
}

const COMMENT = /^\s*#\s?(.*)$/;

/** The comment at the end of a code line, or null (a `#` always starts one: docs/language.md). */
function trailing(line: string): string | null {
  const at = line.indexOf('#');
  return at < 0 ? null : line.slice(at + 1).trim();
}

/** `stepLines`: the 1-based line of every top-level step, ascending. */
export function narration(text: string, stepLines: readonly number[]): Narration {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const starts = new Set(stepLines);
  const byLine = new Map<number, string[]>();
  let intro: string[] = [];
  let pending: string[] = [];
  let blankAfterPending = false;
  let seenStep = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const n = i + 1;
    const comment = COMMENT.exec(line);
    if (comment !== null) {
      if (blankAfterPending && !seenStep && intro.length === 0 && pending.length > 0) {
        intro = pending;
        pending = [];
      }
      pending.push(comment[1]!.trimEnd());
      blankAfterPending = false;
      continue;
    }
    if (line.trim() === '') {
      if (pending.length > 0) blankAfterPending = true;
      continue;
    }
    if (!starts.has(n)) continue;
    if (!seenStep && blankAfterPending && intro.length === 0) {
      intro = pending;
      pending = [];
    }
    seenStep = true;
    const own = trailing(line);
    const text = [...pending, ...(own === null || own === '' ? [] : [own])];
    if (text.length > 0) byLine.set(n, text);
    pending = [];
    blankAfterPending = false;
  }
  return { intro: joinParagraph(intro), byLine: new Map([...byLine].map(([k, v]) => [k, joinParagraph(v)])) };
}

/** Comment lines wrapped by hand, joined into paragraphs (an empty comment line separates them). */
function joinParagraph(lines: readonly string[]): string[] {
  const out: string[] = [];
  let cur = '';
  for (const l of lines) {
    if (l.trim() === '') {
      if (cur !== '') out.push(cur);
      cur = '';
    } else cur = cur === '' ? l.trim() : `${cur} ${l.trim()}`;
  }
  if (cur !== '') out.push(cur);
  return out;
}
