// Backends for the CLI's tests: the model with one planted bug, and backends
// that cannot start, crash, or hang. Not imported by the CLI itself.

import type { Backend, CallOutcome } from '../scenario/backend.js';
import { createModelBackend } from '../scenario/model_backend.js';

/** `inner` with some methods replaced. */
export function wrapBackend(inner: Backend, over: Partial<Backend> = {}): Backend {
  return {
    name: inner.name,
    start: () => inner.start(),
    call: (actor, call, child) => inner.call(actor, call, child),
    idOf: (task, from) => inner.idOf(task, from),
    life: (task) => inner.life(task),
    ps: (actor) => inner.ps(actor),
    threads: (actor, target) => inner.threads(actor, target),
    status: (actor, target) => inner.status(actor, target),
    ns: (actor) => inner.ns(actor),
    close: () => inner.close(),
    // The optional views too, as the fuzzer generates them.
    ...(inner.otherNamespaces === undefined ? {} : { otherNamespaces: inner.otherNamespaces.bind(inner) }),
    ...(inner.jobs === undefined ? {} : { jobs: inner.jobs.bind(inner) }),
    ...over,
  };
}

/** The model, except that getpid() answers one more than it should. */
export function buggyModel(): Backend {
  const model = createModelBackend();
  return wrapBackend(model, {
    call: async (actor, call, child): Promise<CallOutcome> => {
      const outcome = await model.call(actor, call, child);
      if (call.name === 'getpid' && outcome.result.kind === 'value') return { ...outcome, result: { kind: 'value', value: outcome.result.value + 1 } };
      return outcome;
    },
  });
}
