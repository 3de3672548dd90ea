// /dev/grid?sample=S01&template=local-simple&peers=2&readonly=已批复 — a sample table in a local
// Y.Doc (no server): builds and tests the grid. With peers=2 two editors share a linked doc pair in
// one page. Exposes window.univerAPI (first grid) and the test hook window.__tt.
import * as Y from 'yjs'
import { parseTable, TEMPLATE_IDS, type TemplateId } from '../../shared/model/index.ts'
import { readThreads, toYDoc, yDocToJson } from '../../shared/ydoc/index.ts'
import { h, render } from '../lib/dom.ts'
import { mountGridEditor, type GridEditor } from '../grid/editor.ts'
import { loadValidator } from '../grid/findings.ts'
import { LocalLink, type Peer } from './local-link.ts'

const SAMPLES = import.meta.glob('../../shared/domain/samples/*.json', { import: 'default' })

const USERS = [
  { id: 'u-dev-a', name: '张三（财政局）', color: '#1677ff' },
  { id: 'u-dev-b', name: '李四（教育局）', color: '#d4380d' },
]

declare global {
  interface Window {
    univerAPI?: unknown
    __tt?: Record<string, unknown>
  }
}

export async function devGridPage(app: HTMLElement): Promise<void> {
  const q = new URLSearchParams(location.search)
  const sampleId = q.get('sample') ?? 'S01'
  const templateParam = q.get('template')
  const templateId = TEMPLATE_IDS.includes(templateParam as TemplateId) ? (templateParam as TemplateId) : undefined
  const peers = q.get('peers') === '2' ? 2 : 1
  const readOnly = q.get('readonly')
  const t0 = performance.now()

  const key = Object.keys(SAMPLES).find((k) => k.includes(`/${sampleId}-`) || k.endsWith(`/${sampleId}.json`))
  if (!key) {
    render(app, h('p', { class: 'tt-page tt-error' }, `没有样表 ${sampleId}`))
    return
  }
  const raw = structuredClone(await SAMPLES[key]!()) as Record<string, unknown>
  if (q.has('rows')) growIndicators(raw, Number(q.get('rows')))
  const parsed = parseTable(raw, { assignIds: true })
  if (!parsed.ok) {
    render(app, h('pre', { class: 'tt-page tt-error' }, parsed.problems.map((p) => `${p.path}: ${p.message}`).join('\n')))
    return
  }
  const link = new LocalLink(toYDoc(parsed.table), new Y.Doc())
  const sides: Peer[] = peers === 2 ? [link.a, link.b] : [link.a]
  const validate = await loadValidator()

  const hosts = sides.map(() => h('div', { class: 'tt-host' }))
  render(app, h('div', { class: 'tt-editor-page' },
    h('header', { class: 'tt-header' }, h('h1', null, `开发：${sampleId}${templateId ? ` · ${templateId}` : ''}`), h('span', null, '本地文档，不连接服务器')),
    h('div', { style: 'display:flex;flex:1;min-height:0;gap:4px' }, hosts.map((el) => h('div', { style: 'flex:1;min-width:0;display:flex;flex-direction:column' }, el)))))
  for (const el of hosts) el.style.flex = '1'

  const editors: GridEditor[] = []
  for (const [i, side] of sides.entries()) {
    editors.push(await mountGridEditor(hosts[i]!, {
      doc: side.doc,
      commentsDoc: side.commentsDoc,
      awareness: side.awareness,
      connection: side.connection,
      user: USERS[i]!,
      names: new Map(USERS.map((u) => [u.id, u.name])),
      readOnly: readOnly ? { reason: readOnly } : null,
      templateId,
      unitId: `target-table-${i === 0 ? 'a' : 'b'}`,
      validate,
    }))
  }
  window.univerAPI = editors[0]!.univerAPI
  window.__tt = {
    ready: true,
    loadMs: performance.now() - t0,
    link,
    docs: sides.map((s) => s.doc),
    editors,
    json: (i = 0) => yDocToJson(sides[i]!.doc),
    threads: (i = 0) => readThreads(sides[i]!.commentsDoc),
    findings: (i = 0) => editors[i]!.findings.findings(),
    layout: (i = 0) => editors[i]!.binding.layout,
    rowIds: (i = 0) => ((yDocToJson(sides[i]!.doc).indicators ?? []) as { id: string }[]).map((r) => r.id),
    stats: (i = 0) => editors[i]!.binding.stats,
  }
}

/** Bench helper: repeats the sample's annual rows up to `n` indicators (`?rows=100`). */
function growIndicators(raw: Record<string, unknown>, n: number): void {
  const rows = (raw.indicators ?? []) as Record<string, unknown>[]
  const annual = rows.filter((r) => (r.period ?? 'annual') === 'annual')
  let i = 0
  while (rows.length < n && annual.length) {
    const src = annual[i % annual.length]!
    rows.push({ ...src, id: undefined, level3: `${String(src.level3)}（${Math.floor(i / annual.length) + 2}）` })
    i++
  }
  raw.indicators = rows
}
