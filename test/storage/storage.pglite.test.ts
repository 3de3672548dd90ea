// Runs the shared storage suite on embedded PGlite (in memory); always runs.
import { openTestDatabase } from '../helpers/database.ts'
import { defineStorageSuite } from './storage-suite.ts'

defineStorageSuite('PGlite', () => openTestDatabase('pglite'))
