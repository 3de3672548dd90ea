// The form that edits a library entry in the side panel (only the changed fields are sent, with the
// required 修改原因) and creates one in 新增指标. The server's Chinese errors appear beside the field they name.
import { useState, type ReactNode } from 'react'
import type { CreateIndicatorBody, IndicatorEntry, PatchIndicatorBody } from '../../../shared/api/library.ts'
import { Dialog } from '../../components/Dialog.tsx'
import { createIndicator, entryOf, patchIndicator } from '../../lib/library-api.ts'
import { errorField } from '../../lib/tables-api.ts'
import { DepartmentSelect } from '../tables/FilterBar.tsx'
import type { DepartmentOption } from '../tables/departments.ts'
import { BASIS_OPTIONS, COMPARATOR_OPTIONS, LEVELS } from './catalog.ts'
import { FIELD_LABELS } from './fields.ts'

/** What the form holds: every editable field as typed. */
export interface Draft {
  level1: string
  level2: string
  level3: string
  explanation: string
  formula: string
  comparator: IndicatorEntry['comparator']
  typicalValue: string
  unit: string
  basis: string
  dataSource: string
  scope: IndicatorEntry['scope']
  core: boolean
  functionalClasses: string
  projectTypes: string
  departmentId: string
  reason: string
}

export const draftOf = (e?: IndicatorEntry): Draft => ({
  level1: e?.level1 ?? LEVELS[0]!.name,
  level2: e?.level2 ?? LEVELS[0]!.level2[0]!,
  level3: e?.level3 ?? '',
  explanation: e?.explanation ?? '',
  formula: e?.formula ?? '',
  comparator: e?.comparator ?? '≥',
  typicalValue: e?.typicalValue ?? '',
  unit: e?.unit ?? '',
  basis: e?.basis ?? '',
  dataSource: e?.dataSource ?? '',
  scope: e?.scope ?? 'common',
  core: e?.core ?? false,
  functionalClasses: e ? e.functionalClasses.join(' ') : '*',
  projectTypes: e ? e.projectTypes.join('、') : '',
  departmentId: e?.departmentId ?? '',
  reason: '',
})

const list = (s: string, sep: RegExp) => s.split(sep).map((x) => x.trim()).filter(Boolean)
const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i])

/** The draft as the API's fields (every one). */
export function fieldsOf(d: Draft) {
  return {
    level1: d.level1, level2: d.level2, level3: d.level3, explanation: d.explanation, formula: d.formula,
    comparator: d.comparator, typicalValue: d.typicalValue, unit: d.unit, basis: d.basis, dataSource: d.dataSource,
    scope: d.scope, core: d.core,
    functionalClasses: list(d.functionalClasses, /[\s,，、;；]+/),
    projectTypes: list(d.projectTypes, /[,，、;；]+/),
    departmentId: d.departmentId || null,
  }
}

/** The fields a change touches, compared with the entry as it was read. */
export function changesOf(e: IndicatorEntry, d: Draft): Partial<ReturnType<typeof fieldsOf>> {
  const f = fieldsOf(d)
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(f)) {
    const old = (e as unknown as Record<string, unknown>)[k]
    if (Array.isArray(v) ? !sameList(v, old as string[]) : v !== old) out[k] = v
  }
  return out
}

export type Errors = Partial<Record<keyof Draft | 'form', string>>

export function errorsOf(e: unknown): Errors {
  const field = errorField(e)?.split('.')[0]
  const msg = e instanceof Error ? e.message : String(e)
  return field && field in draftOf() ? { [field]: msg } : { form: msg }
}

