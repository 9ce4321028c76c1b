// struct list_head (include/linux/list.h): the kernel threads its lists
// through the members themselves (a task's `sibling` links it into its
// parent's `children`, a pid's `tasks[type]` heads the members of a process
// group or session). Here too: each member carries its own links, so joining
// or leaving a list is a few pointer writes, with no hashing and no
// allocation, and a list keeps insertion order (list_add_tail).
//
// A member is on at most one list of a given kind at a time; `has` is O(1)
// because the member records which list it is on.

export abstract class IntrusiveList<T> implements Iterable<T> {
  first: T | null = null;
  last: T | null = null;
  size = 0;

  protected abstract prevOf(n: T): T | null;
  protected abstract nextOf(n: T): T | null;
  protected abstract listOf(n: T): IntrusiveList<T> | null;
  protected abstract setLinks(n: T, prev: T | null, next: T | null, list: IntrusiveList<T> | null): void;
  protected abstract setPrev(n: T, prev: T | null): void;
  protected abstract setNext(n: T, next: T | null): void;

  has(n: T): boolean {
    return this.listOf(n) === this;
  }

  /**
   * list_add_tail(). A member already on this list stays where it is (as
   * Set.add); one on another list of this kind is refused (false): a member
   * has one set of links.
   */
  add(n: T): boolean {
    const on = this.listOf(n);
    if (on === this) return true;
    if (on !== null) return false;
    const last = this.last;
    this.setLinks(n, last, null, this);
    if (last === null) this.first = n;
    else this.setNext(last, n);
    this.last = n;
    this.size++;
    return true;
  }

  /** list_add(): at the head. A member already on this list moves there; one on another list is refused (false). */
  addFirst(n: T): boolean {
    const on = this.listOf(n);
    if (on === this) this.delete(n);
    else if (on !== null) return false;
    const first = this.first;
    this.setLinks(n, null, first, this);
    if (first === null) this.last = n;
    else this.setPrev(first, n);
    this.first = n;
    this.size++;
    return true;
  }

  /** Empties the list, unlinking every member. */
  clear(): void {
    for (let n = this.first; n !== null; ) {
      const next = this.nextOf(n);
      this.setLinks(n, null, null, null);
      n = next;
    }
    this.first = null;
    this.last = null;
    this.size = 0;
  }

  /** list_del(). Returns whether `n` was on this list. */
  delete(n: T): boolean {
    if (this.listOf(n) !== this) return false;
    const prev = this.prevOf(n);
    const next = this.nextOf(n);
    if (prev === null) this.first = next;
    else this.setNext(prev, next);
    if (next === null) this.last = prev;
    else this.setPrev(next, prev);
    this.setLinks(n, null, null, null);
    this.size--;
    return true;
  }

  /** Puts `n` where `old` was (list_replace); `old` leaves the list. */
  replace(old: T, n: T): void {
    if (this.listOf(old) !== this || this.listOf(n) !== null) return;
    const prev = this.prevOf(old);
    const next = this.nextOf(old);
    this.setLinks(n, prev, next, this);
    if (prev === null) this.first = n;
    else this.setNext(prev, n);
    if (next === null) this.last = n;
    else this.setPrev(next, n);
    this.setLinks(old, null, null, null);
  }

  /** Members in list order. The next member is read before the current one is handed out, so it may be deleted meanwhile. */
  [Symbol.iterator](): Iterator<T> {
    let n = this.first;
    return {
      next: (): IteratorResult<T> => {
        if (n === null) return { done: true, value: undefined };
        const value = n;
        n = this.nextOf(n);
        return { done: false, value };
      },
    };
  }

  /** What is wrong with the links, or null: each member names this list, prev and next agree, `last` ends the walk, `size` counts it. */
  linkError(): string | null {
    let count = 0;
    let prev: T | null = null;
    for (let n = this.first; n !== null; n = this.nextOf(n)) {
      if (this.listOf(n) !== this) return `member ${count} does not name this list`;
      if (this.prevOf(n) !== prev) return `member ${count}'s prev link is wrong`;
      if (++count > this.size) return `more members than its size ${this.size}`;
      prev = n;
    }
    if (prev !== this.last) return 'the walk does not end at its last member';
    return count === this.size ? null : `${count} members but size ${this.size}`;
  }

  toArray(): T[] {
    const out: T[] = [];
    for (let n = this.first; n !== null; n = this.nextOf(n)) out.push(n);
    return out;
  }
}

/** A read-only view of a list, for members that may have none. */
export interface MemberList<T> extends Iterable<T> {
  readonly size: number;
  has(n: T): boolean;
}

export const EMPTY_LIST: MemberList<never> = {
  size: 0,
  has: () => false,
  [Symbol.iterator]: () => ({ next: () => ({ done: true, value: undefined }) }),
};
