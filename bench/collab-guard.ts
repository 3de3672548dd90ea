// What the guard costs per update on a 300-indicator table, step by step: applying the update to the
// room's doc, inspecting what it integrated and the incremental structure check; against the
// whole-table strict parse it replaces, and the rebuild that undoes a refusal. Run: npx tsx bench/collab-guard.ts
import * as Y from 'yjs'
import { fromYDoc, insertRow, replaceText, rowIds, setRowField, tableRoot, toYDoc } from '../shared/ydoc/index.ts'
import { inspectIntegrated } from '../server/collab/guard.ts'
import { tableShapeChecker } from '../server/collab/table-shape.ts'
import { sampleTable } from '../test/helpers/collab-fixtures.ts'

const N = Number(process.env.N ?? 3000)
const base = toYDoc(sampleTable(300))
const bytes = Y.encodeStateAsUpdate(base).byteLength

function updatesOf(kind: 'cell' | 'goal' | 'row'): Uint8Array[] {
  const client = new Y.Doc()
  Y.applyUpdate(client, Y.encodeStateAsUpdate(base))
  const out: Uint8Array[] = []
  client.on('update', (u: Uint8Array) => out.push(u))
  const ids = rowIds(client, 'indicators')
  for (let i = 0; i < N; i++) {
    if (kind === 'cell') setRowField(client, 'indicators', ids[i % ids.length]!, 'target', String(1000 + i))
    else if (kind === 'goal') {
      const goal = tableRoot(client).get('annualGoal') as Y.Text
      replaceText(goal, goal.toString().slice(0, 200) + String(i))
    } else if (i < 600) insertRow(client, 'indicators', i % 300, { period: 'annual', level1: '产出指标', level2: '数量指标', level3: `新增${i}`, comparator: '≥', target: '1', unit: '个' })
  }
  return out
}

function measure(kind: 'cell' | 'goal' | 'row') {
  const ups = updatesOf(kind)
  const doc = new Y.Doc()
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(base))
  let tr: Y.Transaction | null = null
  doc.on('afterTransaction', (t: Y.Transaction) => (tr = t))
  const t = { apply: 0, inspect: 0, check: 0 }
  for (const u of ups) {
    const t0 = performance.now()
    Y.applyUpdate(doc, u, 'client')
    const t1 = performance.now()
    if (inspectIntegrated(doc, tr!, ['table'])) throw new Error('refused')
    const t2 = performance.now()
    if (tableShapeChecker.incremental(doc, tr!, { actorId: 'u' }).length) throw new Error('invalid')
    const t3 = performance.now()
    t.apply += t1 - t0
    t.inspect += t2 - t1
    t.check += t3 - t2
  }
  const us = (ms: number) => ((ms * 1000) / ups.length).toFixed(1)
  const total = t.apply + t.inspect + t.check
  console.log(`${kind.padEnd(4)} n=${ups.length}: apply ${us(t.apply)} µs + inspect ${us(t.inspect)} µs + structure check ${us(t.check)} µs = ${us(total)} µs per update`)
}

// warm up, then measure
updatesOf('cell')
console.log(`300-indicator table, ${bytes} bytes as one update`)
const runs = 50
let t0 = performance.now()
for (let i = 0; i < runs; i++) fromYDoc(base)
console.log(`whole-table strict parse (fromYDoc): ${(((performance.now() - t0) * 1000) / runs).toFixed(0)} µs`)
t0 = performance.now()
for (let i = 0; i < runs; i++) tableShapeChecker.full(base)
console.log(`whole-table check incl. Yjs layout (load, empty doc): ${(((performance.now() - t0) * 1000) / runs).toFixed(0)} µs`)
t0 = performance.now()
for (let i = 0; i < 10; i++) {
  const d = new Y.Doc()
  Y.applyUpdate(d, Y.encodeStateAsUpdate(base))
}
console.log(`doc rebuild after a refusal (from one encoded update): ${((performance.now() - t0) / 10).toFixed(2)} ms`)
measure('cell')
measure('goal')
measure('row')
