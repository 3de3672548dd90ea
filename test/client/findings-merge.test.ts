// The page's findings list (client/grid/findings-merge.ts): the local engine cannot judge R-CORE-REQUIRED against
// the library, so the server's findings of that rule join the local ones — once each, and no other server rule.
import { describe, expect, it } from 'vitest'
import { withServerOnly } from '../../client/grid/findings-merge.ts'
import type { GridFinding } from '../../client/grid/findings-map.ts'
import type { TableFindings } from '../../shared/ydoc/findings-message.ts'

const f = (ruleId: string, path: string, severity: GridFinding['severity'] = 'error'): GridFinding => ({ ruleId, path, severity, message: `${ruleId} ${path}` })
const server = (findings: GridFinding[]): TableFindings => ({ findings: findings as TableFindings['findings'], counts: { errors: findings.length, warnings: 0, infos: 0 }, computedAt: '2026-12-03T10:00:00Z' })

describe('the page lists the server’s R-CORE-REQUIRED beside its own findings', () => {
  it('adds the server’s library-core finding the local engine could not compute', () => {
    const local = [f('R-VALUE-REQUIRED', 'indicators[0]')]
    const merged = withServerOnly(local, server([f('R-VALUE-REQUIRED', 'indicators[0]'), f('R-CORE-REQUIRED', 'indicators.core.K-1'), f('R-GOAL-ANNUAL', 'annualGoal', 'warning')]))
    expect(merged.map((x) => `${x.ruleId}@${x.path}`)).toEqual(['R-VALUE-REQUIRED@indicators[0]', 'R-CORE-REQUIRED@indicators.core.K-1'])
  })

  it('keeps one finding when both found it, and the local list alone without a server check', () => {
    const local = [f('R-CORE-REQUIRED', 'indicators')]
    expect(withServerOnly(local, server([f('R-CORE-REQUIRED', 'indicators')]))).toEqual(local)
    expect(withServerOnly(local, null)).toBe(local)
    expect(withServerOnly([], server([]))).toEqual([])
  })
})
