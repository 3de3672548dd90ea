// The form that starts a compiled book: 年度, departments (全部 or chosen from the tree — a department
// brings its units), 表类型, format, edition, optional 书名 → POST /api/compilations. A refusal is shown
// beside the field its details name (an empty book, too many tables), else under the form.
import { useMemo, useState, type FormEvent } from 'react'
import type { CompilationBody } from '../../../shared/api/export.ts'
import { EDITION_LABELS, EDITIONS, EXPORT_FORMATS, FORMAT_LABELS, KIND_LABELS, MAX_BOOK_TABLES, TABLE_KINDS, type Edition, type ExportFormat } from '../../../shared/api/constants.ts'
import { startCompilation } from '../../lib/export-api.ts'
import { errorField } from '../../lib/tables-api.ts'
import type { DepartmentOption } from '../tables/departments.ts'
import { budgetYear } from '../tables/FilterBar.tsx'
import { Segmented } from '../../components/Segmented.tsx'

type Kind = (typeof TABLE_KINDS)[number]
type KindChoice = 'all' | Kind
type Field = 'year' | 'departmentIds' | 'kinds' | 'format' | 'edition' | 'title'
const FIELDS: readonly Field[] = ['year', 'departmentIds', 'kinds', 'format', 'edition', 'title']
const MAX_TITLE = 100

export const defaultTitle = (year: number | string) => `${year}年度预算绩效目标表汇编`

