// Department-table rules (rules.md §A/§C): tasks present, task sums, 金额合计 vs budget, task coverage.
import { describe, expect, it } from 'vitest'
import { mergeRuleConfig } from '../../shared/rules/index.ts'
import { departmentRows, makeDepartment, makeProject, row } from '../helpers/factories.ts'
import { of, pathsOf } from './helpers.ts'

describe('R-DEPT-TASK-REQUIRED', () => {
  it('is an error for a department table without 年度主要任务', () => {
    expect(of(makeDepartment({ tasks: [] }), 'R-DEPT-TASK-REQUIRED').map((f) => [f.path, f.severity])).toEqual([['tasks', 'error']])
  })

  it('names the task that lacks 主要内容 or 总额', () => {
    const d = makeDepartment()
    d.tasks[2] = { ...d.tasks[2]!, content: '', total: null }
    const f = of(d, 'R-DEPT-TASK-REQUIRED')
    expect(f.map((x) => [x.path, x.rowId])).toEqual([['tasks[2]', d.tasks[2]!.id]])
    expect(f[0]!.message).toContain('主要内容、总额')
  })

  it('is silent on complete tasks and never applies to project tables', () => {
    expect(pathsOf(makeDepartment(), 'R-DEPT-TASK-REQUIRED')).toEqual([])
    expect(pathsOf(makeProject(), 'R-DEPT-TASK-REQUIRED')).toEqual([])
  })
})

describe('R-DEPT-TASK-SUM', () => {
  it('is an error when the tasks sum to 1 530.00 but 金额合计 shows 1 580.00', () => {
    const d = makeDepartment({
      tasks: [
        { id: 'a', name: '机关运转保障', content: '人员和运转', total: 1000, fiscal: 1000, other: 0 },
        { id: 'b', name: '公益演出', content: '送戏下乡', total: 530, fiscal: 530, other: 0 },
      ],
      taskTotals: { total: 1580, fiscal: 1580, other: 0 },
      header: { deptBudgetTotal: 1580 },
    })
    const f = of(d, 'R-DEPT-TASK-SUM')
    expect(f.map((x) => [x.path, x.severity])).toEqual([['taskTotals', 'error']])
    expect(f[0]!.message).toContain('各任务总额合计 1530 万元，金额合计填报 1580 万元')
  })

  it('is an error on a task whose 总额 ≠ 财政拨款 + 其他资金', () => {
    const d = makeDepartment()
    d.tasks[2] = { ...d.tasks[2]!, other: 5 }
    expect(pathsOf(d, 'R-DEPT-TASK-SUM')).toEqual(['tasks[2]', 'taskTotals'])
  })

  it('is silent when every column adds up', () => {
    expect(pathsOf(makeDepartment(), 'R-DEPT-TASK-SUM')).toEqual([])
  })
})

describe('R-DEPT-TOTAL-MATCH', () => {
  it('warns with the gap when 金额合计 differs from the department budget', () => {
    const f = of(makeDepartment({ header: { deptBudgetTotal: 480 } }), 'R-DEPT-TOTAL-MATCH')
    expect(f.map((x) => [x.path, x.severity])).toEqual([['taskTotals', 'warning']])
    expect(f[0]!.message).toContain('多 20 万元')
  })

  it('can be turned into an error or switched off by the bureau', () => {
    const d = makeDepartment({ header: { deptBudgetTotal: 480 } })
    expect(of(d, 'R-DEPT-TOTAL-MATCH', mergeRuleConfig({ rules: { 'R-DEPT-TOTAL-MATCH': { severity: 'error' } } }))[0]!.severity).toBe('error')
    expect(of(d, 'R-DEPT-TOTAL-MATCH', mergeRuleConfig({ rules: { 'R-DEPT-TOTAL-MATCH': { enabled: false } } }))).toEqual([])
  })

  it('is silent without a department budget total', () => {
    expect(pathsOf(makeDepartment({ header: { deptBudgetTotal: undefined } }), 'R-DEPT-TOTAL-MATCH')).toEqual([])
  })
})

describe('R-DEPT-TASK-COVERAGE', () => {
  const withTask = (indicators = departmentRows()) => {
    const d = makeDepartment({ indicators })
    d.tasks.push({ id: 'env', name: '农村人居环境整治', content: '垃圾收运、厕所改造、污水治理', total: 800, fiscal: 800, other: 0 })
    d.taskTotals = { total: 1300, fiscal: 1290, other: 10 }
    d.header.deptBudgetTotal = 1300
    return d
  }

  it('warns about task “农村人居环境整治 800 万元” with no indicator about it', () => {
    const f = of(withTask(), 'R-DEPT-TASK-COVERAGE')
    expect(f.map((x) => [x.path, x.severity, x.rowId])).toEqual([['tasks[3]', 'warning', 'env']])
  })

  it('accepts an indicator whose name shares words with the task, or an explicit taskRef', () => {
    expect(pathsOf(withTask([...departmentRows(), row('产出指标', '数量指标', '人居环境整治村数', '≥', '18', '个')]), 'R-DEPT-TASK-COVERAGE')).toEqual([])
    expect(pathsOf(withTask([...departmentRows(), row('产出指标', '数量指标', '卫生厕所改造户数', '≥', '300', '户', { taskRef: '农村人居环境整治' })]), 'R-DEPT-TASK-COVERAGE')).toEqual([])
  })

  it('ignores tasks below 10% of 金额合计', () => {
    const d = makeDepartment()
    d.tasks[2] = { ...d.tasks[2]!, name: '档案数字化', total: 49, fiscal: 39, other: 10 }
    d.taskTotals = { total: 499, fiscal: 489, other: 10 }
    d.header.deptBudgetTotal = 499
    expect(pathsOf(d, 'R-DEPT-TASK-COVERAGE')).toEqual([])
  })
})
