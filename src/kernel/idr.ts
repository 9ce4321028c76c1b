// One namespace's number space: which numbers are taken, the Pid each maps to,
// and the allocation cursor. This is the part of `struct idr` that kernel/pid.c
// uses: idr_alloc_cyclic for ordinary forks, idr_alloc for clone3 set_tid,
// idr_remove on free, idr_get_cursor/idr_set_cursor for ns_last_pid, and
// idr_get_next for the readdir of /proc.

import { BitTree } from './bit_tree.js';

/** Why an allocation failed: the range was full (-ENOSPC in lib/idr.c). */
export const IDR_FULL = -1;

/** Entries live in chunks of 1024 made on first use: an array lookup, memory proportional to what is used. */
const CHUNK_BITS = 10;
const CHUNK = 1 << CHUNK_BITS;

export class Idr<T> {
  private readonly used = new BitTree();
  private readonly chunks: ((T | undefined)[] | undefined)[] = [];
  /** idr_next: the number the next cyclic allocation starts from. */
  cursor = 0;

  get size(): number {
    return this.used.size;
  }

  get(nr: number): T | undefined {
    return nr >= 0 ? this.chunks[nr >>> CHUNK_BITS]?.[nr & (CHUNK - 1)] : undefined;
  }

  /**
   * idr_alloc_cyclic(idr, NULL, start, end): the first free number in
   * [max(cursor, start), end), else in [start, end); moves the cursor past it.
   * The number is only reserved: `replace` maps it once every level succeeded.
   */
  allocCyclic(start: number, end: number): number {
    const max = end - 1;
    let id = this.cursor < start ? start : this.cursor;
    let nr = id <= max ? this.used.nextClear(id) : max + 1;
    if (nr > max && id > start) {
      id = start;
      nr = this.used.nextClear(id);
    }
    if (nr > max) return IDR_FULL;
    this.used.set(nr);
    this.cursor = nr + 1;
    return nr;
  }

  /** idr_alloc(idr, NULL, nr, nr + 1): exactly nr, without moving the cursor. */
  allocExact(nr: number): boolean {
    if (this.used.has(nr)) return false;
    this.used.set(nr);
    return true;
  }

  /** idr_replace: make a reserved number find its entry. */
  replace(nr: number, value: T): void {
    const c = nr >>> CHUNK_BITS;
    let chunk = this.chunks[c];
    if (chunk === undefined) {
      while (this.chunks.length < c) this.chunks.push(undefined);
      chunk = new Array<T | undefined>(CHUNK).fill(undefined);
      this.chunks[c] = chunk;
    }
    chunk[nr & (CHUNK - 1)] = value;
  }

  remove(nr: number): void {
    this.used.clear(nr);
    const chunk = this.chunks[nr >>> CHUNK_BITS];
    if (chunk !== undefined) chunk[nr & (CHUNK - 1)] = undefined;
  }

  /** idr_get_next: the first mapped number ≥ nr, or -1. Reserved-only numbers are skipped. */
  nextMapped(nr: number): number {
    for (let n = this.used.nextSet(nr); n >= 0; n = this.used.nextSet(n + 1)) {
      if (this.get(n) !== undefined) return n;
    }
    return -1;
  }

  /** Every mapped entry in ascending number order. */
  *ascending(): IterableIterator<[number, T]> {
    for (let n = this.nextMapped(0); n >= 0; n = this.nextMapped(n + 1)) {
      yield [n, this.get(n)!];
    }
  }
}
