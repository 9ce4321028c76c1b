// A growable bitmap with "full" summary levels, so that "the first clear bit
// ≥ i", the allocator's question, costs O(log32 n) word reads instead of a
// scan. It backs each namespace's number space (the kernel uses an IDR, a
// radix tree whose IDR_FREE tag marks subtrees with room: lib/idr.c
// idr_get_free).
//
// "The first set bit ≥ i" (idr_get_next, for the readdir of /proc and the
// walk of a dying namespace) scans leaf words instead: those walks go up the
// number space in order, so a whole walk reads each word once, and keeping a
// "non-empty" summary would cost every fork and every release a climb up the
// tree (half of an allocation's time at depth 32).
//
// Invariant: bit j of full[k] (k ≥ 1) is set iff word j of level k-1 is all
// ones, level 0 being the bitmap itself.

const ALL = 0xffffffff;

function ctz(m: number): number {
  return 31 - Math.clz32(m & -m);
}

export class BitTree {
  /** The bitmap. */
  private leaf: Uint32Array = new Uint32Array(0);
  /** full[k] summarises full words of level k-1 (full[0] is unused). */
  private full: Uint32Array[] = [];
  private cap = 0;
  private count = 0;

  constructor(initialCapacity = 1024) {
    this.resize(Math.max(1024, initialCapacity));
  }

  /** Number of set bits. */
  get size(): number {
    return this.count;
  }

  has(i: number): boolean {
    if (i >= this.cap) return false;
    return ((this.leaf[i >>> 5]! >>> (i & 31)) & 1) === 1;
  }

  set(i: number): void {
    if (i >= this.cap) this.grow(i);
    const leaf = this.leaf;
    let w = i >>> 5;
    const before = leaf[w]!;
    const bit = 1 << (i & 31);
    if ((before & bit) !== 0) return;
    const after = (before | bit) >>> 0;
    leaf[w] = after;
    this.count++;
    if (after !== ALL) return;
    // The word became full: mark it, and each summary word that becomes full in turn.
    for (let k = 1; k < this.full.length; k++) {
      const f = this.full[k]!;
      const pw = w >>> 5;
      const next = (f[pw]! | (1 << (w & 31))) >>> 0;
      f[pw] = next;
      if (next !== ALL) return;
      w = pw;
    }
  }

  clear(i: number): void {
    if (i >= this.cap) return;
    const leaf = this.leaf;
    let w = i >>> 5;
    const before = leaf[w]!;
    const bit = 1 << (i & 31);
    if ((before & bit) === 0) return;
    leaf[w] = (before & ~bit) >>> 0;
    this.count--;
    if (before !== ALL) return;
    // The word was full: unmark it, and each summary word that was full in turn.
    for (let k = 1; k < this.full.length; k++) {
      const f = this.full[k]!;
      const pw = w >>> 5;
      const prev = f[pw]!;
      f[pw] = (prev & ~(1 << (w & 31))) >>> 0;
      if (prev !== ALL) return;
      w = pw;
    }
  }

  /** The first set bit ≥ from, or -1: a scan of the leaf words from there. */
  nextSet(from: number): number {
    if (from < 0) from = 0;
    if (from >= this.cap || this.count === 0) return -1;
    const leaf = this.leaf;
    let w = from >>> 5;
    let m = (leaf[w]! & (ALL << (from & 31))) >>> 0;
    while (m === 0) {
      if (++w >= leaf.length) return -1;
      m = leaf[w]!;
    }
    return (w << 5) + ctz(m);
  }

  /** The first clear bit ≥ from (bits beyond the capacity are all clear). */
  nextClear(from: number): number {
    if (from < 0) from = 0;
    if (from >= this.cap) return from;
    // The common answer in cyclic allocation: the number at the cursor is free.
    if (((this.leaf[from >>> 5]! >>> (from & 31)) & 1) === 0) return from;
    const r = this.notFull(0, from);
    return r < 0 ? this.cap : r;
  }

  /** The first index ≥ idx at `level` whose word below is not full (level 0: whose bit is clear); -1 if none. */
  private notFull(level: number, idx: number): number {
    const words = level === 0 ? this.leaf : this.full[level]!;
    let w = idx >>> 5;
    if (w >= words.length) return -1;
    let m = (~words[w]! & (ALL << (idx & 31))) >>> 0;
    if (m !== 0) return (w << 5) + ctz(m);
    if (level + 1 < this.full.length) {
      w = this.notFull(level + 1, w + 1);
      if (w < 0 || w >= words.length) return -1;
      m = ~words[w]! >>> 0;
      return m === 0 ? -1 : (w << 5) + ctz(m);
    }
    for (w++; w < words.length; w++) {
      m = ~words[w]! >>> 0;
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
    const old = this.leaf;
    this.cap = cap;
    this.leaf = new Uint32Array(cap >>> 5);
    this.leaf.set(old);
    this.full = [new Uint32Array(0)];
    for (let n = cap >>> 5; n > 1; ) {
      n = Math.ceil(n / 32);
      this.full.push(new Uint32Array(n));
    }
    // Rebuild the summaries from the copied words.
    for (let k = 1; k < this.full.length; k++) {
      const below = k === 1 ? this.leaf : this.full[k - 1]!;
      const f = this.full[k]!;
      for (let j = 0; j < below.length; j++) {
        if (below[j] === ALL) f[j >>> 5] = (f[j >>> 5]! | (1 << (j & 31))) >>> 0;
      }
    }
  }
}
