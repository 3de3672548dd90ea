import { defineApiSuite } from './api-suite.ts'

defineApiSuite('pglite')
