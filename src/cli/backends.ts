// The backends the CLI can run a scenario on, by name. Tests register their
// own (a scripted fake) under a new name.

import type { Backend } from '../scenario/backend.js';
import { createModelBackend } from '../scenario/model_backend.js';
import { createKernelBackend } from '../native/kernel_backend.js';

export type BackendFactory = () => Backend;

const factories = new Map<string, BackendFactory>([
  ['model', createModelBackend],
  ['kernel', createKernelBackend],
]);

export function registerBackend(name: string, factory: BackendFactory): void {
  factories.set(name, factory);
}

export function backendFactory(name: string): BackendFactory | undefined {
  return factories.get(name);
}

export function backendNames(): string[] {
  return [...factories.keys()];
}
