// 指标建议, the department's side: 建议新增指标 (a whole new entry) and 提出修改建议 (the changed fields of an
// entry), each with a required 建议理由. The same fields as finance's editor (EntryForm.tsx); the server's
// Chinese errors appear beside the field they name.
import { useState } from 'react'
import type { PublicUser } from '../../../shared/api/directory.ts'
import type { IndicatorEntry } from '../../../shared/api/library.ts'
import type { CreateProposalBody, Proposal } from '../../../shared/api/library-proposals.ts'
import { Dialog } from '../../components/Dialog.tsx'
import { createProposal } from '../../lib/library-api.ts'
import { errorField } from '../../lib/tables-api.ts'
import type { DepartmentOption } from '../tables/departments.ts'
import { EntryFields, changesOf, draftOf, fieldsOf, type Draft, type Errors } from './EntryForm.tsx'

const REASON_TEXT = { label: '建议理由', placeholder: '必填：说明为什么提出这条建议（财政局处理时会看到）' }

type FormErrors = Errors & { departmentId?: string }

/** The server names proposal fields as `fields.level3`; the form shows them beside `level3`. */
function proposalErrors(e: unknown): FormErrors {
  const field = (errorField(e) ?? '').replace(/^fields\./, '').split('.')[0]
  const msg = e instanceof Error ? e.message : String(e)
  return field && field in draftOf() ? { [field]: msg } : { form: msg }
}

/** The user's own departments with their units (the entry may belong to them, or to everyone). */
export function ownDepartments(user: PublicUser, departments: readonly DepartmentOption[]): DepartmentOption[] {
  const out: DepartmentOption[] = []
  let inside = false
  for (const d of departments) {
    if (d.depth === 0) inside = user.departmentIds.includes(d.id)
    if (inside || user.departmentIds.includes(d.id)) out.push(d)
  }
  return out
}

/** Which of the user's departments the proposal speaks for (asked only when there are several). */
function ProposingDepartment({ user, departments, value, onChange }: {
  user: PublicUser
  departments: readonly DepartmentOption[]
  value: string
  onChange(id: string): void
}) {
  if (user.departmentIds.length < 2) return null
  return (
    <label className="tt-form-field tl-form-field">
      <span>以哪个部门提出</span>
      <select name="proposingDepartment" value={value} onChange={(e) => onChange(e.target.value)}>
        {user.departmentIds.map((id) => <option key={id} value={id}>{departments.find((d) => d.id === id)?.name ?? id}</option>)}
      </select>
    </label>
  )
}

function useProposalForm(initial: Draft, user: PublicUser) {
  const [draft, setDraft] = useState(initial)
  const [errors, setErrors] = useState<FormErrors>({})
  const [saving, setSaving] = useState(false)
  const [departmentId, setDepartmentId] = useState(user.departmentIds[0] ?? '')
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }))
  const submit = async (body: () => CreateProposalBody | null, done: (p: Proposal) => void) => {
    if (!draft.reason.trim()) return setErrors({ reason: '建议理由必填：请说明为什么提出这条建议' })
    const b = body()
    if (!b) return
    setSaving(true)
    setErrors({})
    try {
      done((await createProposal({ ...b, ...(user.departmentIds.length > 1 ? { departmentId } : {}) })).proposal)
    } catch (e) {
      setErrors(proposalErrors(e))
    } finally {
      setSaving(false)
    }
  }
  return { draft, set, errors, setErrors, saving, submit, departmentId, setDepartmentId }
}

