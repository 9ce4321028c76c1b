// Clone flags reach 2^33 (CLONE_CLEAR_SIGHAND, CLONE_INTO_CGROUP), past the
// 32 bits that JavaScript's bitwise operators see; test bits with this.

const TWO_32 = 2 ** 32;

/** A flag word built with `|` from constants ≥ 2^31 comes out negative; read it as unsigned. */
const u = (x: number): number => (x < 0 ? x >>> 0 : x);

/** Whether every bit of `bit` is set in `flags` (both non-negative integers < 2^53). */
export function hasFlag(flagsIn: number, bitIn: number): boolean {
  // The common case, both within 31 bits, is one AND.
  if (flagsIn >= 0 && flagsIn <= 0x7fffffff && bitIn > 0 && bitIn <= 0x7fffffff) return (flagsIn & bitIn) === bitIn;
  const flags = u(flagsIn);
  const bit = u(bitIn);
  const hi = Math.floor(flags / TWO_32) & Math.floor(bit / TWO_32);
  const lo = (flags >>> 0) & (bit >>> 0);
  return hi === Math.floor(bit / TWO_32) && lo >>> 0 === bit >>> 0;
}

/** Whether any bit of `mask` is set in `flags`. */
export function anyFlag(flagsIn: number, maskIn: number): boolean {
  const flags = u(flagsIn);
  const mask = u(maskIn);
  return (Math.floor(flags / TWO_32) & Math.floor(mask / TWO_32)) !== 0 || ((flags >>> 0) & (mask >>> 0)) !== 0;
}

/** flags without the bits of `mask`. */
export function withoutFlags(flagsIn: number, maskIn: number): number {
  const flags = u(flagsIn);
  const mask = u(maskIn);
  const hi = Math.floor(flags / TWO_32) & ~Math.floor(mask / TWO_32);
  const lo = (flags >>> 0) & ~(mask >>> 0);
  return hi * TWO_32 + (lo >>> 0);
}
