// 审计记录: a department's audit trail (GET /api/audit) for the finance bureau — what was done to its
// tables, deleted ones included, and what its people did; newest first, 加载更多 pages on.
import { useEffect, useState } from 'react'
import type { AuditAnswer, AuditEntryAnswer } from '../../../shared/api/audit.ts'
import { Dialog } from '../../components/Dialog.tsx'
import { api } from '../../lib/api.ts'

const ACTIONS: Readonly<Record<string, string>> = {
  'table.create': '新建', 'table.submit': '报送', 'table.return': '退回修改', 'table.approve': '审核通过',
  'table.reopen': '调整', 'table.review': '评审', 'table.delete': '删除', login: '登录', logout: '退出',
  'login.failed': '登录失败', 'user.create': '新建用户', 'department.create': '新建部门',
  'department.import': '导入部门名单', 'registry.import': '导入项目统计表', 'registry.alias': '对应部门',
}

const time = (iso: string) => new Date(iso).toLocaleString('zh-CN', { hour12: false })

function reasonOf(e: AuditEntryAnswer): string {
  const r = e.details?.reason
  return typeof r === 'string' ? r : ''
}

export function AuditDialog({ departmentId, departmentName, onClose }: { departmentId: string; departmentName: string; onClose(): void }) {
  const [entries, setEntries] = useState<AuditEntryAnswer[]>([])
  const [next, setNext] = useState<string | null>(null)
  const [state, setState] = useState<'loading' | 'ready' | string>('loading')

  const load = async (before?: string) => {
    setState('loading')
    try {
      const q = new URLSearchParams({ departmentId, limit: '50', ...(before ? { before } : {}) })
      const answer = await api<AuditAnswer>(`/api/audit?${q}`)
      setEntries((old) => (before ? [...old, ...answer.entries] : answer.entries))
      setNext(answer.nextCursor)
      setState('ready')
    } catch (e) {
      setState(e instanceof Error ? e.message : String(e))
    }
  }
  useEffect(() => void load(), [departmentId])

  return (
    <Dialog title={`审计记录 · ${departmentName}`} onClose={onClose} width={820} testId="audit-dialog">
      {state !== 'loading' && state !== 'ready' && <p className="tt-error" role="alert">加载失败：{state}</p>}
      {entries.length === 0 && state === 'ready' ? <p className="tt-muted">暂无记录。</p> : (
        <table className="tt-audit">
          <thead><tr><th>时间</th><th>操作人</th><th>操作</th><th>表格</th><th>原因</th></tr></thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id} data-testid="audit-entry">
                <td className="tt-nowrap">{time(e.at)}</td>
                <td>{e.userName}</td>
                <td>{ACTIONS[e.action] ?? e.action}</td>
                <td>{e.tableTitle ?? ''}</td>
                <td>{reasonOf(e)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="tt-audit-more">
        {state === 'loading' ? <span className="tt-muted">正在加载…</span> : next && <button type="button" className="tt-button" onClick={() => void load(next)}>加载更多</button>}
      </div>
    </Dialog>
  )
}
