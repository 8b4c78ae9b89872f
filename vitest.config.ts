import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start Azurite and servers on free ports; give them room on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Most files wait on Azurite, the emulator and timers rather than compute (the suite's CPU time
    // is about half its wall time on 2 cores), so three files at a time instead of vitest's
    // default of one (cores - 1) roughly halves the wall time without starving any of them.
    maxWorkers: 3,
    // Each test file's temporary directories are removed when it ends (test/support/temp-dir.ts).
    setupFiles: ['./test/support/remove-temp-dirs.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
