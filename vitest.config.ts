import { defineConfig } from 'vitest/config'

// Three projects: the node files (two in parallel), the collaboration and fault files one at a time, the
// browser tests one file at a time — typing into a real Chromium is timing-sensitive when it competes for 2
// cores (two browser files at a time was slower: 440 → 478 s, every file's time nearly doubled).
// `npm test` (scripts/test.mjs) runs them as separate vitest processes: timing beside node (node at a lower
// CPU priority in the core the one-at-a-time timing files leave), then browser. A plain `vitest run` (or
// `npm test -- <args>`) runs the selected projects in one process in the groupOrder below.
// No group isolates modules: a worker imports the server once and runs its files one after another (every
// file still opens its own databases and servers; no test mocks modules or stubs globals). Node and timing
// groups: 549 → 427 s, imports 104 → 17–24 s (node+timing runs 17 s, full runs 24 s; bench/README.md, test
// suite duration).
const TIMING = ['test/collab/**/*.test.ts', 'test/faults/**/*.test.ts']

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
        // two files at a time: vitest's default on 2 cores is one (cores − 1), which leaves a core idle
        extends: true,
        test: { name: 'node', include: ['test/**/*.test.ts'], exclude: ['test/e2e/**', ...TIMING], maxWorkers: 2, isolate: false, sequence: { groupOrder: 0 } },
      },
      {
        // the collaboration and fault files wait on windows, restarts and pacing measured in wall time: alone, as before
        extends: true,
        test: { name: 'timing', include: TIMING, fileParallelism: false, isolate: false, sequence: { groupOrder: 1 } },
      },
      {
        // one worker process runs the browser files one after another without module isolation, so the server
        // modules are imported once and one Chromium and one client copy serve every file
        // (test/helpers/browser.ts: sharedBrowser, clientCopy); each file still starts its own server and database
        extends: true,
        test: {
          name: 'browser', include: ['test/e2e/**/*.test.ts'], fileParallelism: false, isolate: false,
          env: { TT_SHARE_BROWSER: '1' }, sequence: { groupOrder: 2 },
        },
      },
    ],
  },
})
