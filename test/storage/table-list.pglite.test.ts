// Runs the table list storage suite on embedded PGlite (in memory).
import { openTestDatabase } from '../helpers/database.ts'
import { defineTableListSuite } from './table-list-suite.ts'

defineTableListSuite('PGlite', () => openTestDatabase('pglite'))
