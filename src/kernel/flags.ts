// Clone flags reach 2^33 (CLONE_CLEAR_SIGHAND, CLONE_INTO_CGROUP), past the
// 32 bits that JavaScript's bitwise operators see; test bits with this.

const TWO_32 = 2 ** 32;

/** A flag word built with `|` from constants ≥ 2^31 comes out negative; read it as unsigned. */
const u = (x: number): number => (x < 0 ? x >>> 0 : x);

/** Whether every bit of `bit` is set in `flags` (both non-negative integers < 2^53). */
export function hasFlag(flags: number, bit: number): boolean {
  // The common case, both within 31 bits, is one AND (kept small so that it inlines).
  return flags >= 0 && flags <= 0x7fffffff && bit > 0 && bit <= 0x7fffffff ? (flags & bit) === bit : hasFlagWide(flags, bit);
}

function hasFlagWide(flagsIn: number, bitIn: number): boolean {
  const flags = u(flagsIn);
  const bit = u(bitIn);
  const hi = Math.floor(flags / TWO_32) & Math.floor(bit / TWO_32);
  const lo = (flags >>> 0) & (bit >>> 0);
  return hi === Math.floor(bit / TWO_32) && lo >>> 0 === bit >>> 0;
}

/** Whether any bit of `mask` is set in `flags`. */
export function anyFlag(flags: number, mask: number): boolean {
  return flags >= 0 && flags <= 0x7fffffff && mask >= 0 && mask <= 0x7fffffff ? (flags & mask) !== 0 : anyFlagWide(flags, mask);
}

function anyFlagWide(flagsIn: number, maskIn: number): boolean {
  const flags = u(flagsIn);
  const mask = u(maskIn);
  return (Math.floor(flags / TWO_32) & Math.floor(mask / TWO_32)) !== 0 || ((flags >>> 0) & (mask >>> 0)) !== 0;
}

/** flags without the bits of `mask`. */
export function withoutFlags(flags: number, mask: number): number {
  // flags within 31 bits: only the mask's low 32 bits matter (ToUint32 keeps exactly those).
  return flags >= 0 && flags <= 0x7fffffff && mask >= 0 ? flags & ~(mask >>> 0) : withoutFlagsWide(flags, mask);
}

function withoutFlagsWide(flagsIn: number, maskIn: number): number {
  const flags = u(flagsIn);
  const mask = u(maskIn);
  const hi = Math.floor(flags / TWO_32) & ~Math.floor(mask / TWO_32);
  const lo = (flags >>> 0) & ~(mask >>> 0);
  return hi * TWO_32 + (lo >>> 0);
}
