import { describe, expect, it } from 'vitest'
import { TEST_DATABASE_URL } from '../helpers/database.ts'
import { defineCommonCandidatesSuite } from './common-candidates-suite.ts'

if (TEST_DATABASE_URL) defineCommonCandidatesSuite('postgres')
else {
  describe('common candidates on postgres', () => {
    it('is not configured: set TEST_DATABASE_URL to run it against PostgreSQL', () => {
      expect(TEST_DATABASE_URL).toBeUndefined()
    })
  })
}
