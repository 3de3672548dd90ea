// patches/postgres+3.4.9.patch, queue.js: postgres.js keeps a pool's open connections in a queue that is
// rarely empty on a busy server; unpatched, each shift left a blank slot at the front that was only
// dropped when the queue emptied, so the array grew by one slot per query for as long as the process ran
// (found by the collab memory bench: ≈ 30 B per connect cycle, never levelling off). The patch drops the
// blank prefix once it is most of the array. FIFO order must hold across those compactions.
import v8 from 'node:v8'
import { describe, expect, it } from 'vitest'

type Q = { length: number; push(x: unknown): unknown; shift(): unknown; remove(x: unknown): unknown }
// the driver's own module, as patched by `npm install` (patch-package); it ships no types
const QUEUE_MODULE: string = '../../node_modules/postgres/src/queue.js'
const make = ((await import(QUEUE_MODULE)) as { default: (initial?: unknown[]) => Q }).default
const largeObjectBytes = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'large_object_space')!.space_used_size

describe('postgres.js queue (patched)', () => {
  it('keeps FIFO order, length and remove() across many compactions of a queue that never empties', () => {
    const q = make([0, 1])
    let next = 2
    let expected = 0
    for (let i = 0; i < 10_000; i++) {
      q.push(next++)
      expect(q.shift()).toBe(expected++)
      expect(q.length).toBe(2)
    }
    // remove() after compactions finds the element wherever it now sits
    q.push('x')
    q.push('y')
    expect(q.remove('x')).toBe('x')
    expect(q.remove('missing')).toBeNull()
    expect([q.shift(), q.shift(), q.shift(), q.length]).toEqual([expected, expected + 1, 'y', 0])
  })

  it('does not grow with the number of shifts while it holds one element (unpatched: 8 bytes a shift)', () => {
    const q = make(['held'])
    const before = largeObjectBytes()
    for (let i = 0; i < 1_000_000; i++) {
      q.push(i)
      q.shift()
    }
    // unpatched the backing array would now have 1 000 001 slots (≥ 8 MB, a large object); patched ≤ ~2 048
    expect(largeObjectBytes() - before).toBeLessThan(2 * 1024 * 1024)
    expect(q.length).toBe(1)
  })
})
