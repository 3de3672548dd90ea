import { describe, expect, it } from 'vitest'
import { TEST_DATABASE_URL } from '../helpers/database.ts'
import { defineLearningSuite } from './learning-suite.ts'

if (TEST_DATABASE_URL) defineLearningSuite('postgres')
else {
  describe('learning from approved tables on postgres', () => {
    it('is not configured: set TEST_DATABASE_URL to run it against PostgreSQL', () => {
      expect(TEST_DATABASE_URL).toBeUndefined()
    })
  })
}
