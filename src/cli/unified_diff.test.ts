import { describe, expect, it } from 'vitest';
import { editScript, unifiedDiff } from './unified_diff.js';

const L = (s: string): string[] => (s === '' ? [] : s.split(' '));
const labels = { from: 'model', to: 'kernel' };

describe('editScript', () => {
  it.each([
    ['', '', 0],
    ['a b c', 'a b c', 0],
    ['', 'a b', 2],
    ['a b', '', 2],
    ['a b c', 'a x c', 2],
    ['a b c a b b a', 'c b a b a c', 5], // Myers' paper: D = 5
    ['x y', 'y x', 2],
  ])('%j -> %j: %i edits, and it rebuilds both sides', (a, b, d) => {
    const es = editScript(L(a), L(b));
    expect(es.filter((e) => e.op !== 'keep')).toHaveLength(d);
    expect(es.filter((e) => e.op !== 'ins').map((e) => e.line)).toEqual(L(a));
    expect(es.filter((e) => e.op !== 'del').map((e) => e.line)).toEqual(L(b));
  });

  it('a changed run prints its deletions first', () => {
    expect(editScript(L('a b c'), L('a x c')).map((e) => e.op)).toEqual(['keep', 'del', 'ins', 'keep']);
  });
});

describe('unifiedDiff', () => {
  it.each<[string, string, string, string[]]>([
    ['equal: nothing', 'a b c', 'a b c', []],
    ['one line changed', 'a b c', 'a x c', ['@@ -1,3 +1,3 @@', ' a', '-b', '+x', ' c']],
    ['from nothing', '', 'a b', ['@@ -0,0 +1,2 @@', '+a', '+b']],
    ['to nothing', 'a', '', ['@@ -1 +0,0 @@', '-a']],
    ['an insertion after line 2 of 2', 'a b', 'a b c', ['@@ -1,2 +1,3 @@', ' a', ' b', '+c']],
    ['context is 3 lines', '1 2 3 4 5 6 7 8 9', '1 2 3 4 X 6 7 8 9', ['@@ -2,7 +2,7 @@', ' 2', ' 3', ' 4', '-5', '+X', ' 6', ' 7', ' 8']],
    [
      'two changes 6 lines apart share a hunk',
      'a 1 2 3 4 5 6 b',
      'A 1 2 3 4 5 6 B',
      ['@@ -1,8 +1,8 @@', '-a', '+A', ' 1', ' 2', ' 3', ' 4', ' 5', ' 6', '-b', '+B'],
    ],
    [
      'two changes 7 lines apart: two hunks',
      'a 1 2 3 4 5 6 7 b',
      'A 1 2 3 4 5 6 7 B',
      ['@@ -1,4 +1,4 @@', '-a', '+A', ' 1', ' 2', ' 3', '@@ -6,4 +6,4 @@', ' 5', ' 6', ' 7', '-b', '+B'],
    ],
    ['a deletion in an empty-range hunk on the other side', 'a b c d e f g h', 'a b c d f g h', ['@@ -2,7 +2,6 @@', ' b', ' c', ' d', '-e', ' f', ' g', ' h']],
  ])('%s', (_name, a, b, hunks) => {
    const out = unifiedDiff(L(a), L(b), labels);
    expect(out).toEqual(hunks.length === 0 ? [] : ['--- model', '+++ kernel', ...hunks]);
  });

  it('context 0 gives bare hunks', () => {
    expect(unifiedDiff(L('a b c'), L('a c'), { ...labels, context: 0 })).toEqual(['--- model', '+++ kernel', '@@ -2 +1,0 @@', '-b']);
  });
});
