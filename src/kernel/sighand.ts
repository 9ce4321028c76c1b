// struct sighand_struct: the signal dispositions a thread group (or several
// processes cloned with CLONE_SIGHAND) share.

import type { SignalDisposition } from './signal_types.js';

export class SigHand {
  /** Index = signal number; absent means SIG_DFL. */
  private readonly actions = new Map<number, SignalDisposition>();

  constructor(readonly serial: number) {}

  get(sig: number): SignalDisposition {
    return this.actions.get(sig) ?? 'SIG_DFL';
  }

  set(sig: number, disposition: SignalDisposition): void {
    if (disposition === 'SIG_DFL') this.actions.delete(sig);
    else this.actions.set(sig, disposition);
  }

  copy(serial: number): SigHand {
    const copy = new SigHand(serial);
    for (const [sig, d] of this.actions) copy.actions.set(sig, d);
    return copy;
  }

  /** flush_signal_handlers(t, 0) at execve: handlers fall back to SIG_DFL, SIG_IGN stays. */
  flushHandlers(): void {
    for (const [sig, d] of this.actions) if (d === 'catch') this.actions.delete(sig);
  }

  entries(): [number, SignalDisposition][] {
    return [...this.actions].sort((a, b) => a[0] - b[0]);
  }
}