export function CompilationForm({ departments, onStarted }: { departments: readonly DepartmentOption[]; onStarted(): void }) {
  const [year, setYear] = useState(String(budgetYear()))
  const [allDepartments, setAllDepartments] = useState(true)
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set())
  const [search, setSearch] = useState('')
  const [kinds, setKinds] = useState<KindChoice>('all')
  const [format, setFormat] = useState<ExportFormat>('pdf')
  const [edition, setEdition] = useState<Edition>('internal')
  const [title, setTitle] = useState('')
  const [errors, setErrors] = useState<Partial<Record<Field | 'form', string>>>({})
  const [busy, setBusy] = useState(false)
  const [started, setStarted] = useState<string | null>(null)

  // a unit whose department is picked is in the book already
  const parentOf = useMemo(() => {
    const m = new Map<string, string>()
    let root: string | null = null
    for (const d of departments) {
      if (d.depth === 0) root = d.id
      else if (root) m.set(d.id, root)
    }
    return m
  }, [departments])
  const shown = useMemo(() => {
    const q = search.trim()
    return q ? departments.filter((d) => d.name.includes(q) || d.code.includes(q)) : departments
  }, [departments, search])

  const toggle = (id: string, on: boolean) => {
    setPicked((old) => {
      const next = new Set(old)
      if (on) next.add(id)
      else next.delete(id)
      return next
    })
    setErrors((e) => ({ ...e, departmentIds: undefined }))
  }

  const check = (): Partial<Record<Field, string>> => {
    const e: Partial<Record<Field, string>> = {}
    if (!/^\d{4}$/.test(year.trim())) e.year = '年度（year）应为四位数字，例如 2025'
    if (!allDepartments && picked.size === 0) e.departmentIds = '请至少选择一个部门（departmentIds），或选择「全部部门」'
    if (title.trim().length > MAX_TITLE) e.title = `书名（title）不能超过 ${MAX_TITLE} 字`
    return e
  }

  const submit = async (ev: FormEvent) => {
    ev.preventDefault()
    const found = check()
    setErrors(found)
    setStarted(null)
    if (Object.keys(found).length) return
    // a picked unit under a picked department adds nothing
    const ids = [...picked].filter((id) => !picked.has(parentOf.get(id) ?? ''))
    const body: CompilationBody = {
      year: Number(year.trim()),
      format,
      edition,
      ...(allDepartments ? {} : { departmentIds: ids }),
      ...(kinds === 'all' ? {} : { kinds: [kinds] }),
      ...(title.trim() ? { title: title.trim() } : {}),
    }
    setBusy(true)
    try {
      const accepted = await startCompilation(body)
      setStarted(`已开始汇编「${body.title ?? defaultTitle(body.year)}」，共 ${accepted.total.toLocaleString('zh-CN')} 张表。进度见下方汇编记录。`)
      onStarted()
    } catch (e) {
      const field = errorField(e)?.split('.')[0]
      const message = e instanceof Error ? e.message : String(e)
      setErrors(field && (FIELDS as readonly string[]).includes(field) ? { [field]: message } : { form: message })
    } finally {
      setBusy(false)
    }
  }

  const fieldError = (f: Field) => errors[f] && <p className="tt-form-error" role="alert" data-field={f}>{errors[f]}</p>

  return (
    <form className="tt-card tc-form" onSubmit={(e) => void submit(e)} noValidate data-testid="compilation-form">
      <div className="tt-form">
        <div className="tt-form-row tc-row">
          <label className="tt-form-field tc-year">
            <span>年度</span>
            <input name="year" inputMode="numeric" value={year} onChange={(e) => setYear(e.target.value)} aria-invalid={!!errors.year || undefined} />
          </label>
          <label className="tt-form-field tt-grow">
            <span>书名<span className="tc-optional">（选填）</span></span>
            <input name="title" value={title} maxLength={MAX_TITLE + 20} placeholder={/^\d{4}$/.test(year.trim()) ? defaultTitle(year.trim()) : '书名'}
              onChange={(e) => setTitle(e.target.value)} aria-invalid={!!errors.title || undefined} />
          </label>
        </div>
        {fieldError('year')}
        {fieldError('title')}

        <fieldset className="tt-form-field">
          <legend>部门</legend>
          <div className="tt-segmented" role="radiogroup">
            <label className={allDepartments ? 'tt-on' : undefined}>
              <input type="radio" name="scope" value="all" checked={allDepartments} onChange={() => setAllDepartments(true)} />全部部门
            </label>
            <label className={!allDepartments ? 'tt-on' : undefined}>
              <input type="radio" name="scope" value="some" checked={!allDepartments} onChange={() => setAllDepartments(false)} />选择部门
            </label>
          </div>
          {!allDepartments && (
            <div className="tc-picker" data-testid="department-picker">
              <div className="tc-picker-bar">
                <input type="search" className="tc-picker-search" placeholder="搜索部门名称或编码" value={search} onChange={(e) => setSearch(e.target.value)} />
                <span className="tt-muted">已选 {picked.size} 个（部门含其下属单位）</span>
                {picked.size > 0 && <button type="button" className="tt-link-button" onClick={() => setPicked(new Set())}>清空</button>}
              </div>
              <ul className="tc-picker-list">
                {shown.map((d) => {
                  const viaParent = picked.has(parentOf.get(d.id) ?? '')
                  return (
                    <li key={d.id} className={d.depth ? 'tc-unit' : undefined}>
                      <label className="tt-check">
                        <input type="checkbox" name="departmentIds" value={d.id} checked={viaParent || picked.has(d.id)} disabled={viaParent}
                          onChange={(e) => toggle(d.id, e.target.checked)} />
                        {d.name}
                        <span className="tc-code">{d.code}</span>
                      </label>
                    </li>
                  )
                })}
                {shown.length === 0 && <li className="tt-muted">没有匹配的部门</li>}
              </ul>
            </div>
          )}
          {fieldError('departmentIds')}
        </fieldset>

        <div className="tt-form-row tc-row tc-wrap">
          <fieldset className="tt-form-field">
            <legend>表类型</legend>
            <Segmented name="kinds" options={(['all', ...TABLE_KINDS] as const)} value={kinds} onChange={setKinds} label={(k) => (k === 'all' ? '全部' : KIND_LABELS[k])} />
            {fieldError('kinds')}
          </fieldset>
          <fieldset className="tt-form-field">
            <legend>格式</legend>
            <Segmented name="format" options={EXPORT_FORMATS} value={format} onChange={setFormat} label={(f) => FORMAT_LABELS[f]} />
            {fieldError('format')}
          </fieldset>
          <fieldset className="tt-form-field">
            <legend>版本类型</legend>
            <Segmented name="edition" options={EDITIONS} value={edition} onChange={setEdition} label={(ed) => EDITION_LABELS[ed]} />
            {fieldError('edition')}
          </fieldset>
        </div>
        <p className="tt-form-hint">
          只收录该年度审核通过（已批复）的表，按部门编码排列。{edition === 'public' ? '公开版不含涉密表，也不含填报人、联系电话和签字栏。' : '内部版含涉密表和签字栏，仅供内部使用。'}
          一本最多 {MAX_BOOK_TABLES.toLocaleString('zh-CN')} 张表。
        </p>
        {errors.form && <p className="tt-form-error" role="alert">{errors.form}</p>}
        {started && <p className="tt-saved" role="status" data-testid="started">{started}</p>}
        <div className="tc-submit">
          <button type="submit" className="tt-button tt-button-primary" data-testid="start-compilation" disabled={busy}>{busy ? '正在提交…' : '开始汇编'}</button>
        </div>
      </div>
    </form>
  )
}
