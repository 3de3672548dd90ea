// A 50 000-row library import with planted bad rows on embedded PGlite (test/library/transfer-bulk-suite.ts).
import { bulkSuite } from './transfer-bulk-suite.ts'

bulkSuite('pglite')
