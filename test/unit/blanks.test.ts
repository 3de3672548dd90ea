// Blank is not broken (CONTRACT.md → Table JSON, issue 14 item 1): any field may be blank — absent, null
// or "" — and the table still parses (lenient and strict), validates with the blanks reported by the
// rules, lays out in every template of its kind, exports and diffs. Only what cannot be a table is refused.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  LIMITS, ROOT_SPECS, ROW_SPECS, fieldLabel, parseTable, parseTableOrThrow, strictSchemas,
  type ObjectSpec, type TargetTable, type TemplateId,
} from '../../shared/model/index.ts'
import { validateTable, type Finding } from '../../shared/rules/index.ts'
import { buildLayout, templatesFor } from '../../shared/layout/layout.ts'
import { changeLabel, diffTables } from '../../shared/diff/table-diff.ts'
import { exportDoc } from '../../server/export/document.ts'
import { tableXlsx } from '../../server/export/xlsx.ts'
import { sheetData } from '../../server/export/typst.ts'
import * as Y from 'yjs'
import { fromYDoc, setField, tableRoot, toYDoc } from '../../shared/ydoc/index.ts'
import { tableShapeChecker } from '../../server/collab/table-shape.ts'
import { blankedTableArb, type JsonPath } from '../helpers/arbitraries.ts'
import { loadSample } from '../helpers/samples.ts'

const SAMPLE_OF: Record<TemplateId, string> = {
  'mof2015-project': 'S01',
  'mof2015-dept': 'S06',
  'mof2021-core': 'S09',
  'local-simple': 'S03',
  'yth-flat': 'S10',
}

const raw = (id: string) => structuredClone(loadSample(id)) as Record<string, any>
const at = (findings: Finding[], ruleId: string) => findings.filter((f) => f.ruleId === ruleId).map((f) => f.path)

function parsed(input: unknown, mode: 'lenient' | 'strict' = 'lenient'): TargetTable {
  const r = parseTable(input, mode === 'strict' ? { mode: 'strict', assignIds: false } : {})
  if (!r.ok) throw new Error(JSON.stringify(r.problems))
  return r.table
}

/** Every null left in a canonical table: only amounts (and an absent 中期 split) may be null. */
function nullPaths(v: unknown, path = ''): string[] {
  if (v === null) return [path]
  if (Array.isArray(v)) return v.flatMap((x, i) => nullPaths(x, `${path}[${i}]`))
  if (typeof v === 'object' && v !== undefined) return Object.entries(v as object).flatMap(([k, x]) => nullPaths(x, path ? `${path}.${k}` : k))
  return []
}
const AMOUNT_PATH = /(^|\.)(total|fiscal|other|carryOver|weight|deptBudgetTotal|midTerm)$/

/** What a consumer does with a table: rules, layout in every template of its kind, the print document, a diff. */
function consume(before: TargetTable, table: TargetTable): Finding[] {
  const findings = validateTable(table)
  for (const template of templatesFor(table.kind)) {
    const layout = buildLayout(table, template)
    expect(layout.rowCount).toBeGreaterThan(0)
    sheetData(exportDoc({ tableId: 't', table, title: '', departmentName: '', status: 'draft', version: null, edition: 'internal', templateId: template }))
  }
  for (const change of diffTables(before, table)) changeLabel(table, change)
  return findings
}

/** The findings a blanked field must give, by the field's path (rules.md R-HEADER-REQUIRED, R-HEADER-DEPT-REQUIRED, R-GOAL-ANNUAL-REQUIRED). */
function expectedFindings(kind: TargetTable['kind'], path: JsonPath): string[] {
  const p = path.join('.')
  if (kind === 'department') {
    if (p === 'header' || p === 'header.deptName') return ['R-HEADER-DEPT-REQUIRED@header.deptName']
  } else {
    const required = ['projectName', 'competentDept', 'implementingUnit', 'projectAttribute', 'projectPeriod']
    if (p === 'header') return required.map((f) => `R-HEADER-REQUIRED@header.${f}`)
    const m = /^header\.(\w+)(\.name)?$/.exec(p)
    if (m && required.includes(m[1]!) && (!m[2] || m[1] === 'competentDept' || m[1] === 'implementingUnit')) return [`R-HEADER-REQUIRED@header.${m[1]}`]
    if (p === 'funds' || p === 'funds.annual' || p === 'funds.annual.total') return ['R-HEADER-REQUIRED@funds.annual']
  }
  if (p === 'annualGoal') return ['R-GOAL-ANNUAL-REQUIRED@annualGoal']
  return []
}

