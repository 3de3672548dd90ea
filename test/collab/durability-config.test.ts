// DURABILITY and the COLLAB_HOLD_* bounds: parsed and validated in server/config.ts (server/main.ts loads
// the config first, so a bad value stops the start with an error naming the variable), and carried by
// server/live.ts into the collaboration core.
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../server/config.ts'
import { createLive } from '../../server/live.ts'
import type { Storage } from '../../server/storage/index.ts'
import type { FindingsCache } from '../../server/tables/findings.ts'

describe('DURABILITY configuration', () => {
  it('defaults to store-first, takes relay, and refuses anything else naming the variable', () => {
    expect(loadConfig({}).durability).toBe('store-first')
    expect(loadConfig({ DURABILITY: 'store-first' }).durability).toBe('store-first')
    expect(loadConfig({ DURABILITY: 'relay' }).durability).toBe('relay')
    expect(() => loadConfig({ DURABILITY: 'fast' })).toThrow(/DURABILITY: must be 'store-first' or 'relay'/)
    expect(() => loadConfig({ DURABILITY: 'RELAY' })).toThrow(/DURABILITY/)
  })

  it('reads the hold bounds, in MiB for bytes, and refuses a room bound above the total', () => {
    expect(loadConfig({}).collabHold).toEqual({ roomUpdates: 20_000, roomBytes: 16 * 1024 * 1024, totalUpdates: 200_000, totalBytes: 64 * 1024 * 1024 })
    expect(loadConfig({ COLLAB_HOLD_ROOM_UPDATES: '500', COLLAB_HOLD_ROOM_MB: '2', COLLAB_HOLD_TOTAL_UPDATES: '5000', COLLAB_HOLD_TOTAL_MB: '8' }).collabHold).toEqual({
      roomUpdates: 500,
      roomBytes: 2 * 1024 * 1024,
      totalUpdates: 5000,
      totalBytes: 8 * 1024 * 1024,
    })
    expect(() => loadConfig({ COLLAB_HOLD_ROOM_UPDATES: '3' })).toThrow(/COLLAB_HOLD_ROOM_UPDATES/)
    expect(() => loadConfig({ COLLAB_HOLD_ROOM_UPDATES: '300000' })).toThrow(/COLLAB_HOLD_ROOM_UPDATES: must not exceed COLLAB_HOLD_TOTAL_UPDATES/)
    expect(() => loadConfig({ COLLAB_HOLD_TOTAL_MB: '8' })).toThrow(/COLLAB_HOLD_ROOM_MB: must not exceed COLLAB_HOLD_TOTAL_MB/)
  })

  it('reaches the collaboration core through createLive', async () => {
    // nothing is loaded or stored here: no database is needed, only the wiring
    const storage = { docLog: {}, db: {} } as unknown as Storage
    const findings = {} as FindingsCache
    const holdLimits = loadConfig({ COLLAB_HOLD_ROOM_UPDATES: '500' }).collabHold
    for (const durability of ['relay', 'store-first', undefined] as const) {
      const live = await createLive({ storage, findings, durability, holdLimits, log: 'quiet' })
      expect(live.stats().durability).toBe(durability ?? 'store-first')
      expect(live.stats().holdLimits).toEqual(holdLimits)
      await live.shutdown()
    }
  })
})
