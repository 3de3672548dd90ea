// The table editor: one Univer grid bound to a table Y.Doc, with the table toolbar and context menu,
// findings panel, thread comments, presence bar, read-only banner and the edit-conflict prompt. The
// page supplies the docs (live provider or the dev route's local pair) and the signed-in user.
import type * as Y from 'yjs'
import type { Awareness } from 'y-protocols/awareness'
import type { FUniver } from '@univerjs/core/facade'
import { TEMPLATES, type TemplateId } from '../../shared/model/index.ts'
import { h, render } from '../lib/dom.ts'
import { GridBinding } from './binding.ts'
import { createUniver, type UniverHandle } from './univer-setup.ts'
import { deleteIndicator, deleteTask, insertIndicator, insertTask, moveIndicator, type ActionResult } from './actions.ts'
import { mountFindings, type FindingsController, type Validate } from './findings.ts'
import { bindComments, type CommentsController } from './comments.ts'
import { colorFor, mountPresence, type Connection, type PresenceController } from './presence.ts'
import { mountConflictPrompt } from './edit-conflict.ts'
import { isMultiLine } from './write-plan.ts'
import './editor.css'

/** Univer's Alt+Enter in the cell editor (docs-ui BreakLineCommand) */
const BREAK_LINE = 'doc.command.break-line'

export interface ReadOnlyState {
  reason: string
  /** the user may still comment (a reviewer, or the department answering, while the table is under review) */
  comment?: boolean
}

export interface GridEditorOptions {
  doc: Y.Doc
  commentsDoc?: Y.Doc
  awareness?: Awareness
  connection?: Connection
  user: { id: string; name: string; color?: string }
  /** author names for comments (user id → display name) */
  names?: Map<string, string>
  readOnly?: ReadOnlyState | null
  /** false when the user may read but not comment (CONTRACT roles); read-only implies it */
  canComment?: boolean
  /** false when the user may not resolve threads (only reviewers: finance, consultant) */
  canResolve?: boolean
  templateId?: TemplateId
  round?: number
  /** unique per page: two grids in one page need two unit ids */
  unitId?: string
  validate?: Validate
}

export interface GridEditor {
  readonly univerAPI: FUniver
  readonly binding: GridBinding
  readonly findings: FindingsController
  readonly comments: CommentsController | undefined
  readonly presence: PresenceController | undefined
  setReadOnly(state: ReadOnlyState | null): Promise<void>
  /** the 征求意见 round new threads belong to (it moves on with each submit) */
  setRound(round: number): void
  dispose(): void
}

/**
 * Resolves when the sheet's main canvas is in the page: Univer creates it a few frames after the
 * unit, and before that clicks and getCellRect() have nothing to land on.
 */
function sheetCanvas(unitId: string, ms = 10_000): Promise<void> {
  const t0 = performance.now()
  return new Promise((resolve) => {
    const poll = () => {
      if (document.getElementById(`univer-sheet-main-canvas_${unitId}`) || performance.now() - t0 > ms) resolve()
      else requestAnimationFrame(poll)
    }
    poll()
  })
}

/** Read-only reasons the banner knows how to explain. */
export const READ_ONLY_TEXT: Readonly<Record<string, string>> = {
  已批复: '本表已批复，内容已锁定，不能再修改。',
  只读账号: '当前账号为只读账号，只能查看和导出。',
  权限已变更: '您对本表的编辑权限已被收回，表格已切换为只读。',
}

