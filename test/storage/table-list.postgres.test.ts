// Runs the table list storage suite on PostgreSQL when TEST_DATABASE_URL is set, in a private database.
import { describe, expect, it } from 'vitest'
import { TEST_DATABASE_URL, openTestDatabase } from '../helpers/database.ts'
import { defineTableListSuite } from './table-list-suite.ts'

if (TEST_DATABASE_URL) {
  defineTableListSuite('PostgreSQL', () => openTestDatabase('postgres'))
} else {
  describe('table list storage on PostgreSQL', () => {
    it('is not configured: set TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run these tests', () => {
      expect(TEST_DATABASE_URL).toBeUndefined()
    })
  })
}
