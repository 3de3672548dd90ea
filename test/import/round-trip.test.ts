// Export → import gives the same content (issue 14, “The shared samples written as xlsx in their
// templates come back exactly”): every shared sample is written by our exporter (tableXlsx, internal
// edition with the signature block) in its own template and read back by importWorkbook; then random
// tables of every template (fast-check) make the same trip. The comparison drops row ids and what the
// template does not print (PRINTED below, with the reason for each) and treats as equal only what one
// printed cell cannot tell apart (the equivalences below: blanks, trimmed text, an amount's value, a
// code and name in one cell, the print order of grouped rows, the reader's reading of random value
// cells); the samples' indicator values are compared field by field as stored.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  TEMPLATES, normaliseLevel1, normaliseLevel2, parseAmount, parseTableOrThrow,
  type IndicatorRow, type TargetTable, type TemplateId,
} from '../../shared/model/index.ts'
import { formatCodeName, formatIndicatorValue, formatPeriod } from '../../shared/layout/codecs.ts'
import { normaliseSeparateValue, splitIndicatorValue } from '../../server/import/values.ts'
import { buildLayout, taskSums } from '../../shared/layout/layout.ts'
import { exportDoc } from '../../server/export/document.ts'
import { tableXlsx } from '../../server/export/xlsx.ts'
import { redactForEdition } from '../../server/export/edition.ts'
import { importWorkbook } from '../../server/import/index.ts'
import { departmentTableArb, projectTableArb } from '../helpers/arbitraries.ts'
import { loadSample, sampleFiles } from '../helpers/samples.ts'

const SIGNATURES = ['preparer', 'phone', 'unitLeader', 'fillDate', 'reviewOpinion'] as const

/**
 * What each template prints, hence what can come back. Everything else of a table is dropped before
 * comparing — the reason for each left-out field is given here:
 * - all templates: the table's `id` and `title` (the form prints the template's title, not the listing
 *   title); `waivers`, `budgetLink`, `coreIndicators`, `priorYear` (side data no form prints); on rows
 *   `valueKind`, `core`, `taskRef`, `formula` (no column in any template); `funds.*.carryOver` (only the
 *   self-evaluation form has 上年结转); header `projectCategory`, `fundingType`, `oneOff`, `crossYear`,
 *   `functionalClass`, `fundSource` (none of the four project forms prints them).
 * - mof2015-project: `projectLeader` (no 项目负责人 line on the official form); row extras (one 指标值 cell).
 * - mof2021-core: no 中期 half (funds.midTerm, midTermGoal and 中期 rows); `projectLeader`; `weight`,
 *   `direction`, `remark` (no column).
 * - local-simple: no 中期 half; rows print 指标值 (one string) and 备注 only.
 * - yth-flat: the flat heading has 单位名称 | 项目名称 | 预算数 | 年度目标 only — no 主管部门, 项目属性,
 *   项目期, 负责人, 财政拨款/其他资金 split, no 中期 half; rows print the separate 指标性质/指标值/度量单位,
 *   权重 and 指标方向性.
 * - mof2015-dept: only 部门（单位）名称 in the header (deptCode, deptType, functionalClass,
 *   deptBudgetTotal, deptFunctions have no line); 金额合计 prints the sum of the task amounts (the
 *   layout computes it), so the stored taskTotals are compared as those sums; no 中期 half.
 */
