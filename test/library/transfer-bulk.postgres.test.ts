// A 50 000-row library import with planted bad rows on PostgreSQL (TEST_DATABASE_URL; skipped without it).
import { describe, it } from 'vitest'
import { TEST_DATABASE_URL } from '../helpers/database.ts'
import { bulkSuite } from './transfer-bulk-suite.ts'

if (TEST_DATABASE_URL) bulkSuite('postgres')
else describe.skip('a 50 000-row library import on PostgreSQL (TEST_DATABASE_URL not set)', () => it('skipped', () => undefined))
