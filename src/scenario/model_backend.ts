// Placeholder so that the CLI compiles before the model backend is merged; the lead replaces this file.
import type { Backend } from './backend.js';

export function createModelBackend(): Backend {
  throw new Error('model backend not merged yet');
}