export function EntryFields({ draft, set, errors, departments, mode, reasonText }: {
  draft: Draft
  set(patch: Partial<Draft>): void
  errors: Errors
  departments: readonly DepartmentOption[]
  mode: 'edit' | 'create'
  /** the reason field's label and placeholder when it is not 修改原因 (指标建议: 建议理由) */
  reasonText?: { label: string; placeholder: string }
}) {
  const level1 = LEVELS.find((l) => l.name === draft.level1)
  const level1Options = LEVELS.some((l) => l.name === draft.level1) ? LEVELS.map((l) => l.name) : [draft.level1, ...LEVELS.map((l) => l.name)]
  const level2Options = level1 ? (level1.level2.includes(draft.level2) ? level1.level2 : [draft.level2, ...level1.level2]) : [draft.level2]
  const basisOptions = !draft.basis || BASIS_OPTIONS.includes(draft.basis) ? BASIS_OPTIONS : [draft.basis, ...BASIS_OPTIONS]
  const field = (name: keyof Draft, control: ReactNode, hint?: string) => (
    <label className="tt-form-field tl-form-field" data-field={name}>
      <span>{name === 'reason' && reasonText ? reasonText.label : FIELD_LABELS[name]}</span>
      {control}
      {hint && !errors[name] && <p className="tt-form-hint">{hint}</p>}
      {errors[name] && <p className="tt-form-error" role="alert" data-testid={`error-${name}`}>{errors[name]}</p>}
    </label>
  )
  const input = (name: 'level3' | 'typicalValue' | 'unit' | 'dataSource' | 'functionalClasses' | 'projectTypes', props: { maxLength?: number; placeholder?: string } = {}) => (
    <input name={name} value={draft[name]} aria-invalid={!!errors[name] || undefined} onChange={(e) => set({ [name]: e.target.value })} {...props} />
  )
  return (
    <>
      <div className="tt-form-row">
        {field('level1', (
          <select name="level1" value={draft.level1} onChange={(e) => {
            const l = LEVELS.find((x) => x.name === e.target.value)
            set({ level1: e.target.value, level2: l && !l.level2.includes(draft.level2) ? l.level2[0]! : draft.level2 })
          }}>
            {level1Options.map((n) => <option key={n} value={n}>{n}</option>)}
          </select>
        ))}
        {field('level2', (
          <select name="level2" value={draft.level2} onChange={(e) => set({ level2: e.target.value })}>
            {level2Options.map((n) => <option key={n} value={n}>{n}</option>)}
          </select>
        ))}
      </div>
      {field('level3', input('level3', { maxLength: 200 }))}
      <div className="tt-form-row tl-form-value">
        {field('comparator', (
          <select name="comparator" value={draft.comparator} onChange={(e) => set({ comparator: e.target.value as Draft['comparator'] })}>
            {COMPARATOR_OPTIONS.map((c) => <option key={c} value={c}>{c}</option>)}
          </select>
        ))}
        {field('typicalValue', input('typicalValue', { maxLength: 200 }))}
        {field('unit', input('unit', { maxLength: 50 }))}
      </div>
      {field('explanation', <textarea name="explanation" rows={2} value={draft.explanation} aria-invalid={!!errors.explanation || undefined} onChange={(e) => set({ explanation: e.target.value })} />)}
      {field('formula', <textarea name="formula" rows={2} value={draft.formula} aria-invalid={!!errors.formula || undefined} onChange={(e) => set({ formula: e.target.value })} />)}
      <div className="tt-form-row">
        {field('basis', (
          <select name="basis" value={draft.basis} onChange={(e) => set({ basis: e.target.value })}>
            <option value="">（未填）</option>
            {basisOptions.map((b) => <option key={b} value={b}>{b}</option>)}
          </select>
        ))}
        {field('dataSource', input('dataSource', { maxLength: 500 }))}
      </div>
      <div className="tt-form-row">
        {field('scope', (
          <select name="scope" value={draft.scope} onChange={(e) => set({ scope: e.target.value as Draft['scope'] })}>
            <option value="common">共性指标</option>
            <option value="specific">个性指标</option>
          </select>
        ))}
        {field('departmentId', <DepartmentSelect name="departmentId" value={draft.departmentId} options={departments} placeholder="全局（不限部门）" onChange={(id) => set({ departmentId: id })} invalid={!!errors.departmentId} />)}
      </div>
      <label className="tt-check tl-core-check">
        <input type="checkbox" name="core" checked={draft.core} onChange={(e) => set({ core: e.target.checked })} />
        <span>★ 核心指标（本类项目必选）</span>
      </label>
      {errors.core && <p className="tt-form-error" role="alert">{errors.core}</p>}
      {field('functionalClasses', input('functionalClasses', { placeholder: '如 20502 20701，* 表示全部' }), '功能分类科目代码（类 3 位、款 5 位、项 7 位），空格分隔；* 表示适用于全部')}
      {field('projectTypes', input('projectTypes', { placeholder: '如 培训、会议' }), '用顿号分隔')}
      {field('reason', (
        <textarea name="reason" rows={2} value={draft.reason} aria-invalid={!!errors.reason || undefined}
          placeholder={reasonText?.placeholder ?? (mode === 'edit' ? '必填：说明为什么修改，例如“依据 2026 年新标准调整”' : '选填：默认“新增指标”')}
          onChange={(e) => set({ reason: e.target.value })} />
      ))}
    </>
  )
}