export async function mountGridEditor(container: HTMLElement, o: GridEditorOptions): Promise<GridEditor> {
  const unitId = o.unitId ?? 'target-table'
  const sheetId = 'form'
  const color = o.user.color ?? colorFor(o.user.id)
  const binding = new GridBinding({ doc: o.doc, unitId, sheetId, templateId: o.templateId })
  const template = TEMPLATES[binding.layout.templateId]

  const banner = h('div', { class: 'tt-banner', 'data-testid': 'readonly-banner', hidden: true })
  const toast = h('div', { class: 'tt-toast', role: 'status' })
  const toolbar = h('div', { class: 'tt-toolbar', role: 'toolbar', 'aria-label': '表格操作' })
  const gridEl = h('div', { class: 'tt-grid', id: `tt-grid-${unitId}` })
  const side = h('div', { class: 'tt-side' })
  const top = h('div', { class: 'tt-topbar' }, toolbar)
  const root = h('div', { class: 'tt-editor', 'data-unit': unitId }, banner, top, h('div', { class: 'tt-body' }, gridEl, side), toast)
  render(container, root)

  let handle: UniverHandle
  try {
    handle = createUniver({ container: gridEl, snapshot: binding.snapshot(template.name), user: { id: o.user.id, name: o.user.name } })
  } catch (e) {
    render(container, h('p', { class: 'tt-error' }, '表格加载失败，请刷新重试。'))
    throw e
  }
  const api = handle.univerAPI
  binding.attach(api)

  /** Commits an open cell editor first: an action re-lays rows out, which waits for the editor otherwise. */
  const act = async (run: () => ActionResult) => {
    const wb = api.getActiveWorkbook() as unknown as { isCellEditing?: () => boolean; endEditingAsync?: (save?: boolean) => Promise<boolean> } | null
    if (wb?.isCellEditing?.()) {
      const target = binding.activeCell()
      await wb.endEditingAsync?.(true)
      binding.flush() // the commit's row change (if any) lands before the action reads the table
      const pos = target ? binding.layout.anchors.get(target.cell.anchor) : undefined
      binding.pin(pos ? { ...pos, cell: binding.layout.cells[pos.row]![pos.col]! } : target)
    }
    try {
      say(run())
    } finally {
      binding.pin(undefined)
    }
  }
  const say = (r: ActionResult) => {
    toast.textContent = r.ok ? '' : r.message ?? ''
    toast.classList.toggle('tt-show', !r.ok)
    if (!r.ok) setTimeout(() => toast.classList.remove('tt-show'), 2500)
  }

  // ---- table actions: toolbar + context menu --------------------------------------
  const actions: { id: string; label: string; run: () => ActionResult; dept?: boolean }[] = [
    { id: 'insert-above', label: '插入指标行（上方）', run: () => insertIndicator(binding, 'above') },
    { id: 'insert-below', label: '插入指标行（下方）', run: () => insertIndicator(binding, 'below') },
    { id: 'delete-row', label: '删除指标行', run: () => deleteIndicator(binding) },
    { id: 'move-up', label: '上移', run: () => moveIndicator(binding, 'up') },
    { id: 'move-down', label: '下移', run: () => moveIndicator(binding, 'down') },
    { id: 'insert-task', label: '插入任务', run: () => insertTask(binding, 'below'), dept: true },
    { id: 'delete-task', label: '删除任务', run: () => deleteTask(binding), dept: true },
  ]
  const visible = actions.filter((a) => !a.dept || template.kind === 'department')
  const buttons: HTMLButtonElement[] = []
  const button = (id: string, label: string, run: () => void) => {
    const b = h('button', { type: 'button', 'data-action': id, onclick: run }, label)
    buttons.push(b)
    return b
  }
  render(toolbar,
    visible.map((a) => button(a.id, a.label, () => void act(a.run))),
    h('span', { class: 'tt-sep' }),
    button('undo', '撤销', () => binding.undoLocal()),
    button('redo', '重做', () => binding.redoLocal()),
    h('span', { class: 'tt-sep' }),
    button('comments', '批注', () => { void api.executeCommand('sheet.operation.toggle-comment-panel') }))
  for (const a of visible) {
    api.createMenu({ id: `tt-${unitId}-${a.id}`, title: a.label, action: () => void act(a.run) }).appendTo('contextMenu.mainArea')
  }

  // ---- Alt+Enter: a line break in multi-line fields only (goals, task content: isMultiLine) ----
  const onBreakLine = api.addEvent(api.Event.BeforeCommandExecute, (ev) => {
    if (ev.id !== BREAK_LINE) return
    const wb = api.getActiveWorkbook() as unknown as { isCellEditing?: () => boolean } | null
    if (!wb?.isCellEditing?.()) return // another editor (a comment's) breaks lines as it likes
    const cell = binding.activeCell()
    if (cell && isMultiLine(cell.cell.target)) return
    ev.cancel = true
    say({ ok: false, message: '此栏只能填一行；Alt+Enter 换行仅用于目标和任务内容' })
  })

  // ---- findings, comments, presence ------------------------------------------------
  let readOnlyNow: ReadOnlyState | null = o.readOnly ?? null
  let roundNow = o.round ?? 1
  const findings = mountFindings(binding, o.validate)
  side.append(findings.element)
  const comments = o.commentsDoc
    ? bindComments({
      api, binding, doc: o.commentsDoc, users: handle.users, user: o.user, names: o.names,
      get round() { return roundNow },
      canComment: () => (readOnlyNow ? readOnlyNow.comment === true : o.canComment !== false),
      canResolve: () => o.canResolve !== false,
      onRefuse: (message) => say({ ok: false, message }),
    })
    : undefined
  const presence = o.awareness
    ? mountPresence({ api, binding, awareness: o.awareness, user: { id: o.user.id, name: o.user.name, color }, connection: o.connection })
    : undefined
  if (presence) top.append(presence.element)
  const conflicts = mountConflictPrompt({ binding, awareness: o.awareness })
  root.append(conflicts.element)
  // Authors of comments are shown by name: everyone seen in the room is registered with Univer's user list.
  const learnNames = () => {
    for (const state of o.awareness?.getStates().values() ?? []) {
      const u = (state as { user?: { id?: string; name?: string } }).user
      if (u?.id && u.name && handle.users.getUser(u.id)?.name !== u.name) handle.users.addUser({ userID: u.id, name: u.name, avatar: '' })
    }
  }
  o.awareness?.on('change', learnNames)
  learnNames()

  const setReadOnly = async (state: ReadOnlyState | null) => {
    readOnlyNow = state
    banner.hidden = !state
    banner.textContent = state ? `只读：${READ_ONLY_TEXT[state.reason] ?? state.reason}` : ''
    root.classList.toggle('tt-readonly', !!state)
    for (const b of buttons) if (b.dataset.action !== 'comments') b.disabled = !!state
    binding.setReadOnly(!!state)
    const perm = api.getActiveWorkbook()!.getWorkbookPermission()
    if (state) await (state.comment ? perm.setMode('commenter') : perm.setReadOnly())
    else await perm.setEditable()
    await binding.whenProtected()
  }
  // WATCH OUT: in 0.25.1 the workbook's permission points start out all false here (typing does nothing)
  // until a mode is set explicitly, so the editable mode is set too, not only the read-only one.
  await setReadOnly(o.readOnly ?? null)
  await sheetCanvas(unitId)

  return {
    univerAPI: api,
    binding,
    findings,
    comments,
    presence,
    setReadOnly,
    setRound(round) { roundNow = round },
    dispose() {
      o.awareness?.off('change', learnNames)
      onBreakLine.dispose()
      conflicts.dispose()
      presence?.dispose()
      comments?.dispose()
      findings.dispose()
      binding.dispose()
      handle.dispose()
      container.replaceChildren()
    },
  }
}