describe('random tables with random fields blanked', () => {
  it('parse (lenient and strict), validate with the blanked required fields reported, lay out, print and diff', () => {
    fc.assert(
      fc.property(blankedTableArb, ({ table, blanked, picks }) => {
        const r = parseTable(blanked)
        expect(r.ok, JSON.stringify(!r.ok && r.problems)).toBe(true)
        if (!r.ok) return
        const t = r.table
        // canonical: no null but amounts, and a fixpoint
        expect(nullPaths(t).filter((p) => !AMOUNT_PATH.test(p))).toEqual([])
        expect(parsed(t)).toEqual(t)
        // the live document holds the same blanks and reads back as the same canonical table
        expect(parsed(blanked, 'strict')).toEqual(t)
        const found = consume(parsed(table), t).map((f) => `${f.ruleId}@${f.path}`)
        for (const [path] of picks) for (const want of expectedFindings(t.kind, path)) expect(found, path.join('.')).toContain(want)
      }),
      { numRuns: 200 },
    )
  })
})

describe('blank fields, one by one', () => {
  it('accepts a null 功能分类 and keeps the table (the published table of issue 14)', () => {
    const s = raw('S01')
    s.header.functionalClass = null
    const t = parsed(s)
    expect(t.kind === 'project' && 'functionalClass' in t.header).toBe(false)
    expect(consume(parsed(raw('S01')), t).length).toBeGreaterThan(0)
  })

  it('accepts a null 项目期, or one with null parts, and reports it as R-HEADER-REQUIRED', () => {
    for (const period of [null, '', { start: null, end: null, years: null }, { start: '', end: '', years: '' }, {}]) {
      const s = raw('S03')
      s.header.projectPeriod = period
      const t = parsed(s)
      expect(at(validateTable(t), 'R-HEADER-REQUIRED'), JSON.stringify(period)).toContain('header.projectPeriod')
    }
  })

  it('accepts a header {} or null or none, naming every required field', () => {
    for (const header of [{}, null, undefined, '']) {
      const s = raw('S01')
      if (header === undefined) delete s.header
      else s.header = header
      const t = parsed(s)
      expect(t.kind === 'project' && t.header).toEqual({ projectName: '' })
      expect(at(validateTable(t), 'R-HEADER-REQUIRED')).toEqual(expect.arrayContaining(
        ['header.projectName', 'header.competentDept', 'header.implementingUnit', 'header.projectAttribute', 'header.projectPeriod']))
      consume(parsed(raw('S01')), t)
    }
    const d = raw('S06')
    d.header = null
    expect(at(validateTable(parsed(d)), 'R-HEADER-DEPT-REQUIRED')).toEqual(['header.deptName'])
  })

  it('keeps a code-name object with a blank name as a blank, reported like a missing one', () => {
    const s = raw('S01')
    s.header.competentDept = { code: '101', name: null }
    s.header.implementingUnit = { name: '' }
    s.header.functionalClass = { code: null, name: null }
    const t = parsed(s)
    expect(t.kind === 'project' && t.header.competentDept).toEqual({ code: '101', name: '' })
    expect(t.kind === 'project' && t.header.functionalClass).toEqual({ name: '' })
    const req = validateTable(t).filter((f) => f.ruleId === 'R-HEADER-REQUIRED')
    expect(req.map((f) => f.path)).toEqual(expect.arrayContaining(['header.competentDept', 'header.implementingUnit']))
    expect(req.find((f) => f.path === 'header.competentDept')!.message).toContain('主管部门未填写')
  })

  it('turns blank amounts ("", spaces, null, none) into null: reported as missing, never as R-FUND-FORMAT text', () => {
    const s = raw('S01')
    s.funds.annual = { total: '', fiscal: '   ', other: null }
    s.funds.midTerm = { total: '\u3000'.trim() }
    const t = parsed(s)
    expect(t.kind === 'project' && t.funds).toEqual({ annual: { total: null, fiscal: null, other: null }, midTerm: { total: null, fiscal: null, other: null } })
    const f = validateTable(t)
    expect(at(f, 'R-FUND-FORMAT')).toEqual([])
    expect(at(f, 'R-HEADER-REQUIRED')).toContain('funds.annual')
    for (const funds of [null, undefined, {}, { annual: null, midTerm: null }]) {
      const u = raw('S03')
      if (funds === undefined) delete u.funds
      else u.funds = funds
      const p = parsed(u)
      expect(p.kind === 'project' && p.funds.annual, JSON.stringify(funds)).toEqual({ total: null, fiscal: null, other: null })
      expect(at(validateTable(p), 'R-HEADER-REQUIRED')).toContain('funds.annual')
    }
    const d = raw('S06')
    d.taskTotals = null
    d.tasks[0].total = ' '
    d.header.deptBudgetTotal = ''
    const dt = parsed(d)
    expect(dt.kind === 'department' && [dt.taskTotals, dt.tasks[0]!.total, dt.header.deptBudgetTotal]).toEqual([{ total: null, fiscal: null, other: null }, null, null])
    expect(at(validateTable(dt), 'R-FUND-FORMAT')).toEqual([])
  })

  it('accepts a missing or null 年度目标 and 中期目标, reporting the annual one', () => {
    const s = raw('S01')
    delete s.annualGoal
    s.midTermGoal = null
    const t = parsed(s)
    expect([t.annualGoal, 'midTermGoal' in t]).toEqual(['', false])
    expect(at(validateTable(t), 'R-GOAL-ANNUAL-REQUIRED')).toEqual(['annualGoal'])
  })

  it('accepts rows whose fields are null, "" or missing, and lists that are null', () => {
    const s = raw('S01')
    s.indicators[0] = { level1: null, level2: null, level3: null, comparator: null, target: null, unit: null, period: null, remark: null, weight: '', core: null, valueKind: '', direction: null, explanation: null }
    s.indicators[1].target = ''
    delete s.indicators[2].unit
    s.coreIndicators = null
    s.priorYear = [{ level3: null, actual: null, period: '' }]
    s.unplaced = null
    const t = parsed(s)
    expect(t.indicators[0]).toEqual({ id: expect.any(String), period: 'annual', level1: '', level2: '', level3: '', comparator: '', target: '', unit: '', weight: null })
    expect(t.priorYear).toEqual([{ id: expect.any(String), level3: '' }])
    expect('coreIndicators' in t || 'unplaced' in t).toBe(false)
    consume(parsed(raw('S01')), t)
    const d = raw('S06')
    d.tasks[0] = { name: null, content: null, total: null, fiscal: '', other: undefined }
    d.tasks[1].name = ''
    const dt = parsed(d)
    expect(dt.kind === 'department' && dt.tasks[0]).toEqual({ id: expect.any(String), name: '', content: '', total: null, fiscal: null, other: null })
    consume(parsed(raw('S06')), dt)
    for (const list of [null, '', undefined]) {
      const e = raw('S06')
      e.indicators = list
      e.tasks = list
      const et = parsed(e)
      expect(et.kind === 'department' && [et.indicators, et.tasks]).toEqual([[], []])
      expect(at(validateTable(et), 'R-DEPT-TASK-REQUIRED').length).toBeGreaterThan(0)
    }
  })

  it('accepts null signatures, flags, enums and optional objects', () => {
    const s = raw('S01')
    Object.assign(s.header, { preparer: null, phone: null, unitLeader: '', fillDate: null, reviewOpinion: null, oneOff: null, crossYear: '', fundSource: null, fundingType: null })
    Object.assign(s, { moneyUnit: null, framework: ' ', title: null, id: null, waivers: { noServiceObject: null, reason: null }, budgetLink: '\u3000' })
    s.header.functionalClass = '  '
    const t = parsed(s)
    expect(t.kind === 'project' && t.header).not.toHaveProperty('preparer')
    expect(t.kind === 'project' && t.header).not.toHaveProperty('functionalClass')
    expect(t.kind === 'project' && t.header.unitLeader).toBe('')
    expect(t.waivers).toEqual({ noServiceObject: false, reason: '' })
    expect('moneyUnit' in t || 'framework' in t || 'budgetLink' in t || 'title' in t).toBe(false)
    consume(parsed(raw('S01')), t)
  })

  it('holds the same blanks in the live document and reads them back canonical', () => {
    const base = parsed(raw('S01'))
    const doc = toYDoc(base)
    const root = doc.getMap('table')
    const header = root.get('header') as import('yjs').Map<unknown>
    header.set('functionalClass', null)
    header.delete('implementingUnit')
    header.set('projectPeriod', '')
    root.set('midTermGoal', null)
    const r = fromYDoc(doc)
    expect(r.ok, JSON.stringify(!r.ok && r.problems)).toBe(true)
    if (!r.ok || r.table.kind !== 'project') return
    expect(r.table.header).not.toHaveProperty('functionalClass')
    expect(at(validateTable(r.table), 'R-HEADER-REQUIRED')).toEqual(expect.arrayContaining(['header.implementingUnit', 'header.projectPeriod']))
    // a strict reader still refuses what is not a blank
    header.set('functionalClass', 5)
    expect(fromYDoc(doc).ok).toBe(false)
  })

  it('lets the live document check (incremental and whole) accept blanks and still refuse wrong types', () => {
    const verdict = (base: TargetTable, op: (d: Y.Doc) => void) => {
      const doc = toYDoc(base)
      let tr: Y.Transaction | null = null
      doc.on('afterTransaction', (t: Y.Transaction) => (tr = t))
      doc.transact(() => op(doc), 'test')
      return { incremental: tableShapeChecker.incremental(doc, tr!, { actorId: 'u1' }), full: tableShapeChecker.full(doc) }
    }
    const project = parsed(raw('S01'))
    const dept = parsed(raw('S06'))
    const header = (d: Y.Doc) => tableRoot(d).get('header') as Y.Map<unknown>
    const firstRow = (d: Y.Doc, list = 'indicators') => (tableRoot(d).get(list) as Y.Array<Y.Map<unknown>>).get(0)
    const blanks: [TargetTable, (d: Y.Doc) => void][] = [
      [project, (d) => header(d).set('functionalClass', null)],
      [project, (d) => header(d).delete('competentDept')],
      [project, (d) => header(d).set('projectPeriod', '')],
      [project, (d) => setField(d, ['header', 'projectPeriod', 'start'], null)],
      [project, (d) => setField(d, ['header', 'implementingUnit', 'name'], null)],
      [project, (d) => tableRoot(d).set('header', null)],
      [project, (d) => tableRoot(d).delete('header')],
      [project, (d) => tableRoot(d).set('funds', null)],
      [project, (d) => setField(d, ['funds', 'annual', 'total'], ' ')],
      [project, (d) => (tableRoot(d).get('funds') as Y.Map<unknown>).delete('annual')],
      [project, (d) => tableRoot(d).delete('annualGoal')],
      [project, (d) => tableRoot(d).set('midTermGoal', null)],
      [project, (d) => tableRoot(d).set('indicators', null)],
      [project, (d) => tableRoot(d).set('waivers', null)],
      [project, (d) => firstRow(d).set('target', null)],
      [project, (d) => firstRow(d).delete('level3')],
      [project, (d) => firstRow(d).set('period', '')],
      [project, (d) => firstRow(d).set('weight', '')],
      [dept, (d) => tableRoot(d).set('taskTotals', null)],
      [dept, (d) => tableRoot(d).delete('tasks')],
      [dept, (d) => firstRow(d, 'tasks').set('name', null)],
      [dept, (d) => firstRow(d, 'tasks').delete('total')],
    ]
    for (const [base, op] of blanks) {
      const v = verdict(base, op)
      expect(v, op.toString()).toEqual({ incremental: [], full: [] })
    }
    const wrong: [TargetTable, (d: Y.Doc) => void][] = [
      [project, (d) => header(d).set('functionalClass', 5)],
      [project, (d) => tableRoot(d).set('header', 'x')],
      [project, (d) => tableRoot(d).set('indicators', 'rows')],
      [project, (d) => firstRow(d).set('target', 5)],
      [project, (d) => firstRow(d).delete('id')],
      [project, (d) => tableRoot(d).set('tasks', null)],
      [project, (d) => tableRoot(d).delete('year')],
      [dept, (d) => tableRoot(d).set('funds', null)],
      // keys that only name something on Object.prototype are unknown keys, blank or not
      ...['constructor', '__proto__', 'toString'].map((k): [TargetTable, (d: Y.Doc) => void] => [project, (d) => tableRoot(d).set(k, null)]),
      [project, (d) => header(d).set('constructor', null)],
      [project, (d) => header(d).set('__proto__', null)],
      [project, (d) => firstRow(d).set('__proto__', '')],
      [project, (d) => firstRow(d).set('hasOwnProperty', null)],
    ]
    for (const [base, op] of wrong) {
      const v = verdict(base, op)
      expect(v.incremental.length > 0 && v.full.length > 0, op.toString()).toBe(true)
    }
  })

  it('prints a blanked table of every template to xlsx', async () => {
    for (const [template, id] of Object.entries(SAMPLE_OF)) {
      const s = raw(id)
      s.header = s.kind === 'project' ? { functionalClass: null, projectPeriod: null, competentDept: { name: null }, implementingUnit: '' } : { deptName: null, functionalClass: null }
      s.annualGoal = null
      s.indicators = s.indicators.map((r: Record<string, unknown>, i: number) => (i % 2 ? { ...r, target: null, unit: '', comparator: undefined } : r))
      if (s.kind === 'project') s.funds = { annual: { total: '', fiscal: null } }
      else s.taskTotals = null
      const t = parsed(s)
      const buf = await tableXlsx(exportDoc({ tableId: 't', table: t, title: template, departmentName: '教育局', status: 'draft', version: null, edition: 'internal' }))
      expect(buf.subarray(0, 2).toString(), template).toBe('PK')
    }
  })
})

