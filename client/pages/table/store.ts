// The table page's state outside the grid: the table's detail (status, round, version, what the caller
// may do), lifecycle transitions and their refusals (409 blocked / conflict), and the link to the grid.
// React components read it through useSyncExternalStore; the page reloads it when the state changes.
import type { BlockedDetails, BlockedThread, TableDetail, Transition, TransitionAnswer } from '../../../shared/api/tables.ts'
import type { Finding } from '../../../shared/rules/index.ts'
import { api, ApiError, type User } from '../../lib/api.ts'
import type { GridBridge } from './grid-bridge.ts'

export type { BlockedThread }

/** The 409 `blocked` answer of a transition: what holds the gate (CONTRACT → transitions). */
export interface Blocked {
  action: Transition
  message: string
  findings: Finding[]
  openThreads: BlockedThread[]
}

export interface Notice {
  tone: 'info' | 'success' | 'error'
  text: string
}

export type PanelTab = 'findings' | 'rounds' | 'threads' | 'changes' | 'history' | 'recommend' | 'unplaced'

export interface PageState {
  detail: TableDetail
  user: User
  /** moves on with every reload of the detail: panels that depend on the table's state refetch */
  epoch: number
  busy: Transition | null
  blocked: Blocked | null
  notice: Notice | null
  tab: PanelTab
  /** the thread the page points at (a blocked approval's link, a click in the grid) */
  focusThread: string | null
  /** author names by user id (participants of the comments) */
  names: ReadonlyMap<string, string>
}

export type TransitionResult = { ok: true; answer: TransitionAnswer } | { ok: false; error: ApiError }

export class TablePageStore {
  private state: PageState
  private readonly subs = new Set<() => void>()
  private loads = 0
  grid: GridBridge | null = null
  /** called after each reload with the new detail (the page applies read-only and the round to the grid) */
  onDetail: ((detail: TableDetail, previous: TableDetail) => void) | null = null

  constructor(readonly tableId: string, detail: TableDetail, user: User, names: ReadonlyMap<string, string>) {
    this.state = { detail, user, epoch: 0, busy: null, blocked: null, notice: null, tab: 'findings', focusThread: null, names }
  }

  readonly subscribe = (fn: () => void): (() => void) => {
    this.subs.add(fn)
    return () => this.subs.delete(fn)
  }

  readonly get = (): PageState => this.state

  set(patch: Partial<PageState>): void {
    this.state = { ...this.state, ...patch }
    for (const fn of this.subs) fn()
  }

  get path(): string {
    return `/api/tables/${encodeURIComponent(this.tableId)}`
  }

  /**
   * Reads the detail again (after a transition, a pushed state change, a reconnect). Answers can
   * cross: only the latest request's answer is kept.
   */
  async reload(): Promise<void> {
    const n = ++this.loads
    try {
      const detail = await api<TableDetail>(this.path)
      if (n !== this.loads) return
      const previous = this.state.detail
      this.set({ detail, epoch: this.state.epoch + 1 })
      this.onDetail?.(detail, previous)
    } catch (e) {
      if (n !== this.loads) return
      if (e instanceof ApiError && (e.status === 404 || e.status === 403)) this.set({ notice: { tone: 'error', text: '该表已删除或您已无权查看。' } })
      else this.set({ notice: { tone: 'error', text: `刷新表格状态失败：${e instanceof Error ? e.message : String(e)}` } })
    }
  }

  async transition(action: Transition, reason?: string): Promise<TransitionResult> {
    this.set({ busy: action, blocked: null, notice: null })
    try {
      const answer = await api<TransitionAnswer>(`${this.path}/transitions`, { method: 'POST', json: reason === undefined ? { action } : { action, reason } })
      this.set({ busy: null, notice: { tone: 'success', text: DONE[action] } })
      await this.reload()
      return { ok: true, answer }
    } catch (e) {
      const error = e instanceof ApiError ? e : new ApiError(0, 'internal', e instanceof Error ? e.message : String(e))
      if (error.code === 'blocked') {
        const d = (error.details ?? {}) as Partial<BlockedDetails>
        this.set({ busy: null, blocked: { action, message: error.message, findings: d.findings ?? [], openThreads: d.openThreads ?? [] } })
      } else if (error.code === 'conflict') {
        // someone else moved the table meanwhile: say so and show where it is now
        this.set({ busy: null, notice: { tone: 'error', text: `${error.message}（表格状态已刷新）` } })
        await this.reload()
      } else {
        this.set({ busy: null, notice: { tone: 'error', text: error.message } })
        // a refusal other than of the input (forbidden: the table moved on, or access changed) may mean
        // the page shows an old state
        if (error.code !== 'invalid_input') await this.reload()
      }
      return { ok: false, error }
    }
  }

  /** Shows a thread in the 意见 tab (and selects its cell). */
  openThread(threadId: string): void {
    this.set({ tab: 'threads', focusThread: threadId })
    const t = this.grid?.thread(threadId)
    if (t) this.grid?.selectAnchor(t.anchor)
  }

  private namesAsked = 0

  /** Asks the server for the comment authors' names again (someone new wrote); at most every 3 s. */
  async refreshNames(): Promise<void> {
    if (Date.now() - this.namesAsked < 3000) return
    this.namesAsked = Date.now()
    try {
      const r = await api<{ participants?: { id: string; displayName: string }[] }>(`${this.path}/participants`)
      this.learnNames(new Map((r.participants ?? []).map((p) => [p.id, p.displayName])))
    } catch {
      /* names stay as they are */
    }
  }

  learnNames(names: ReadonlyMap<string, string>): void {
    const merged = new Map(this.state.names)
    let changed = false
    for (const [id, name] of names) if (merged.get(id) !== name) { merged.set(id, name); changed = true }
    if (changed) this.set({ names: merged })
  }
}

const DONE: Readonly<Record<Transition, string>> = {
  submit: '已报送，等待审核。',
  return: '已退回修改。',
  approve: '已审核通过，表格已批复锁定。',
  reopen: '已调整：表格已重新打开，可以修改。',
}
