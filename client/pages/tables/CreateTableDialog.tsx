// 新建绩效目标表: kind, template (each with its one-line description), year, department (those the server
// lets the caller create in for that year — a consultant's assignments are per year, so the choices follow
// the year), project name → POST /api/tables, then the blank official form opens in the grid.
// Server refusals are shown beside the field their details name.
import { useMemo, useState, type FormEvent } from 'react'
import type { DepartmentSummary, PublicUser } from '../../../shared/api/directory.ts'
import type { CreateTableBody } from '../../../shared/api/tables.ts'
import { KIND_LABELS, TABLE_KINDS } from '../../../shared/api/constants.ts'
import { TEMPLATES } from '../../../shared/model/templates.ts'
import { Dialog } from '../../components/Dialog.tsx'
import { createTable, errorField } from '../../lib/tables-api.ts'
import { useYearDepartments, yearDepartmentsPlaceholder, YearDepartmentNotes } from './YearDepartmentChoice.tsx'
import { budgetYear, DepartmentSelect } from './FilterBar.tsx'
import { Segmented } from '../../components/Segmented.tsx'

type Kind = CreateTableBody['kind']
type Field = 'kind' | 'template' | 'year' | 'departmentId' | 'projectName'
const FIELDS: readonly Field[] = ['kind', 'template', 'year', 'departmentId', 'projectName']
const MAX_PROJECT_NAME = 300

const templatesOf = (kind: Kind) => Object.values(TEMPLATES).filter((t) => t.kind === kind)

export default function CreateTableDialog({ user, departments, onClose }: {
  user: PublicUser
  /** the city's departments; the dialog offers those the caller may create in for the chosen year */
  departments: readonly DepartmentSummary[]
  onClose(): void
}) {
  const [kind, setKind] = useState<Kind>('project')
  const [template, setTemplate] = useState<CreateTableBody['template']>(templatesOf('project')[0]!.id)
  const [year, setYear] = useState(String(budgetYear()))
  // a user of one department (with or without units) most often files for that department itself
  const [departmentId, setDepartmentId] = useState(() => (user.role !== 'finance' && user.departmentIds.length === 1 ? user.departmentIds[0]! : ''))
  const [projectName, setProjectName] = useState('')
  const [errors, setErrors] = useState<Partial<Record<Field | 'form', string>>>({})
  const [busy, setBusy] = useState(false)
  const templates = useMemo(() => templatesOf(kind), [kind])
  const yearNumber = /^\d{4}$/.test(year.trim()) ? Number(year.trim()) : null
  // a department not offered for this year is not sent (it comes back if the year is changed back)
  const { assignments, options, chosen } = useYearDepartments(user, departments, yearNumber, departmentId)

  const chooseKind = (k: Kind) => {
    setKind(k)
    setTemplate(templatesOf(k)[0]!.id)
    setErrors({})
  }

  const check = (): Partial<Record<Field, string>> => {
    const e: Partial<Record<Field, string>> = {}
    // the range is the server's to judge (its message names the field); only a non-number stays here
    if (!/^\d{4}$/.test(year.trim())) e.year = '年度（year）应为四位数字，例如 2025'
    if (!chosen) e.departmentId = '请选择部门（departmentId）'
    if (kind === 'project' && !projectName.trim()) e.projectName = '请填写项目名称（projectName）'
    return e
  }

  const submit = async (ev: FormEvent) => {
    ev.preventDefault()
    const found = check()
    setErrors(found)
    if (Object.keys(found).length) return
    setBusy(true)
    const body: CreateTableBody = {
      kind, template, year: Number(year.trim()), departmentId: chosen,
      ...(kind === 'project' ? { projectName: projectName.trim() } : {}),
    }
    try {
      const created = await createTable(body)
      location.assign(`/tables/${encodeURIComponent(created.id)}`)
    } catch (e) {
      const field = errorField(e)
      const message = e instanceof Error ? e.message : String(e)
      setErrors(field && (FIELDS as readonly string[]).includes(field) ? { [field]: message } : { form: message })
      setBusy(false)
    }
  }

  const fieldError = (f: Field) => errors[f] && <p className="tt-form-error" role="alert" data-field={f}>{errors[f]}</p>

  return (
    <Dialog title="新建绩效目标表" onClose={onClose} busy={busy} width={600} testId="create-dialog"
      footer={<>
        <button type="button" className="tt-button" onClick={onClose} disabled={busy}>取消</button>
        <button type="submit" form="tt-create-form" className="tt-button tt-button-primary" disabled={busy}>{busy ? '正在创建…' : '创建并打开'}</button>
      </>}>
      <form id="tt-create-form" className="tt-form" onSubmit={(e) => void submit(e)} noValidate>
        <fieldset className="tt-form-field">
          <legend>表类型</legend>
          <Segmented name="kind" options={TABLE_KINDS} value={kind} onChange={chooseKind} label={(k) => KIND_LABELS[k]} />
          {fieldError('kind')}
        </fieldset>

        <fieldset className="tt-form-field">
          <legend>表样</legend>
          <div className="tt-choices">
            {templates.map((t) => (
              <label key={t.id} className={`tt-choice${template === t.id ? ' tt-on' : ''}`}>
                <input type="radio" name="template" value={t.id} checked={template === t.id} onChange={() => setTemplate(t.id)} />
                <span className="tt-choice-text">
                  <span className="tt-choice-title">{t.name}<span className="tt-choice-source">{t.issuedBy}</span></span>
                  <span className="tt-choice-desc">{t.description}</span>
                </span>
              </label>
            ))}
          </div>
          {fieldError('template')}
        </fieldset>

        <div className="tt-form-row">
          <label className="tt-form-field tt-year-field">
            <span>年度</span>
            <input name="year" inputMode="numeric" value={year} onChange={(e) => setYear(e.target.value)} aria-invalid={!!errors.year || undefined} />
            {fieldError('year')}
          </label>
          <label className="tt-form-field tt-grow">
            <span>部门</span>
            <DepartmentSelect name="departmentId" value={chosen} options={options} onChange={setDepartmentId} invalid={!!errors.departmentId}
              placeholder={yearDepartmentsPlaceholder(yearNumber, assignments)} />
            {fieldError('departmentId')}
            <YearDepartmentNotes user={user} year={yearNumber} assignments={assignments} offered={options.length} />
          </label>
        </div>

        {kind === 'project' && (
          <label className="tt-form-field">
            <span>项目名称</span>
            <input name="projectName" value={projectName} maxLength={MAX_PROJECT_NAME} placeholder="与预算项目库中的名称一致" autoFocus
              onChange={(e) => setProjectName(e.target.value)} aria-invalid={!!errors.projectName || undefined} />
            {fieldError('projectName')}
          </label>
        )}
        {errors.form && <p className="tt-form-error" role="alert">{errors.form}</p>}
      </form>
    </Dialog>
  )
}
