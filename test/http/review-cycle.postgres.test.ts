import { describe, expect, it } from 'vitest'
import { TEST_DATABASE_URL } from '../helpers/database.ts'
import { defineReviewCycleSuite } from './review-cycle-suite.ts'

if (TEST_DATABASE_URL) defineReviewCycleSuite('postgres')
else {
  describe('review cycle over HTTP on postgres', () => {
    it('is not configured: set TEST_DATABASE_URL to run it against PostgreSQL', () => {
      expect(TEST_DATABASE_URL).toBeUndefined()
    })
  })
}
