// struct sighand_struct: the signal dispositions a thread group (or several
// processes cloned with CLONE_SIGHAND) share.

import type { SignalDisposition } from './signal_types.js';

export class SigHand {
  /** Signal number → disposition; absent means SIG_DFL. Made on first change (most processes never change one). */
  private actions: Map<number, SignalDisposition> | null = null;

  constructor(readonly serial: number) {}

  get(sig: number): SignalDisposition {
    return this.actions?.get(sig) ?? 'SIG_DFL';
  }

  set(sig: number, disposition: SignalDisposition): void {
    if (disposition === 'SIG_DFL') this.actions?.delete(sig);
    else (this.actions ??= new Map()).set(sig, disposition);
  }

  copy(serial: number): SigHand {
    const copy = new SigHand(serial);
    if (this.actions !== null && this.actions.size > 0) copy.actions = new Map(this.actions);
    return copy;
  }

  /** flush_signal_handlers(t, 0) at execve: handlers fall back to SIG_DFL, SIG_IGN stays. */
  flushHandlers(): void {
    if (this.actions === null) return;
    for (const [sig, d] of this.actions) if (d === 'catch') this.actions.delete(sig);
  }

  entries(): [number, SignalDisposition][] {
    return this.actions === null ? [] : [...this.actions].sort((a, b) => a[0] - b[0]);
  }
}
