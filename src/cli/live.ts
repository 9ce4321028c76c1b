// The backends a command has open, so that Ctrl-C or SIGTERM can close them
// (the kernel backend's processes and mounts) before the process exits.
//
// The signal handlers are installed only while such a backend is open: the
// model has nothing to close, and a trap would make a long model run deaf to
// Ctrl-C (it never yields to the event loop, where the handler would run),
// where Node's default action ends it at once.

import type { Backend } from '../scenario/backend.js';

/** Installs the handlers that run `cleanup`; returns what removes them (Io.onInterrupt). */
export type InterruptTrap = (cleanup: () => Promise<void>) => () => void;

export class LiveBackends {
  private readonly open = new Set<Backend>();
  private uninstall: (() => void) | undefined;

  constructor(private readonly trap?: InterruptTrap) {}

  /** Tracks a backend from its creation until `release`; an in-process model backend is not tracked. */
  add(backend: Backend): Backend {
    if (backend.name === 'model') return backend;
    this.open.add(backend);
    if (this.uninstall === undefined && this.trap !== undefined) this.uninstall = this.trap(() => this.closeAll());
    return backend;
  }

  release(backend: Backend): void {
    this.open.delete(backend);
    if (this.open.size === 0) this.dispose();
  }

  /** How many backends are open (tracked). */
  get size(): number {
    return this.open.size;
  }

  /** Removes the handlers, if installed. */
  dispose(): void {
    this.uninstall?.();
    this.uninstall = undefined;
  }

  /** Closes every tracked backend (Backend.close is safe to call twice); rejects with the first failure after trying all. */
  async closeAll(): Promise<void> {
    const backends = [...this.open];
    this.open.clear();
    const results = await Promise.allSettled(backends.map((b) => b.close()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
  }
}
