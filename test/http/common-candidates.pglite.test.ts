import { defineCommonCandidatesSuite } from './common-candidates-suite.ts'

defineCommonCandidatesSuite('pglite')
