import { defineConfig } from 'vitest/config'

// Two groups: everything that runs in Node first (files in parallel), then the browser tests one file
// at a time — typing into a real Chromium is timing-sensitive when it competes for 2 cores.
// WATCH OUT: vitest's default is one worker per CPU minus one — a single worker on these 2-core machines,
// so the Node files ran one after another although most of their time is spent waiting (databases,
// sockets, child processes). Two workers keep both cores busy.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
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
