// Findings in place: runs the shared rule engine on the live table (debounced), tints the cells a
// finding points at and lists the findings in a side panel grouped by severity; a click selects the cell.
import type { TargetTable } from '../../shared/model/index.ts'
import { h, render, debounce } from '../lib/dom.ts'
import type { GridBinding, Tint } from './binding.ts'
import { findingCells, groupFindings, SEVERITY_LABELS, type GridFinding } from './findings-map.ts'

export type Validate = (table: TargetTable) => GridFinding[]

/**
 * The shared rule engine, when it is in the tree. WATCH OUT: shared/rules is written in parallel;
 * the glob keeps the build green without it (no findings then) and code-splits it into the editor chunk.
 */
export async function loadValidator(): Promise<Validate | undefined> {
  const mods = import.meta.glob('../../shared/rules/index.ts')
  const load = Object.values(mods)[0]
  if (!load) return undefined
  const m = (await load()) as { validateTable?: (t: TargetTable) => unknown[] }
  return m.validateTable ? (t) => m.validateTable!(t) as GridFinding[] : undefined
}

export interface FindingsController {
  readonly element: HTMLElement
  findings(): GridFinding[]
  /** Validates now (tests, benchmarks); normally it runs 150 ms after the last change. */
  runNow(): void
  dispose(): void
}

export function mountFindings(binding: GridBinding, validate: Validate | undefined): FindingsController {
  let current: GridFinding[] = []
  let validatedVersion = -1
  const list = h('div', { class: 'tt-findings-list' })
  const summary = h('div', { class: 'tt-findings-summary' })
  const element = h('aside', { class: 'tt-findings', 'data-testid': 'findings' }, h('h2', null, '审核提示'), summary, list)

  const run = () => {
    validatedVersion = binding.version
    const table = binding.table
    const layout = binding.layout
    try {
      current = validate ? validate(table) : []
    } catch (e) {
      console.error('[grid] rule engine failed', e)
      current = []
    }
    const tints = new Map<string, Tint>()
    for (const f of current) {
      if (f.severity === 'info') continue
      for (const pos of findingCells(f, layout, table)) {
        const anchor = layout.cells[pos.row]?.[pos.col]?.anchor
        if (anchor && tints.get(anchor) !== 'error') tints.set(anchor, f.severity)
      }
    }
    binding.setTints(tints)
    paint(table)
  }

  const paint = (table: TargetTable) => {
    const layout = binding.layout
    if (!validate) {
      render(summary, '规则引擎尚未加载')
      render(list)
      return
    }
    const groups = groupFindings(current, layout, table)
    const count = (s: string) => current.filter((f) => f.severity === s).length
    render(summary,
      h('span', { class: 'tt-count tt-error' }, `错误 ${count('error')}`),
      h('span', { class: 'tt-count tt-warning' }, `警告 ${count('warning')}`),
      h('span', { class: 'tt-count tt-info' }, `提示 ${count('info')}`))
    if (groups.length === 0) {
      render(list, h('p', { class: 'tt-empty' }, '未发现问题'))
      return
    }
    render(list, groups.map((g) => h('section', { class: `tt-group tt-${g.severity}` },
      h('h3', null, `${SEVERITY_LABELS[g.severity]}（${g.items.length}）`),
      h('ul', null, g.items.map(({ finding, cell }) => h('li', {
        class: 'tt-finding',
        'data-rule': finding.ruleId,
        title: cell ? '点击定位到单元格' : '表样中没有对应单元格',
        onclick: () => { if (cell) binding.select(cell) },
      }, h('code', null, finding.ruleId), h('span', null, finding.message)))))))
  }

  const later = debounce(run, 150)
  const off = binding.onRender(() => {
    if (binding.version !== validatedVersion) later()
  })
  run()
  return {
    element,
    findings: () => current,
    runNow: run,
    dispose() {
      later.cancel()
      off()
    },
  }
}
