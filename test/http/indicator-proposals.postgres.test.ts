import { describe, expect, it } from 'vitest'
import { TEST_DATABASE_URL } from '../helpers/database.ts'
import { defineProposalSuite } from './indicator-proposals-suite.ts'

if (TEST_DATABASE_URL) defineProposalSuite('postgres')
else {
  describe('indicator proposals over HTTP on postgres', () => {
    it('is not configured: set TEST_DATABASE_URL to run it against PostgreSQL', () => {
      expect(TEST_DATABASE_URL).toBeUndefined()
    })
  })
}