/** Edit in place: the panel swaps the entry's fields for this form. */
export function EditEntryForm({ entry, departments, onCancel, onSaved }: {
  entry: IndicatorEntry
  departments: readonly DepartmentOption[]
  onCancel(): void
  onSaved(): void
}) {
  const [draft, setDraft] = useState(() => draftOf(entry))
  const [errors, setErrors] = useState<Errors>({})
  const [saving, setSaving] = useState(false)
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }))
  const changes = changesOf(entry, draft)
  const changed = Object.keys(changes).length > 0

  const save = async () => {
    if (!draft.reason.trim()) return setErrors({ reason: '修改原因必填：请说明为什么修改这条指标' })
    setSaving(true)
    setErrors({})
    try {
      const body: PatchIndicatorBody = { ...changes, reason: draft.reason.trim(), version: entry.version }
      await patchIndicator(entry.id, body)
      onSaved()
    } catch (e) {
      setErrors(errorsOf(e))
    } finally {
      setSaving(false)
    }
  }

  return (
    <form className="tt-form tl-form" data-testid="edit-form" onSubmit={(e) => { e.preventDefault(); void save() }}>
      <EntryFields draft={draft} set={set} errors={errors} departments={departments} mode="edit" />
      {errors.form && <p className="tt-form-error" role="alert" data-testid="form-error">{errors.form}</p>}
      <div className="tl-form-foot">
        {!changed && <span className="tt-muted tl-unchanged">尚未修改任何字段</span>}
        <button type="button" className="tt-button" onClick={onCancel} disabled={saving}>取消</button>
        <button type="submit" className="tt-button tt-button-primary" data-testid="save-indicator" disabled={saving || !changed}>{saving ? '正在保存…' : '保存修改'}</button>
      </div>
    </form>
  )
}

export function NewEntryDialog({ departments, onClose, onCreated }: {
  departments: readonly DepartmentOption[]
  onClose(): void
  onCreated(entry: IndicatorEntry): void
}) {
  const [draft, setDraft] = useState(() => draftOf())
  const [errors, setErrors] = useState<Errors>({})
  const [saving, setSaving] = useState(false)
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }))

  const save = async () => {
    if (!draft.level3.trim()) return setErrors({ level3: '三级指标必填：请填写指标名称' })
    setSaving(true)
    setErrors({})
    try {
      const body: CreateIndicatorBody = { ...fieldsOf(draft), ...(draft.reason.trim() ? { reason: draft.reason.trim() } : {}) }
      onCreated(entryOf(await createIndicator(body)))
    } catch (e) {
      setErrors(errorsOf(e))
    } finally {
      setSaving(false)
    }
  }

  return (
    <Dialog title="新增指标" width={640} busy={saving} onClose={onClose} testId="new-indicator-dialog"
      footer={<>
        <button type="button" className="tt-button" onClick={onClose} disabled={saving}>取消</button>
        <button type="submit" form="tl-new-form" className="tt-button tt-button-primary" disabled={saving}>{saving ? '正在保存…' : '保存'}</button>
      </>}>
      <form id="tl-new-form" className="tt-form tl-form" onSubmit={(e) => { e.preventDefault(); void save() }}>
        <EntryFields draft={draft} set={set} errors={errors} departments={departments} mode="create" />
        {errors.form && <p className="tt-form-error" role="alert">{errors.form}</p>}
      </form>
    </Dialog>
  )
}
