// Signal names as strace prints them, to kernel numbers. strace names the
// real-time signals from the kernel's SIGRTMIN (32): SIGRTMIN, SIGRT_1, ...
// (strace's signalent.h); the scenario language writes them as numbers.

import { Signal } from '../abi/signal.js';

const NAMED = new Map<string, number>(Object.entries(Signal).filter((kv): kv is [string, number] => typeof kv[1] === 'number'));

/** The kernel number of an strace signal name, or null when it names none. */
export function straceSignal(name: string): number | null {
  const known = NAMED.get(name);
  if (known !== undefined) return known;
  if (name === 'SIGRTMIN') return 32;
  if (name === 'SIGIOT') return Signal.SIGABRT;
  if (name === 'SIGPOLL') return Signal.SIGIO;
  const rt = /^SIGRT_(\d+)$/.exec(name);
  if (rt !== null) {
    const n = 32 + Number(rt[1]);
    return n <= 64 ? n : null;
  }
  if (/^\d+$/.test(name)) return Number(name);
  return null;
}

/** A signal as the scenario language writes it: the kernel's name, or the number of a real-time one. */
export function scenarioSignal(sig: number): string {
  const name: string | undefined = Signal[sig];
  return name ?? String(sig);
}
