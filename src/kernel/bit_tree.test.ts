import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BitTree } from './bit_tree.js';

/** The same questions answered by scanning a plain Set. */
class Naive {
  readonly bits = new Set<number>();
  nextSet(from: number): number {
    let best = -1;
    for (const b of this.bits) if (b >= from && (best < 0 || b < best)) best = b;
    return best;
  }
  nextClear(from: number): number {
    let i = Math.max(0, from);
    while (this.bits.has(i)) i++;
    return i;
  }
}

describe('BitTree', () => {
  it('answers has, size, nextSet and nextClear as a scan of a set would, through growth and full words', () => {
    // Numbers cluster in a few dense runs (so words and summary words fill up) and sometimes jump far (growth).
    const nr = fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 30_000, max: 33_000 }), fc.integer({ min: 0, max: 70_000 }));
    const op = fc.tuple(fc.constantFrom('set', 'clear', 'fill', 'ask'), nr, fc.integer({ min: 1, max: 2_100 }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const t = new BitTree();
        const n = new Naive();
        for (const [kind, i, len] of ops) {
          if (kind === 'set') {
            t.set(i);
            n.bits.add(i);
          } else if (kind === 'clear') {
            t.clear(i);
            n.bits.delete(i);
          } else if (kind === 'fill') {
            for (let j = i; j < i + len; j++) {
              t.set(j);
              n.bits.add(j);
            }
          }
          expect(t.size).toBe(n.bits.size);
          expect(t.has(i)).toBe(n.bits.has(i));
          expect(t.nextSet(i)).toBe(n.nextSet(i));
          expect(t.nextClear(i)).toBe(n.nextClear(i));
          expect(t.nextClear(0)).toBe(n.nextClear(0));
        }
      }),
      { numRuns: 300 },
    );
  });
});