describe('what cannot be a table is still refused', () => {
  const cases: [string, (s: Record<string, any>) => void, string, string][] = [
    ['a list that is not a list', (s) => { s.indicators = 'rows' }, 'indicators', 'type'],
    ['a row that is not an object', (s) => { s.indicators[0] = null }, 'indicators[0]', 'not_object'],
    ['an unplaced cell that is not an object', (s) => { s.unplaced = ['D14'] }, 'unplaced[0]', 'not_object'],
    ['unknown kind', (s) => { s.kind = 'budget' }, 'kind', 'invalid_value'],
    ['no kind', (s) => { delete s.kind }, 'kind', 'invalid_value'],
    ['unknown template', (s) => { s.template = 'mof1999' }, 'template', 'invalid_value'],
    ['no template', (s) => { s.template = null }, 'template', 'invalid_value'],
    ['no year', (s) => { delete s.year }, 'year', 'required'],
    ['a blank year', (s) => { s.year = null }, 'year', 'type'],
    ['a header that is a number', (s) => { s.header = 5 }, 'header', 'type'],
    ['a code-name that is a number', (s) => { s.header.functionalClass = 2080101 }, 'header.functionalClass', 'type'],
    ['too many unplaced cells', (s) => { s.unplaced = Array.from({ length: LIMITS.auxRows + 1 }, () => ({ cell: 'A1', text: 'x' })) }, 'unplaced', 'too_many'],
    ['too many rows', (s) => { s.indicators = Array.from({ length: LIMITS.indicators + 1 }, () => ({})) }, 'indicators', 'too_many'],
  ]
  for (const [name, mutate, path, code] of cases) {
    it(name, () => {
      const s = raw('S01')
      mutate(s)
      const r = parseTable(s)
      expect(r.ok).toBe(false)
      if (r.ok) return
      expect(r.problems[0], JSON.stringify(r.problems)).toMatchObject({ path, code })
      expect(r.problems[0]!.message).toMatch(/[\u4e00-\u9fa5]/)
    })
  }
})

