import { defineLearningSuite } from './learning-suite.ts'

defineLearningSuite('pglite')
