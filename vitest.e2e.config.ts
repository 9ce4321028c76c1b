// The visualizer's end-to-end tests: real Chromium against `pidns viz` (npm run test:e2e; needs npm run build first).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
