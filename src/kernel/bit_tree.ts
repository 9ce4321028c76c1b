// A growable bitmap with summary levels, so that "the first set bit ≥ i" and
// "the first clear bit ≥ i" cost O(log32 n) word reads instead of a scan.
// It backs each namespace's number space (the kernel uses an IDR, a radix tree
// with IDR_FREE tags, for the same two questions: lib/idr.c idr_get_free and
// idr_get_next).
//
// Invariant: for every level k ≥ 1, bit j of anyBits[k] is set iff word j of
// level k-1 is non-zero; bit j of fullBits[k] is set iff word j of level k-1
// is all ones (level 0's words being the bitmap itself, and a level-k word
// being "all ones" in fullBits[k] terms).

const ALL = 0xffffffff;

function ctz(m: number): number {
  return 31 - Math.clz32(m & -m);
}

export class BitTree {
  /** anyBits[0] is the bitmap; anyBits[k] summarises non-zero words of level k-1. */
  private anyBits: Uint32Array[] = [];
  /** fullBits[0] is unused (the bitmap itself); fullBits[k] summarises full words of level k-1. */
  private fullBits: Uint32Array[] = [];
  private cap = 0;
  private count = 0;

  constructor(initialCapacity = 1024) {
    this.resize(Math.max(1024, initialCapacity));
  }

  /** Number of set bits. */
  get size(): number {
    return this.count;
  }

  /** Bits that storage covers; every bit at or beyond it is clear. */
  get capacity(): number {
    return this.cap;
  }

  has(i: number): boolean {
    if (i >= this.cap) return false;
    return ((this.anyBits[0]![i >>> 5]! >>> (i & 31)) & 1) === 1;
  }

  set(i: number): void {
    if (i >= this.cap) this.grow(i);
    const leaf = this.anyBits[0]!;
    let w = i >>> 5;
    const before = leaf[w]!;
    const bit = 1 << (i & 31);
    if ((before & bit) !== 0) return;
    const after = (before | bit) >>> 0;
    leaf[w] = after;
    this.count++;
    let becameNonZero = before === 0;
    let becameFull = after === ALL;
    for (let k = 1; k < this.anyBits.length && (becameNonZero || becameFull); k++) {
      const pw = w >>> 5;
      const pbit = 1 << (w & 31);
      if (becameNonZero) {
        const a = this.anyBits[k]!;
        const prev = a[pw]!;
        a[pw] = (prev | pbit) >>> 0;
        becameNonZero = prev === 0;
      }
      if (becameFull) {
        const f = this.fullBits[k]!;
        const next = (f[pw]! | pbit) >>> 0;
        f[pw] = next;
        becameFull = next === ALL;
      }
      w = pw;
    }
  }

  clear(i: number): void {
    if (i >= this.cap) return;
    const leaf = this.anyBits[0]!;
    let w = i >>> 5;
    const before = leaf[w]!;
    const bit = 1 << (i & 31);
    if ((before & bit) === 0) return;
    const after = (before & ~bit) >>> 0;
    leaf[w] = after;
    this.count--;
    let becameZero = after === 0;
    let wasFull = before === ALL;
    for (let k = 1; k < this.anyBits.length && (becameZero || wasFull); k++) {
      const pw = w >>> 5;
      const pbit = 1 << (w & 31);
      if (becameZero) {
        const a = this.anyBits[k]!;
        const next = (a[pw]! & ~pbit) >>> 0;
        a[pw] = next;
        becameZero = next === 0;
      }
      if (wasFull) {
        const f = this.fullBits[k]!;
        const prev = f[pw]!;
        f[pw] = (prev & ~pbit) >>> 0;
        wasFull = prev === ALL;
      }
      w = pw;
    }
  }

  /** The first set bit ≥ from, or -1. */
  nextSet(from: number): number {
    if (from < 0) from = 0;
    if (from >= this.cap) return -1;
    return this.next(0, from, true);
  }

  /** The first clear bit ≥ from (bits beyond the capacity are all clear). */
  nextClear(from: number): number {
    if (from < 0) from = 0;
    if (from >= this.cap) return from;
    // The common answer in cyclic allocation: the number at the cursor is free.
    if (((this.anyBits[0]![from >>> 5]! >>> (from & 31)) & 1) === 0) return from;
    const r = this.next(0, from, false);
    return r < 0 ? this.cap : r;
  }

  /**
   * The first index ≥ idx at `level` whose bit is set (wantSet) or whose word
   * below is not full (!wantSet); -1 if none. Written without closures: this
   * runs on every allocation.
   */
  private next(level: number, idx: number, wantSet: boolean): number {
    const words = wantSet || level === 0 ? this.anyBits[level]! : this.fullBits[level]!;
    const flip = wantSet ? 0 : ALL;
    let w = idx >>> 5;
    if (w >= words.length) return -1;
    let m = ((words[w]! ^ flip) & (ALL << (idx & 31))) >>> 0;
    if (m !== 0) return (w << 5) + ctz(m);
    if (level + 1 < this.anyBits.length) {
      w = this.next(level + 1, w + 1, wantSet);
      if (w < 0 || w >= words.length) return -1;
      m = (words[w]! ^ flip) >>> 0;
      return m === 0 ? -1 : (w << 5) + ctz(m);
    }
    for (w++; w < words.length; w++) {
      m = (words[w]! ^ flip) >>> 0;
      if (m !== 0) return (w << 5) + ctz(m);
    }
    return -1;
  }

  private grow(i: number): void {
    let cap = this.cap;
    while (cap <= i) cap *= 2;
    this.resize(cap);
  }

  private resize(cap: number): void {
    const old = this.anyBits[0];
    this.cap = cap;
    this.anyBits = [new Uint32Array(cap >>> 5)];
    this.fullBits = [new Uint32Array(0)];
    for (let n = cap >>> 5; n > 1; ) {
      n = Math.ceil(n / 32);
      this.anyBits.push(new Uint32Array(n));
      this.fullBits.push(new Uint32Array(n));
    }
    if (old === undefined) return;
    const leaf = this.anyBits[0]!;
    leaf.set(old);
    // Rebuild the summaries from the copied words.
    for (let k = 1; k < this.anyBits.length; k++) {
      const below = k === 1 ? leaf : this.anyBits[k - 1]!;
      const belowFull = k === 1 ? leaf : this.fullBits[k - 1]!;
      const a = this.anyBits[k]!;
      const f = this.fullBits[k]!;
      for (let j = 0; j < below.length; j++) {
        if (below[j] !== 0) a[j >>> 5] = (a[j >>> 5]! | (1 << (j & 31))) >>> 0;
        if (belowFull[j] === ALL) f[j >>> 5] = (f[j >>> 5]! | (1 << (j & 31))) >>> 0;
      }
    }
  }
}
