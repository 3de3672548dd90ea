// Findings in place: runs the shared rule engine on the live table (debounced), tints the cells a
// finding points at and lists the findings in a side panel grouped by severity; a click selects the cell.
// The server's own check (pushed on the table's socket once the document settles) is authoritative:
// the panel shows its counts and time, marks each finding the server confirmed, and lists the server's
// findings itself when the local engine is not loaded.
import type { TargetTable } from '../../shared/model/index.ts'
import type { TableFindings } from '../../shared/ydoc/findings-message.ts'
import { h, render, debounce } from '../lib/dom.ts'
import type { GridBinding, Tint } from './binding.ts'
import { findingCells, groupFindings, SEVERITY_LABELS, type GridFinding } from './findings-map.ts'
import { withServerOnly } from './findings-merge.ts'

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
  /** The server's latest findings for this table (authoritative). */
  setServer(result: TableFindings): void
  dispose(): void
}

export function mountFindings(binding: GridBinding, validate: Validate | undefined): FindingsController {
  let current: GridFinding[] = []
  let validatedVersion = -1
  let server: TableFindings | null = null
  let confirmed = new Set<string>()
  const list = h('div', { class: 'tt-findings-list' })
  const summary = h('div', { class: 'tt-findings-summary' })
  const serverLine = h('div', { class: 'tt-findings-server', 'data-testid': 'server-findings' }, '服务器核对：等待中')
  const element = h('aside', { class: 'tt-findings', 'data-testid': 'findings' }, h('h2', null, '审核提示'), summary, serverLine, list)

  const run = () => {
    validatedVersion = binding.version
    const table = binding.table
    const layout = binding.layout
    try {
      current = validate ? withServerOnly(validate(table), server) : (server?.findings ?? [])
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
    if (!validate && !server) {
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
        'data-server': confirmed.has(findingKey(finding)) ? 'confirmed' : null,
        title: cell ? '点击定位到单元格' : '表样中没有对应单元格',
        onclick: () => { if (cell) binding.select(cell) },
      }, h('code', null, finding.ruleId), h('span', null, finding.message)))))))
  }

  const setServer = (result: TableFindings) => {
    server = result
    confirmed = new Set(result.findings.map(findingKey))
    const { errors, warnings, infos } = result.counts
    const at = new Date(result.computedAt)
    const time = Number.isNaN(at.getTime()) ? '' : `（${at.toLocaleTimeString('zh-CN', { hour12: false })}）`
    serverLine.dataset.errors = String(errors)
    serverLine.dataset.warnings = String(warnings)
    render(serverLine, `服务器核对${time}：错误 ${errors} · 警告 ${warnings} · 提示 ${infos}`)
    run()
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
    setServer,
    dispose() {
      later.cancel()
      off()
    },
  }
}

/** A finding's identity across the two engines' results: rule and place. */
function findingKey(f: { ruleId: string; path: string }): string {
  return `${f.ruleId}|${f.path}`
}
