// V8 flags the server runs with (`npm start`, and the server processes of the tests and benchmarks).
// Measured in bench/README.md → collab.ts. Young-generation size: with 200 live tables at 2 edits/s per
// editor, a 64 MiB semi-space made each scavenge copy ≈ 9 MB of survivors in 23–38 ms every ≈ 0.8 s,
// and those pauses were the p99 (34 ms); at 16 MiB scavenges run every ≈ 0.1 s for 4–7 ms and p99 is
// 11 ms at less CPU (8 MiB: the same). Pinned to a single CPU (a taskset), V8's parallel GC helpers
// only take turns with the main thread, so one thread collects instead.
import os from 'node:os'

/** @param {number} [cpus] CPUs the server process may run on (default: this process's) */
export function serverNodeFlags(cpus = os.availableParallelism()) {
  return ['--max-semi-space-size=16', ...(cpus <= 1 ? ['--single-threaded-gc'] : [])]
}
