// V8 flags the server runs with (`npm start`, and the server processes of the tests and benchmarks).
// Measured in bench/README.md → collab.ts: with 200 live tables, young-generation collections ran every
// ≈ 140 ms and took ≈ 8 ms each (Yjs structs and queued updates survive one scavenge); a 64 MiB
// semi-space makes them about four times rarer, and on a single CPU (a pinned process) V8's parallel
// GC helpers only take turns with the main thread, so one thread collects instead.
import os from 'node:os'

/** @param {number} [cpus] CPUs the server process may run on (default: this process's) */
export function serverNodeFlags(cpus = os.availableParallelism()) {
  return ['--max-semi-space-size=64', ...(cpus <= 1 ? ['--single-threaded-gc'] : [])]
}
