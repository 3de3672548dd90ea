import { defineReviewCycleSuite } from './review-cycle-suite.ts'

defineReviewCycleSuite('pglite')
