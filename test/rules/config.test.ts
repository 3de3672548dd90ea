// RuleConfig: defaults as rules.md, and bureau changes (severity, on/off, thresholds, word lists) changing results.
import { describe, expect, it } from 'vitest'
import { RULE_IDS, RULES, defaultRuleConfig, mergeRuleConfig, severityOf } from '../../shared/rules/index.ts'
import { makeProject, patchRows, projectRows } from '../helpers/factories.ts'
import { of, pathsOf } from './helpers.ts'

describe('defaultRuleConfig', () => {
  it('has a setting for every rule of rules.md and one check per rule id', () => {
    expect(Object.keys(defaultRuleConfig.rules).sort()).toEqual([...RULE_IDS].sort())
    expect(RULES.map((r) => r.id)).toEqual([...RULE_IDS])
  })

  it('carries the rules.md default severities and thresholds', () => {
    expect(severityOf(defaultRuleConfig, 'R-OUTPUT-QUALITY')).toBe('warning')
    expect(severityOf(defaultRuleConfig, 'R-COST-REQUIRED', 'mof2021')).toBe('error')
    expect(severityOf(defaultRuleConfig, 'R-COST-REQUIRED', 'mof2015')).toBe('warning')
    expect(severityOf(defaultRuleConfig, 'R-VAGUE-WORDING', 'name')).toBe('warning')
    expect(defaultRuleConfig.level3).toEqual({ min: 3, minWhenLargeFunds: 6, largeFundsWan: 100, maxPerPeriod: 30, maxPerLevel2: 6 })
    expect(defaultRuleConfig.satisfaction).toMatchObject({ warnBelow: 70, warnAbove: 98 })
    expect(defaultRuleConfig.funds.toleranceWan).toBe(0.005)
    expect(defaultRuleConfig.costUnit.tolerancePercent).toBe(15)
    expect(defaultRuleConfig.deptTasks.coverageMinSharePercent).toBe(10)
    expect(defaultRuleConfig.goal).toMatchObject({ minLength: 15, maxLength: 500 })
    expect(defaultRuleConfig.quantShare.minPercent).toBe(50)
  })

  it('is frozen so no caller can change the defaults by accident', () => {
    expect(Object.isFrozen(defaultRuleConfig.level3)).toBe(true)
    expect(Object.isFrozen(defaultRuleConfig.terms.vague)).toBe(true)
  })
})

describe('mergeRuleConfig', () => {
  it('raises R-OUTPUT-QUALITY to an error for a bureau that wants it', () => {
    const t = makeProject({ indicators: projectRows().filter((r) => r.level2 !== '质量指标') })
    expect(of(t, 'R-OUTPUT-QUALITY').map((f) => f.severity)).toEqual(['warning'])
    const strict = mergeRuleConfig({ rules: { 'R-OUTPUT-QUALITY': { severity: 'error' } } })
    expect(of(t, 'R-OUTPUT-QUALITY', strict).map((f) => f.severity)).toEqual(['error'])
  })

  it('changes one case of a rule and leaves the others', () => {
    const cfg = mergeRuleConfig({ rules: { 'R-VAGUE-WORDING': { cases: { name: 'error' } } } })
    expect(severityOf(cfg, 'R-VAGUE-WORDING', 'name')).toBe('error')
    expect(severityOf(cfg, 'R-VAGUE-WORDING', 'goal')).toBe('warning')
  })

  it('forces one severity on every case with severityOverride', () => {
    const cfg = mergeRuleConfig({ severityOverride: { 'R-SATISFACTION-VALUE': 'warning' } })
    const t = makeProject({ indicators: patchRows(projectRows(), { 7: { comparator: '≤' } }) })
    expect(of(t, 'R-SATISFACTION-VALUE').map((f) => f.severity)).toEqual(['error'])
    expect(of(t, 'R-SATISFACTION-VALUE', cfg).map((f) => f.severity)).toEqual(['warning'])
  })

  it('switches a rule off', () => {
    const t = makeProject({ funds: { annual: { total: 120, fiscal: 100, other: 15 } } })
    expect(pathsOf(t, 'R-FUND-SUM', mergeRuleConfig({ rules: { 'R-FUND-SUM': { enabled: false } } }))).toEqual([])
  })

  it('moves thresholds: 三级 minimum, satisfaction ceiling, fund tolerance, cost-unit tolerance', () => {
    expect(pathsOf(makeProject(), 'R-LEVEL3-COUNT-MIN', mergeRuleConfig({ level3: { min: 10 } }))).toEqual(['indicators'])
    const sat96 = makeProject({ indicators: patchRows(projectRows(), { 7: { target: '96' } }) })
    expect(pathsOf(sat96, 'R-SATISFACTION-VALUE')).toEqual([])
    expect(pathsOf(sat96, 'R-SATISFACTION-VALUE', mergeRuleConfig({ satisfaction: { warnAbove: 95 } }))).toEqual(['indicators[7]'])
    const off = makeProject({ funds: { annual: { total: 120.01, fiscal: 100, other: 20 } } })
    expect(pathsOf(off, 'R-FUND-SUM')).toEqual(['funds.annual'])
    expect(pathsOf(off, 'R-FUND-SUM', mergeRuleConfig({ funds: { toleranceWan: 0.01 } }))).toEqual([])
    const cheap = makeProject({ indicators: patchRows(projectRows(), { 4: { target: '900' } }) })
    expect(pathsOf(cheap, 'R-COST-UNIT-CONSISTENCY')).toEqual([])
    expect(pathsOf(cheap, 'R-COST-UNIT-CONSISTENCY', mergeRuleConfig({ costUnit: { tolerancePercent: 5 } }))).toEqual(['indicators[4]'])
  })

  it('replaces word lists: a local vague term and a local unit', () => {
    const t = makeProject({ indicators: patchRows(projectRows(), { 6: { target: '稳中向好' } }) })
    expect(pathsOf(t, 'R-VAGUE-WORDING')).toEqual([])
    const cfg = mergeRuleConfig({ terms: { vague: [...defaultRuleConfig.terms.vague, '稳中向好'] } })
    expect(pathsOf(t, 'R-VAGUE-WORDING', cfg)).toEqual(['indicators[6]'])
    const box = makeProject({ indicators: patchRows(projectRows(), { 0: { unit: '箩筐' } }) })
    expect(pathsOf(box, 'R-VALUE-UNIT')).toEqual(['indicators[0]'])
    expect(pathsOf(box, 'R-VALUE-UNIT', mergeRuleConfig({ units: { extra: ['箩筐'] } }))).toEqual([])
  })

  it('leaves the defaults and the caller’s lists untouched, and refuses unknown rule ids', () => {
    const mine = ['保障']
    mergeRuleConfig({ terms: { vague: mine }, level3: { min: 1 } })
    expect(defaultRuleConfig.level3.min).toBe(3)
    expect(Object.isFrozen(mine)).toBe(false)
    expect(() => mergeRuleConfig({ rules: { 'R-NOPE': { enabled: false } } as never })).toThrow(/R-NOPE/)
  })
})
