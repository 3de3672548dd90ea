import { defineConfig } from 'vitest/config'

// Two groups: everything that runs in Node first (files in parallel), then the browser tests one file
// at a time — typing into a real Chromium is timing-sensitive when it competes for 2 cores.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // names this run's migrated database templates, which test databases are copied from (test/helpers/templates.ts)
    globalSetup: ['test/helpers/global-setup.ts'],
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: { name: 'node', include: ['test/**/*.test.ts'], exclude: ['test/e2e/**'], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'browser', include: ['test/e2e/**/*.test.ts'], fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
})
