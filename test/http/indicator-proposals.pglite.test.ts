import { defineProposalSuite } from './indicator-proposals-suite.ts'

defineProposalSuite('pglite')
