import { describe, expect, it } from 'vitest'
import { TEST_DATABASE_URL } from '../helpers/database.ts'
import { defineApiSuite } from './api-suite.ts'

if (TEST_DATABASE_URL) defineApiSuite('postgres')
else {
  describe('HTTP API on postgres', () => {
    it('is not configured: set TEST_DATABASE_URL to run it against PostgreSQL', () => {
      expect(TEST_DATABASE_URL).toBeUndefined()
    })
  })
}
