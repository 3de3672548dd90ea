// V8 flags the server runs with (`npm start`, and the server processes of the tests and benchmarks).
// Measured in bench/README.md → collab.ts, 200 live tables × 5 editors at 2 edits/s each:
// - a 16 MiB semi-space, not 64: at 64 MiB each scavenge copied ≈ 9 MB of survivors in 23–38 ms every
//   ≈ 0.8 s, and those pauses were the p99 (34 ms); at 16 MiB they run every ≈ 0.1 s for 4–14 ms.
// - no allocation-site pretenuring: V8 saw Yjs's allocation sites survive (document structs live for
//   good) and moved short-lived objects from the same sites straight to the old generation, which then
//   grew by 12–16 MB/s of garbage and needed mark-compacts of up to 44 ms. Without it: GC time per run
//   −35–50 %, accepted → sent p99 12–14 → 7 ms, scavenges keep nothing.
// - pinned to a single CPU (a taskset), V8's parallel GC helpers only take turns with the main thread,
//   so one thread collects instead.
import os from 'node:os'

/** @param {number} [cpus] CPUs the server process may run on (default: this process's) */
export function serverNodeFlags(cpus = os.availableParallelism()) {
  return ['--max-semi-space-size=16', '--no-allocation-site-pretenuring', ...(cpus <= 1 ? ['--single-threaded-gc'] : [])]
}