const PRINTED: Record<TemplateId, { header: readonly string[]; funds: 'split' | 'total' | 'none'; midTerm: boolean; row: readonly string[] }> = {
  'mof2015-project': {
    header: ['projectName', 'competentDept', 'implementingUnit', 'projectAttribute', 'projectPeriod', ...SIGNATURES],
    funds: 'split', midTerm: true, row: ['level1', 'level2', 'level3', 'value'],
  },
  'mof2021-core': {
    header: ['projectName', 'competentDept', 'implementingUnit', 'projectAttribute', 'projectPeriod', ...SIGNATURES],
    funds: 'split', midTerm: false,
    row: ['level1', 'level2', 'level3', 'comparator', 'target', 'unit', 'explanation', 'basis', 'scoringRule', 'dataSource'],
  },
  'local-simple': {
    header: ['projectName', 'projectLeader', 'competentDept', 'implementingUnit', 'projectAttribute', 'projectPeriod', ...SIGNATURES],
    funds: 'split', midTerm: false, row: ['level1', 'level2', 'level3', 'value', 'remark'],
  },
  'yth-flat': {
    header: ['projectName', 'implementingUnit', ...SIGNATURES],
    funds: 'total', midTerm: false, row: ['level1', 'level2', 'level3', 'comparator', 'target', 'unit', 'weight', 'direction'],
  },
  'mof2015-dept': {
    header: ['deptName', ...SIGNATURES],
    funds: 'none', midTerm: false, row: ['level1', 'level2', 'level3', 'value'],
  },
}

// ---- the comparison's equivalences (each a property of the printed form, not of the importer) -----

/** Blanks are one thing (CONTRACT.md → Table JSON); a cell's text is read trimmed (what a reader sees). */
function text(v: unknown): string {
  if (v === null || v === undefined) return ''
  return String(v).trim()
}

/** An amount as its exact value (the form prints numbers; `1,234.5` and 1234.5 are one amount); text as typed. */
function amount(v: unknown, unit: string): string {
  if (v === null || v === undefined || (typeof v === 'string' && v.trim() === '')) return ''
  const p = parseAmount(v as number | string, unit)
  return p.ok ? `#${p.micro}` : String(v).trim()
}

function number(v: unknown): string {
  return amount(v, '')
}

/**
 * A row as printed. `read`: the value cells as the reader (server/import/values.ts) takes what the form
 * prints — the one-string 指标值 (`≥95%`) split, or the separate 指标性质 | 指标值 | 度量单位 cells with a
 * sign typed in 指标值 moved, a repeated unit dropped … (each reported as a normalisation). Random text
 * such as `≥\n%` or `1%` + `%` has no other reading; the samples (well-formed) are compared as stored.
 */
function rowView(row: IndicatorRow, fields: readonly string[], read: boolean, year: number): Record<string, string> {
  const out: Record<string, string> = {}
  let value: { comparator: string; target: string; unit: string } = { comparator: text(row.comparator), target: text(row.target), unit: text(row.unit) }
  if (read && fields.includes('value')) value = splitIndicatorValue(text(formatIndicatorValue(row)), { year })
  else if (read) value = normaliseSeparateValue({ comparator: text(row.comparator), target: text(row.target), unit: text(row.unit) }, { year })
  for (const f of fields) {
    const v = (row as unknown as Record<string, unknown>)[f]
    if (f === 'level1') out[f] = normaliseLevel1(text(v)) // the form prints the canonical name
    else if (f === 'level2') out[f] = normaliseLevel2(text(v))
    else if (f === 'value' || f === 'comparator' || f === 'target' || f === 'unit') {
      out.comparator = value.comparator
      out.target = value.target
      out.unit = value.unit
    } else if (f === 'weight') out[f] = number(v)
    else if (f === 'direction') out[f] = text(v)
    else out[f] = text(v)
  }
  return out
}

/**
 * A row with neither 三级指标 nor 指标值 cannot be told from the form's blank lines (the padding under an
 * empty 二级, a blank form's …… rows): the reader takes it for one and keeps its other cells in `unplaced`.
 */
function isIndicatorLine(row: IndicatorRow, oneValue: boolean): boolean {
  return text(row.level3) !== '' || text(oneValue ? formatIndicatorValue(row) : row.target) !== ''
}

/** Row ids per period in the order the form prints them (the layout groups rows by 一级 and 二级). */
function printOrder(table: TargetTable): Map<string, number> {
  const layout = buildLayout(table)
  const order = new Map<string, number>()
  for (const row of layout.cells) {
    for (const cell of row) {
      const t = cell.target
      if (t.kind === 'row' && t.list === 'indicators' && !order.has(t.rowId)) order.set(t.rowId, order.size)
    }
  }
  return order
}

