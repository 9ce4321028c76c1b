// Errors as data (STYLE.md, habit 5): kernel functions return either their
// value or a Fail carrying the errno the kernel would return.

import type { Errno } from '../abi/errno.js';

export interface Fail {
  readonly fail: true;
  readonly errno: Errno;
}

export function fail(errno: Errno): Fail {
  return { fail: true, errno };
}

export function isFail(x: unknown): x is Fail {
  return typeof x === 'object' && x !== null && (x as { fail?: unknown }).fail === true;
}
