// 同质化部门组 and 示范点 for one year (shared/api/groups.ts), on /admin (finance) and /ledger (finance and
// consultants): the groups with their members and source table; a new group (name, kind, members, the source
// department's table holding the shared set); 预览 shows per member what a propagation would add, update,
// remove or keep (the member's own changes) and who is skipped and why; 确认下发 writes it into the members'
// tables; 编辑 changes a group's name, members and source table. A consultant is offered only the departments
// assigned to it for the year (the server lists it only such groups and refuses other members).
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { GROUP_KIND_LABELS, type Group, type GroupKind, type PropagationItem, type PropagationMember, type PropagationReport } from '../../../shared/api/groups.ts'
import type { TableSummary } from '../../../shared/api/tables.ts'
import { DEPARTMENT_KIND_LABELS, type PublicUser } from '../../../shared/api/directory.ts'
import { createGroup, deleteGroup, listGroups, propagateGroup, updateGroup } from '../../lib/groups-api.ts'
import { errorField, isAbort, listTables } from '../../lib/tables-api.ts'
import { useAssignments, useDepartments } from '../../lib/use-departments.ts'
import '../registry/registry.css'
import './groups.css'

const message = (e: unknown) => (e instanceof Error ? e.message : String(e))

const OP_LABELS: Readonly<Record<PropagationItem['op'], string>> = { add: '新增', update: '更新', remove: '删除', keep: '保留成员修改' }
const OUTCOME_LABELS: Readonly<Record<PropagationMember['outcome'], [preview: string, done: string]>> = {
  written: ['将写入', '已写入'],
  created: ['将新建表', '已新建表'],
  unchanged: ['无变化', '无变化'],
  skipped: ['跳过', '跳过'],
}

