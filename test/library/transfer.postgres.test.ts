// Library xlsx import/export and versions over HTTP on PostgreSQL (TEST_DATABASE_URL; skipped without it).
import { describe, it } from 'vitest'
import { TEST_DATABASE_URL } from '../helpers/database.ts'
import { transferSuite } from './transfer-suite.ts'

if (TEST_DATABASE_URL) transferSuite('postgres')
else describe.skip('library transfer on PostgreSQL (TEST_DATABASE_URL not set)', () => it('skipped', () => undefined))
