// Placeholder so that the CLI compiles before the kernel backend is merged; its author replaces this file.
import type { Backend } from '../scenario/backend.js';

export function createKernelBackend(): Backend {
  throw new Error('kernel backend not merged yet');
}