function formatTime(iso: string | null): string {
  if (!iso) return '尚未下发'
  const d = new Date(iso)
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`
}

/**
 * The departments `user` may put in a group of `year`: null for finance (every one), a consultant's
 * assigned departments, undefined while they load or when they could not be read (`failed` says why).
 */
function useScope(user: PublicUser, year: number): { scope: ReadonlySet<string> | null | undefined; failed: string | null } {
  const assigned = useAssignments(user, year)
  const scope = useMemo(() => (assigned.state === 'ready' ? new Set(assigned.ids) : undefined), [assigned])
  if (user.role === 'finance') return { scope: null, failed: null }
  return { scope, failed: assigned.state === 'failed' ? assigned.message : null }
}

export function GroupsSection({ year, user }: { year: number; user: PublicUser }) {
  const { scope, failed: scopeFailed } = useScope(user, year)
  const [groups, setGroups] = useState<Group[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [report, setReport] = useState<{ group: Group; report: PropagationReport } | null>(null)
  const [busy, setBusy] = useState<string | null>(null)
  const [editing, setEditing] = useState<Group | null>(null)

  const load = useCallback((signal?: AbortSignal) => {
    return listGroups(year, signal).then((a) => setGroups(a.groups), (e) => { if (!isAbort(e)) setError(message(e)) })
  }, [year])
  useEffect(() => {
    const ctl = new AbortController()
    setGroups(null)
    setReport(null)
    setEditing(null)
    void load(ctl.signal)
    return () => ctl.abort()
  }, [load])

  const run = async (g: Group, dryRun: boolean) => {
    setBusy(g.id)
    setError(null)
    try {
      const r = await propagateGroup(g.id, { dryRun })
      setReport({ group: g, report: r })
      if (!dryRun) await load()
    } catch (e) {
      setError(`${g.name}：${message(e)}`)
    } finally {
      setBusy(null)
    }
  }

  const remove = async (g: Group) => {
    if (!window.confirm(`删除“${g.name}”？成员的表保留，只删除组和下发记录。`)) return
    setBusy(g.id)
    setError(null)
    try {
      await deleteGroup(g.id)
      if (report?.group.id === g.id) setReport(null)
      await load()
    } catch (e) {
      setError(`${g.name}：${message(e)}`)
    } finally {
      setBusy(null)
    }
  }

  return (
    <section className="tt-card tr-panel ta-groups" aria-label="同质化部门组与示范点">
      <div className="tr-panel-head">
        <h2>{year} 年同质化部门组与示范点</h2>
        <span className="tt-subtitle">
          组内共享一套指标：下发时写入各成员同年度同类的表，成员自己改过的指标保留；已报送、已批复的表不写入。
          {scope !== null && `成员只能选择本机构 ${year} 年负责的部门。`}
        </span>
      </div>
      {error && <div className="tt-alert" role="alert">{error}</div>}
      {groups === null ? (
        <p className="tt-placeholder" aria-busy="true">正在加载…</p>
      ) : groups.length === 0 ? (
        <p className="tt-subtitle">本年度还没有组。</p>
      ) : (
        <table className="tt-grid-list" data-testid="groups">
          <thead>
            <tr><th>组名</th><th>类型</th><th>成员</th><th>来源表</th><th>最近下发</th><th>操作</th></tr>
          </thead>
          <tbody>
            {groups.map((g) => (
              <tr key={g.id} data-group={g.name} aria-busy={busy === g.id}>
                <td>{g.name}</td>
                <td>{GROUP_KIND_LABELS[g.kind]}</td>
                <td>{g.members.map((m) => m.name).join('、')}</td>
                <td>{g.sourceTableTitle ?? <span className="tt-subtitle">未选择</span>}</td>
                <td>{formatTime(g.lastPropagatedAt)}</td>
                <td className="ta-group-actions">
                  <button type="button" className="tt-button" disabled={busy !== null || !g.sourceTableId} onClick={() => void run(g, true)}>预览</button>
                  <button type="button" className="tt-button" disabled={busy !== null} aria-pressed={editing?.id === g.id} onClick={() => { setReport(null); setEditing(g) }}>编辑</button>
                  <button type="button" className="tt-button" disabled={busy !== null} onClick={() => void remove(g)}>删除</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {report && (
        <ReportView group={report.group} report={report.report} busy={busy !== null} onConfirm={() => void run(report.group, false)} onClose={() => setReport(null)} />
      )}
      {editing && scope !== undefined && (
        <GroupForm
          key={editing.id}
          year={year}
          scope={scope}
          editing={editing}
          onCancel={() => setEditing(null)}
          onSaved={(g) => {
            setEditing(null)
            if (report?.group.id === g.id) setReport(null) // a preview of the group as it was
            setGroups((gs) => (gs ?? []).map((x) => (x.id === g.id ? g : x)).sort((a, b) => a.name.localeCompare(b.name)))
          }}
        />
      )}
      {scopeFailed ? (
        <p className="tt-error" role="alert" data-testid="group-scope-failed">读取本机构负责的部门失败：{scopeFailed}。请刷新页面重试。</p>
      ) : scope === undefined ? (
        <p className="tt-placeholder" aria-busy="true">正在加载本机构负责的部门…</p>
      ) : scope !== null && scope.size === 0 ? (
        <p className="tt-subtitle ta-new-group" data-testid="group-no-scope">本机构 {year} 年还没有负责的部门，财政局分配部门后可以新建组。</p>
      ) : (
        <GroupForm key={year} year={year} scope={scope} onSaved={(g) => { setGroups((gs) => [...(gs ?? []), g].sort((a, b) => a.name.localeCompare(b.name))) }} />
      )}
    </section>
  )
}

function ReportView({ group, report, busy, onConfirm, onClose }: { group: Group; report: PropagationReport; busy: boolean; onConfirm(): void; onClose(): void }) {
  const writes = report.members.filter((m) => m.outcome === 'written' || m.outcome === 'created').length
  return (
    <div className="ta-report" data-testid="propagation-report" aria-label={report.dryRun ? '下发预览' : '下发结果'}>
      <h3>{report.dryRun ? `预览：“${group.name}”下发 ${report.setSize} 项指标` : `已下发：“${group.name}”的 ${report.setSize} 项指标`}</h3>
      <table className="tt-grid-list">
        <thead>
          <tr><th>成员</th><th>结果</th><th>新增</th><th>更新</th><th>删除</th><th>保留</th><th>说明</th></tr>
        </thead>
        <tbody>
          {report.members.map((m) => (
            <MemberRow key={m.departmentId} member={m} dryRun={report.dryRun} />
          ))}
        </tbody>
      </table>
      <div className="ta-report-actions">
        {report.dryRun && (
          <button type="button" className="tt-button tt-button-primary" disabled={busy || writes === 0} onClick={onConfirm}>确认下发</button>
        )}
        <button type="button" className="tt-button" onClick={onClose}>{report.dryRun ? '取消' : '关闭'}</button>
        {report.dryRun && writes === 0 && <span className="tt-subtitle">没有需要写入的成员。</span>}
      </div>
    </div>
  )
}

function MemberRow({ member: m, dryRun }: { member: PropagationMember; dryRun: boolean }) {
  const [open, setOpen] = useState(false)
  const c = m.counts
  return (
    <>
      <tr data-member={m.departmentName} data-outcome={m.outcome}>
        <td>{m.departmentName}{m.tableTitle && <span className="tt-subtitle">（{m.tableTitle}）</span>}</td>
        <td>{OUTCOME_LABELS[m.outcome][dryRun ? 0 : 1]}</td>
        <td>{c.added}</td>
        <td>{c.updated}</td>
        <td>{c.removed}</td>
        <td>{c.kept}</td>
        <td>
          {m.message ?? ''}
          {m.items.length > 0 && (
            <button type="button" className="tt-button tg-inline" aria-expanded={open} onClick={() => setOpen(!open)}>{open ? '收起' : `明细（${m.items.length}）`}</button>
          )}
        </td>
      </tr>
      {open && m.items.map((it, i) => (
        <tr key={i} className="ta-item" data-op={it.op}>
          <td colSpan={2}>{OP_LABELS[it.op]}</td>
          <td colSpan={3}>{[it.level1, it.level2, it.name].filter(Boolean).join(' / ')}</td>
          <td colSpan={2}>
            {it.op === 'keep' ? `成员的值 ${it.before ?? '（已删除）'}${it.fields.length ? `（修改了 ${it.fields.join('、')}）` : ''}` : `${it.before ?? '—'} → ${it.after ?? '—'}`}
          </td>
        </tr>
      ))}
    </>
  )
}

/** Where a refusal of the server belongs: beside the field it names (`details.field`), else above the buttons. */
type FormField = 'name' | 'departmentIds' | 'sourceTableId' | 'form'
function fieldOf(e: unknown): FormField {
  const f = errorField(e)
  if (f === 'name') return 'name'
  if (f?.startsWith('departmentIds')) return 'departmentIds'
  if (f === 'sourceTableId') return 'sourceTableId'
  return 'form'
}

function FieldError({ at, error }: { at: FormField; error: { field: FormField; text: string } | null }) {
  if (!error || error.field !== at) return null
  return <p className="tt-form-error" role="alert" data-testid={`group-error-${at}`}>{error.text}</p>
}

/**
 * 新建组, or with `editing` 编辑 that group (PATCH /api/groups/:id: name, members, source table; the kind
 * stays). One form for both, so creation and editing show the same fields and the same refusals.
 */
function GroupForm({ year, scope, editing, onSaved, onCancel }: { year: number; scope: ReadonlySet<string> | null; editing?: Group; onSaved(g: Group): void; onCancel?(): void }) {
  const all = useDepartments()
  // a consultant's own departments only
  const departments = useMemo(() => (scope ? all.filter((d) => scope.has(d.id)) : all), [all, scope])
  const [name, setName] = useState(editing?.name ?? '')
  const [kind, setKind] = useState<GroupKind>(editing?.kind ?? 'homogeneous')
  const [members, setMembers] = useState<string[]>(editing?.members.map((m) => m.departmentId) ?? [])
  const [sourceDepartment, setSourceDepartment] = useState(editing?.sourceDepartmentId ?? '')
  const [tables, setTables] = useState<TableSummary[]>([])
  const [sourceTable, setSourceTable] = useState(editing?.sourceTableId ?? '')
  const [error, setError] = useState<{ field: FormField; text: string } | null>(null)
  const [saved, setSaved] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  // the group's own source table is kept when its department's tables first load
  const keepTable = useRef(editing?.sourceTableId ?? '')

  const candidates = useMemo(
    () => departments.filter((d) => (kind === 'demo-towns' ? d.kind === 'town' : d.kind !== 'town')).sort((a, b) => a.code.localeCompare(b.code)),
    [departments, kind],
  )
  // a demo town is one of the members; a homogeneous group's table may sit with any department (a
  // consultant's: one of its own, or the one the group being edited already has)
  const sources = kind === 'demo-towns'
    ? candidates.filter((d) => members.includes(d.id))
    : all.filter((d) => !scope || scope.has(d.id) || d.id === editing?.sourceDepartmentId).sort((a, b) => a.code.localeCompare(b.code))

  useEffect(() => {
    const keep = keepTable.current
    keepTable.current = ''
    setSourceTable(keep)
    setTables([])
    if (!sourceDepartment) return
    const ctl = new AbortController()
    listTables({ year, departmentId: sourceDepartment, limit: 100, ...(kind === 'demo-towns' ? { status: 'approved' as const } : {}) }, ctl.signal)
      .then((a) => setTables(a.tables.filter((t) => t.departmentId === sourceDepartment)), (e) => { if (!isAbort(e)) setError({ field: 'form', text: message(e) }) })
    return () => ctl.abort()
  }, [sourceDepartment, year, kind])

  const toggle = (id: string) => setMembers((m) => (m.includes(id) ? m.filter((x) => x !== id) : [...m, id]))
  const submit = async () => {
    setBusy(true)
    setError(null)
    setSaved(null)
    try {
      if (editing) {
        const before = editing.members.map((m) => m.departmentId)
        const sameMembers = before.length === members.length && before.every((id) => members.includes(id))
        const g = await updateGroup(editing.id, {
          ...(name !== editing.name ? { name } : {}),
          ...(sameMembers ? {} : { departmentIds: members }),
          ...((sourceTable || null) !== editing.sourceTableId ? { sourceTableId: sourceTable || null } : {}),
        })
        onSaved(g)
        return
      }
      const g = await createGroup({ name, kind, year, departmentIds: members, ...(sourceTable ? { sourceTableId: sourceTable } : {}) })
      onSaved(g)
      setSaved(`已新建“${g.name}”（${g.members.length} 个成员）`)
      setName('')
      setMembers([])
      setSourceDepartment('')
    } catch (e) {
      setError({ field: fieldOf(e), text: message(e) })
    } finally {
      setBusy(false)
    }
  }

  const title = editing ? `编辑“${editing.name}”` : '新建组'
  return (
    <form className="ta-new-group" aria-label={title} data-testid={editing ? 'group-edit' : 'group-new'} onSubmit={(e) => { e.preventDefault(); void submit() }}>
      <h3>{title}</h3>
      <div className="ta-new-group-fields">
        <label>组名 <input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} data-testid="group-name" /></label>
        <label>
          类型{' '}
          <select value={kind} disabled={editing !== undefined} onChange={(e) => { setKind(e.target.value as GroupKind); setMembers([]); setSourceDepartment('') }} data-testid="group-kind">
            {(Object.keys(GROUP_KIND_LABELS) as GroupKind[]).map((k) => <option key={k} value={k}>{GROUP_KIND_LABELS[k]}</option>)}
          </select>
        </label>
      </div>
      <FieldError at="name" error={error} />
      <fieldset className="ta-members" data-testid="group-members">
        <legend>成员（已选 {members.length} 个）</legend>
        {candidates.map((d) => (
          <label key={d.id} className="ta-member">
            <input type="checkbox" checked={members.includes(d.id)} onChange={() => toggle(d.id)} /> {d.name}
            {d.kind === 'unit' && <span className="tt-subtitle">（{DEPARTMENT_KIND_LABELS[d.kind]}）</span>}
          </label>
        ))}
      </fieldset>
      <FieldError at="departmentIds" error={error} />
      <div className="ta-new-group-fields">
        <label>
          {kind === 'demo-towns' ? '示范镇街' : '来源部门'}{' '}
          <select value={sourceDepartment} onChange={(e) => setSourceDepartment(e.target.value)} data-testid="group-source-department">
            <option value="">请选择</option>
            {sources.map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}
          </select>
        </label>
        <label>
          来源表{' '}
          <select value={sourceTable} onChange={(e) => setSourceTable(e.target.value)} disabled={!sourceDepartment} data-testid="group-source-table">
            <option value="">{sourceDepartment && tables.length === 0 ? (kind === 'demo-towns' ? '该镇街本年度没有已批复的表' : '该部门本年度没有表') : '请选择'}</option>
            {tables.map((t) => <option key={t.id} value={t.id}>{t.title || '（无标题）'}（{t.kind === 'department' ? '部门整体' : '项目'}）</option>)}
          </select>
        </label>
        <button type="submit" className="tt-button tt-button-primary" disabled={busy || !name.trim() || members.length === 0}>{editing ? '保存' : '新建'}</button>
        {onCancel && <button type="button" className="tt-button" disabled={busy} onClick={onCancel}>取消</button>}
      </div>
      <FieldError at="sourceTableId" error={error} />
      <FieldError at="form" error={error} />
      {saved && <p className="tg-saved" role="status">{saved}</p>}
    </form>
  )
}