describe('a JSON key __proto__ beside a blank', () => {
  it('stays an unknown key: stripped from outside input, refused in the live document, never a prototype', () => {
    const s = raw('S01')
    s.header = JSON.parse('{"__proto__": {"projectName": "偷换的名称"}, "functionalClass": null}')
    const t = parsed(s)
    expect(t.kind === 'project' && t.header.projectName).toBe('')
    expect(Object.getPrototypeOf(t.header)).toBe(Object.prototype)
    const strict = parseTable({ ...parsed(raw('S01')), header: s.header }, { mode: 'strict', assignIds: false })
    expect(!strict.ok && strict.problems[0]).toMatchObject({ path: 'header', code: 'unknown_key' })
  })
})

describe('model additions for imports', () => {
  it('keeps 项目类别（预算管理） and the cells an import could not place, with ids', () => {
    const s = raw('S01')
    s.header.fundingType = '专项资金项目'
    s.unplaced = [{ cell: 'H3', text: '备注：含上年结转'.repeat(200), sheet: '附表1', reason: '无法对应到表样中的位置' }, { id: 'u_keep', cell: 'A40', text: '' }]
    const t = parseTableOrThrow(s)
    expect(t.kind === 'project' && t.header.fundingType).toBe('专项资金项目')
    expect(t.unplaced).toEqual([
      { id: expect.stringMatching(/^u_/), cell: 'H3', text: s.unplaced[0].text, sheet: '附表1', reason: '无法对应到表样中的位置' },
      { id: 'u_keep', cell: 'A40', text: '' },
    ])
    expect(fieldLabel('fundingType')).toBe('项目类别（预算管理）')
    expect(fieldLabel('unplaced')).toBe('导入时未能放置的内容')
    // the live document takes them too, and a diff names an unplaced cell by where it was
    expect(fromYDoc(toYDoc(t)).ok).toBe(true)
    const change = diffTables(parsed(raw('S01')), t).find((c) => c.path.startsWith('unplaced'))!
    expect(changeLabel(t, change)).toBe('附表1!H3')
  })

  it('normalises every field the schema has (canonical.ts mirrors schema.ts)', () => {
    const unwrap = (s: z.ZodType): z.ZodType => {
      if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) return unwrap(s.unwrap() as z.ZodType)
      if (s instanceof z.ZodUnion) return unwrap((s.options as z.ZodType[]).find((o) => unwrap(o) instanceof z.ZodObject) ?? s.options[0] as z.ZodType)
      return s
    }
    const compare = (spec: ObjectSpec, schema: z.ZodType, where: string) => {
      const obj = unwrap(schema) as z.ZodObject
      const keys = Object.keys(obj.shape)
      expect(Object.keys(spec).sort(), where).toEqual(keys.sort())
      for (const key of keys) {
        const sub = spec[key]!
        if (typeof sub === 'object') compare(sub.object, obj.shape[key] as z.ZodType, `${where}.${key}`)
        else expect(unwrap(obj.shape[key] as z.ZodType) instanceof z.ZodObject, `${where}.${key}`).toBe(false)
      }
    }
    const identity = ['kind', 'template', 'year']
    for (const [kind, schema] of [['project', strictSchemas.projectTable], ['department', strictSchemas.departmentTable]] as const) {
      const lists = Object.keys(schema.shape).filter((k) => unwrap(schema.shape[k as keyof typeof schema.shape] as z.ZodType) instanceof z.ZodArray)
      const rest = Object.keys(schema.shape).filter((k) => !identity.includes(k) && !lists.includes(k))
      expect(Object.keys(ROOT_SPECS[kind]).sort()).toEqual(rest.sort())
      for (const key of rest) {
        const sub = ROOT_SPECS[kind][key]!
        if (typeof sub === 'object') compare(sub.object, schema.shape[key as keyof typeof schema.shape] as z.ZodType, key)
      }
      for (const list of lists) {
        const arr = unwrap(schema.shape[list as keyof typeof schema.shape] as z.ZodType) as z.ZodArray
        compare(ROW_SPECS[list]!, arr.element as z.ZodType, list)
      }
    }
  })
})
