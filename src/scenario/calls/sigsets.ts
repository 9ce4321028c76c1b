// Signal sets and old actions between the language, the model and the wire:
// shared by the signal call descriptors (signal.ts, sigwait.ts) and the
// kernel backend's reply decoding.

import type { Args, CallSpec } from './spec.js';

/** A signal set from the language (signals combined with |, as mask bits; exact in all 64 bits) to a sigset_t, and out as two 32-bit halves for the wire. */
export const sigset = (a: Args, i: number): bigint => a.set(i);
export const halves = (a: Args, i: number): [string, string] => {
  const s = sigset(a, i);
  return [String(s & 0xffffffffn), String(s >> 32n)];
};

/**
 * A set written with SIGKILL or SIGSTOP by name reads as if they could be
 * blocked or awaited; the kernel silently leaves them out of every mask, so
 * the language refuses the name (a number still reaches the kernel as is).
 */
export function noUnblockable(...indexes: number[]): NonNullable<CallSpec['check']> {
  return (args, ctx) => {
    for (const i of indexes) {
      const a = args[i];
      if (a?.kind !== 'flags') continue;
      for (const t of a.terms) {
        if (t.kind === 'const' && (t.name === 'SIGKILL' || t.name === 'SIGSTOP')) {
          ctx.fail(t.pos, `${t.name} cannot be in a signal set: the kernel leaves it out of every mask (write its bit as a number to show that)`);
        }
      }
    }
    return Promise.resolve();
  };
}


const OLD_HANDLERS = ['SIG_DFL', 'SIG_IGN', 'catch', 'other'] as const;

/** How the runner reports an old action's handler (PROTOCOL.md `sa`): 0 SIG_DFL, 1 SIG_IGN, 2 catch, 3 another. */
export function oldHandlerName(n: number): (typeof OLD_HANDLERS)[number] {
  return OLD_HANDLERS[n] ?? 'other';
}
