// ChangeJournal without sockets: what a transaction's touches attribute (nested fields, long text, rows
// inserted, moved and deleted), the baseline taken from the loaded bytes, and changes applied from
// another process left out.
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { ChangeJournal } from '../../server/collab/journal.ts'
import { deleteRow, encodeTable, fromYDoc, insertRow, moveRow, replaceText, setField, setRowField, tableRoot, toYDoc } from '../../shared/ydoc/index.ts'
import type { TargetTable } from '../../shared/model/index.ts'
import { sampleTable } from '../helpers/collab-fixtures.ts'

/** A document wired as a room wires it: deletions noted after each transaction, touches recorded when told. */
function setup(content: TargetTable = sampleTable(6)) {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, encodeTable(content))
  const journal = new ChangeJournal()
  journal.loadedFrom([encodeTable(content)])
  let last: Y.Transaction | null = null
  doc.on('afterTransaction', (tr: Y.Transaction) => {
    last = tr
    journal.noteDeletions(tr)
  })
  const by = (user: string | null, edit: (d: Y.Doc) => void, remote = false) => {
    edit(doc)
    journal.record(last!, user, remote)
  }
  const settle = () => {
    const r = fromYDoc(doc)
    if (!r.ok) throw new Error(JSON.stringify(r.problems))
    return journal.settle(r.table).map(({ at: _at, ...c }) => c)
  }
  return { doc, journal, by, settle }
}

describe('ChangeJournal', () => {
  it('compares the first settle with what was loaded, and later ones with the settle before', () => {
    const { by, settle } = setup()
    by('alice', (d) => setRowField(d, 'indicators', 'ind-1', 'target', '42'))
    expect(settle()).toEqual([{ op: 'change', path: 'indicators[1].target', rowId: 'ind-1', field: 'target', before: sampleTable(6).indicators[1]!.target, after: '42', by: 'alice' }])
    by('bob', (d) => setRowField(d, 'indicators', 'ind-1', 'target', '43'))
    expect(settle()).toEqual([{ op: 'change', path: 'indicators[1].target', rowId: 'ind-1', field: 'target', before: '42', after: '43', by: 'bob' }])
    expect(settle()).toEqual([])
  })

  it('gives each leaf of a replaced object to the newest of its own touch and the replacement', () => {
    const { by, settle } = setup()
    by('alice', (d) => d.transact(() => {
      const m = new Y.Map<unknown>()
      m.set('code', '2050201')
      m.set('name', '学前教育')
      ;(tableRoot(d).get('header') as Y.Map<unknown>).set('functionalClass', m)
    }))
    by('bob', (d) => setField(d, ['header', 'functionalClass', 'code'], '2050299'))
    const changes = settle()
    expect(changes.map((c) => [c.path, c.after, c.by]).sort()).toEqual([
      ['header.functionalClass.code', '2050299', 'bob'],
      ['header.functionalClass.name', '学前教育', 'alice'],
    ])
  })

  it('gives a goal edited as text to its typist', () => {
    const { by, settle } = setup()
    by('carol', (d) => replaceText(tableRoot(d).get('annualGoal') as Y.Text, '目标1：新的年度目标。'))
    expect(settle()).toMatchObject([{ op: 'change', path: 'annualGoal', after: '目标1：新的年度目标。', by: 'carol' }])
  })

  it('gives an inserted, a moved and a deleted row each to who did it, whatever came after', () => {
    const { by, settle } = setup()
    by('bob', (d) => deleteRow(d, 'indicators', 'ind-2'))
    by('alice', (d) => insertRow(d, 'indicators', 0, { id: 'n1', period: 'annual', level1: '产出指标', level2: '数量指标', level3: '新指标', comparator: '≥', target: '1', unit: '个' }))
    by('carol', (d) => moveRow(d, 'indicators', 'ind-0', 5))
    expect(settle().map((c) => [c.op, c.rowId, c.by])).toEqual([
      ['remove', 'ind-2', 'bob'],
      ['add', 'n1', 'alice'],
      ['move', 'ind-0', 'carol'],
    ])
  })

  it('leaves changes applied from another process to that process, and keeps the ones made here', () => {
    const { by, settle } = setup()
    by(null, (d) => setRowField(d, 'indicators', 'ind-3', 'unit', '所'), true)
    by('alice', (d) => setRowField(d, 'indicators', 'ind-4', 'unit', '所'))
    by('server-user', (d) => setField(d, ['header', 'projectName'], '改名'))
    expect(settle().map((c) => [c.path, c.by]).sort()).toEqual([
      ['header.projectName', 'server-user'],
      ['indicators[4].unit', 'alice'],
    ])
  })

  it('takes the loaded content as the baseline without parsing the bytes when nothing was touched', () => {
    const doc = toYDoc(sampleTable(3))
    const journal = new ChangeJournal()
    journal.loadedFrom([new Uint8Array([1, 2, 3])]) // not even an update: never read
    const r = fromYDoc(doc)
    expect(r.ok && journal.settle(r.table)).toEqual([])
    expect(journal.touched).toBe(0)
  })
})