interface View { [k: string]: unknown }

/** What of `table` its template prints, in the printed order; `source`: compute the print order and 金额合计. */
function printed(table: TargetTable, source: boolean, exact = false): View {
  const p = PRINTED[table.template]
  const unit = table.moneyUnit ?? TEMPLATES[table.template].moneyUnit
  const header: Record<string, string> = {}
  const h = table.header as Record<string, unknown>
  for (const k of p.header) {
    const v = h[k]
    if (k === 'competentDept' || k === 'implementingUnit') header[k] = text(formatCodeName(v)).replace(/\s+/g, ' ') // code and name share one cell, split at the space
    else if (k === 'projectPeriod') header[k] = text(formatPeriod(v)) // one cell: start至end（N年）
    else header[k] = text(v)
  }
  // a 部门（单位）名称 cell that starts with a code (`152-中国民主促进会…`) is read as deptCode + deptName
  if (table.kind === 'department') {
    const code = source ? '' : text(table.header.deptCode)
    const name = header.deptName ?? ''
    header.deptName = (code ? `${code} ${name}` : name).replace(/^(\d[\d.]*)\s*(?:[-－—]\s*|\s+)/, '$1 ')
  }
  const view: View = {
    kind: table.kind, template: table.template, framework: table.framework ?? TEMPLATES[table.template].framework,
    year: table.year, moneyUnit: unit, header, annualGoal: text(table.annualGoal),
  }
  if (table.kind === 'project') {
    const split = (f: { total?: unknown; fiscal?: unknown; other?: unknown } | null | undefined) =>
      p.funds === 'total' ? { total: amount(f?.total, unit) } : { total: amount(f?.total, unit), fiscal: amount(f?.fiscal, unit), other: amount(f?.other, unit) }
    view.annual = split(table.funds.annual)
    if (p.midTerm) {
      view.midTerm = split(table.funds.midTerm) // a blank 中期 split and no 中期 split print the same blank cells
      view.midTermGoal = text(table.midTermGoal)
    }
  } else {
    // a task row with nothing in it prints as (and is read as) a blank line of the task block
    view.tasks = table.tasks.filter((t) => [t.name, t.content, t.total, t.fiscal, t.other].some((v) => text(v) !== '')).map((t) => ({ name: text(t.name), content: text(t.content), total: amount(t.total, unit), fiscal: amount(t.fiscal, unit), other: amount(t.other, unit) }))
    const totals = source ? taskSums({ table, moneyUnit: unit, decimals: TEMPLATES[table.template].moneyDecimals }) : table.taskTotals
    view.taskTotals = { total: amount(totals.total, unit), fiscal: amount(totals.fiscal, unit), other: amount(totals.other, unit) }
  }
  const order = source ? printOrder(table) : undefined
  const periods = p.midTerm ? (['midTerm', 'annual'] as const) : (['annual'] as const)
  for (const period of periods) {
    let rows = table.indicators.filter((r) => (r.period ?? 'annual') === period)
    if (order) rows = rows.filter((r) => order.has(r.id)).sort((a, b) => order.get(a.id)! - order.get(b.id)!)
    view[`indicators.${period}`] = rows.filter((r) => isIndicatorLine(r, p.row.includes('value'))).map((r) => rowView(r, p.row, source && !exact, table.year))
  }
  return view
}

// ---- the trip -----------------------------------------------------------------------------------

const PERSON = { preparer: '王小明', phone: '13800138000', unitLeader: '李主任', fillDate: '2024年1月5日', reviewOpinion: '同意申报' }

async function trip(table: TargetTable) {
  const doc = exportDoc({ tableId: 't1', table, title: '测试表', departmentName: '南江市教育局', status: 'draft', version: null, edition: 'internal' })
  const xlsx = await tableXlsx(doc)
  return importWorkbook(new Uint8Array(xlsx), { fileName: 'trip.xlsx', year: table.year })
}