/** 建议新增指标: every field of a new entry and the reason. */
export function ProposeNewDialog({ user, departments, onClose, onDone }: {
  user: PublicUser
  departments: readonly DepartmentOption[]
  onClose(): void
  onDone(p: Proposal): void
}) {
  const f = useProposalForm(draftOf(), user)
  const save = () => f.submit(() => {
    if (!f.draft.level3.trim()) { f.setErrors({ level3: '三级指标必填：请填写指标名称' }); return null }
    return { kind: 'add', fields: fieldsOf(f.draft), reason: f.draft.reason.trim() }
  }, onDone)
  return (
    <Dialog title="建议新增指标" width={640} busy={f.saving} onClose={onClose} testId="propose-new-dialog"
      footer={<>
        <button type="button" className="tt-button" onClick={onClose} disabled={f.saving}>取消</button>
        <button type="submit" form="tl-propose-new" className="tt-button tt-button-primary" data-testid="submit-proposal" disabled={f.saving}>{f.saving ? '正在提交…' : '提交建议'}</button>
      </>}>
      <form id="tl-propose-new" className="tt-form tl-form" onSubmit={(e) => { e.preventDefault(); void save() }}>
        <p className="tt-form-hint">建议由财政局审核：采纳后指标加入指标库，不采纳会说明理由。处理结果见「我的建议」。</p>
        <ProposingDepartment user={user} departments={departments} value={f.departmentId} onChange={f.setDepartmentId} />
        <EntryFields draft={f.draft} set={f.set} errors={f.errors} departments={ownDepartments(user, departments)} mode="create" reasonText={REASON_TEXT} />
        {f.errors.form && <p className="tt-form-error" role="alert" data-testid="form-error">{f.errors.form}</p>}
      </form>
    </Dialog>
  )
}

/** 提出修改建议 on one entry: the fields as they are, the proposer changes some; only those are sent. */
export function ProposeChangeDialog({ user, entry, departments, onClose, onDone }: {
  user: PublicUser
  entry: IndicatorEntry
  departments: readonly DepartmentOption[]
  onClose(): void
  onDone(p: Proposal): void
}) {
  const f = useProposalForm(draftOf(entry), user)
  const changes = changesOf(entry, f.draft)
  const changed = Object.keys(changes).length > 0
  const save = () => f.submit(
    () => ({ kind: 'change', indicatorId: entry.id, baseVersion: entry.version, fields: changes, reason: f.draft.reason.trim() }),
    onDone,
  )
  return (
    <Dialog title={`提出修改建议：${entry.level3}`} width={640} busy={f.saving} onClose={onClose} testId="propose-change-dialog"
      footer={<>
        {!changed && <span className="tt-muted tl-unchanged">尚未修改任何字段</span>}
        <button type="button" className="tt-button" onClick={onClose} disabled={f.saving}>取消</button>
        <button type="submit" form="tl-propose-change" className="tt-button tt-button-primary" data-testid="submit-proposal" disabled={f.saving || !changed}>{f.saving ? '正在提交…' : '提交建议'}</button>
      </>}>
      <form id="tl-propose-change" className="tt-form tl-form" onSubmit={(e) => { e.preventDefault(); void save() }}>
        <p className="tt-form-hint">改动您认为应调整的字段并说明理由；财政局采纳后才会改动指标库（基于第 {entry.version} 版）。</p>
        <ProposingDepartment user={user} departments={departments} value={f.departmentId} onChange={f.setDepartmentId} />
        <EntryFields draft={f.draft} set={f.set} errors={f.errors} departments={ownDepartments(user, departments)} mode="edit" reasonText={REASON_TEXT} />
        {f.errors.form && <p className="tt-form-error" role="alert" data-testid="form-error">{f.errors.form}</p>}
      </form>
    </Dialog>
  )
}

/** The entry panel's action for a department user: 提出修改建议, then a line saying it was sent. */
export function ProposeChangeAction({ user, entry, departments }: {
  user: PublicUser
  entry: IndicatorEntry
  departments: readonly DepartmentOption[]
}) {
  const [open, setOpen] = useState(false)
  const [sent, setSent] = useState(false)
  return (
    <div className="tl-propose-action">
      {sent
        ? <p className="tt-saved" role="status" data-testid="proposal-sent">修改建议已提交，财政局处理后可在「我的建议」中查看结果。</p>
        : <p className="tt-form-hint tl-readonly" data-testid="read-only">指标库由财政局和第三方机构维护，您不能直接编辑；可以提出修改建议。</p>}
      <button type="button" className="tt-button" data-testid="propose-change" onClick={() => setOpen(true)}>提出修改建议</button>
      {open && <ProposeChangeDialog user={user} entry={entry} departments={departments} onClose={() => setOpen(false)} onDone={() => { setOpen(false); setSent(true) }} />}
    </div>
  )
}
