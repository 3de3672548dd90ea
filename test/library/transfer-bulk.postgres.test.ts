// A 50 000-row library import with planted bad rows on PostgreSQL (TEST_DATABASE_URL; test/library/transfer-bulk-suite.ts).
import { describe, expect, it } from 'vitest'
import { TEST_DATABASE_URL } from '../helpers/database.ts'
import { bulkSuite } from './transfer-bulk-suite.ts'

if (TEST_DATABASE_URL) bulkSuite('postgres')
else {
  describe('a 50 000-row library import on postgres', () => {
    it('is not configured: set TEST_DATABASE_URL to run it against PostgreSQL', () => {
      expect(TEST_DATABASE_URL).toBeUndefined()
    })
  })
}
