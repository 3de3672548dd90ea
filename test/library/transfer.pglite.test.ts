// Library xlsx import/export and versions over HTTP on embedded PGlite (test/library/transfer-suite.ts).
import { transferSuite } from './transfer-suite.ts'

transferSuite('pglite')
