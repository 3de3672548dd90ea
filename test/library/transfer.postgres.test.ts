// Library xlsx import/export and versions over HTTP on PostgreSQL (TEST_DATABASE_URL; test/library/transfer-suite.ts).
import { describe, expect, it } from 'vitest'
import { TEST_DATABASE_URL } from '../helpers/database.ts'
import { transferSuite } from './transfer-suite.ts'

if (TEST_DATABASE_URL) transferSuite('postgres')
else {
  describe('library transfer on postgres', () => {
    it('is not configured: set TEST_DATABASE_URL to run it against PostgreSQL', () => {
      expect(TEST_DATABASE_URL).toBeUndefined()
    })
  })
}