describe('the shared samples, exported in their templates, come back exactly', () => {
  it.each(sampleFiles())('%s', async (file) => {
    const raw = loadSample(file) as { header: Record<string, unknown> }
    const table = parseTableOrThrow({ ...raw, header: { ...raw.header, ...PERSON } })
    const { tables, report } = await trip(table)
    expect(tables).toHaveLength(1)
    const got = tables[0]!.content
    expect(printed(got, false, true)).toEqual(printed(table, true, true))
    // nothing left over, nothing refused
    expect(report.tables[0]!.unplaced).toEqual([])
    expect(got.unplaced ?? []).toEqual([])
    expect(report.problems.filter((p) => p.severity !== 'info')).toEqual([])
    expect(report.tables[0]!.template).toBe(table.template)
  })
})

describe('an approved version and the public edition make the trip too', () => {
  it('the version stamp beside 金额单位 is furniture; the public edition has no signature rows', async () => {
    const table = parseTableOrThrow(loadSample('S03'))
    const approved = exportDoc({
      tableId: 't1', table, title: '测试表', departmentName: '南江市农业农村局', status: 'approved', version: 2,
      versionReason: 'approved', versionAt: new Date(2026, 10, 20), edition: 'public',
    })
    expect(approved.stamp).toContain('审核通过')
    const { tables, report } = await importWorkbook(new Uint8Array(await tableXlsx(approved)), { fileName: 'v2.xlsx', year: table.year })
    expect(printed(tables[0]!.content, false, true)).toEqual(printed(redactForEdition(table, 'public'), true, true))
    expect(report.tables[0]!.unplaced).toEqual([])
  })
})

/**
 * fast-check tables of one template, with what no form can carry made consistent first:
 * - the framework is not printed: it is the template's, or mof2021 when a 一级 is 成本指标 (what the
 *   importer infers from the grid, tables.md §3);
 * - a blank 一级 or 二级 cell reads as “same as the row above” (local copies write them once per group),
 *   so rows get a non-blank 一级/二级;
 * - a 一体化 flat table with no 项目名称 and no indicator prints no project row at all.
 */
function ofTemplate(template: TemplateId): fc.Arbitrary<TargetTable> {
  const base = (TEMPLATES[template].kind === 'department' ? departmentTableArb : projectTableArb) as fc.Arbitrary<TargetTable>
  return base
    .map((t) => {
      const indicators = t.indicators.map((r) => ({
        ...r,
        level1: normaliseLevel1(r.level1) === '' ? '产出指标' : r.level1,
        level2: normaliseLevel2(r.level2) === '' ? '其他二级' : r.level2,
      }))
      const shown = TEMPLATES[template].hasMidTerm ? indicators : indicators.filter((r) => r.period === 'annual')
      const cost = shown.some((r) => normaliseLevel1(r.level1) === '成本指标')
      const framework = TEMPLATES[template].framework === 'mof2021' || cost ? 'mof2021' : 'mof2015'
      return parseTableOrThrow({ ...t, template, framework, indicators, header: { ...t.header, ...PERSON } })
    })
    .filter((t) => template !== 'yth-flat' || text((t.header as { projectName?: string }).projectName) !== '' || t.indicators.some((r) => r.period === 'annual'))
}

describe('random tables: export → import gives the printed content back, for every template', () => {
  it.each(Object.keys(TEMPLATES) as TemplateId[])('%s', async (template) => {
    await fc.assert(
      fc.asyncProperty(ofTemplate(template), async (table) => {
        const { tables } = await trip(table)
        expect(tables).toHaveLength(1)
        expect(printed(tables[0]!.content, false)).toEqual(printed(table, true))
      }),
      { numRuns: Number(process.env.TRIP_RUNS ?? 20) },
    )
  })
})
