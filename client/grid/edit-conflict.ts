// The question asked when the cell editor commits over another user's change of the same cell
// (binding.ts EditConflict): who changed it to what, what was typed, 保留我的修改 / 采用对方的修改.
import type { Awareness } from 'y-protocols/awareness'
import { h, render } from '../lib/dom.ts'
import type { EditConflict, GridBinding } from './binding.ts'

export interface ConflictPromptOptions {
  binding: GridBinding
  /** names the authors: a Y client id is its awareness client id */
  awareness?: Awareness
}

export interface ConflictPromptController {
  readonly element: HTMLElement
  dispose(): void
}

const SHOWN_CHARS = 80

/** A value as quoted in the prompt: one line, shortened (the cell shows it whole). */
function quote(text: string): string {
  const line = text.replace(/\n+/g, ' ↵ ')
  return line.length > SHOWN_CHARS ? `${line.slice(0, SHOWN_CHARS)}…` : line
}

export function mountConflictPrompt(o: ConflictPromptOptions): ConflictPromptController {
  const { binding, awareness } = o
  const element = h('div', { class: 'tt-conflicts' })
  // names outlive the peer's presence: a colleague who typed and left at once is still named
  const names = new Map<number, string>()
  const learn = () => {
    for (const [client, state] of awareness?.getStates() ?? []) {
      const name = (state as { user?: { name?: unknown } }).user?.name
      if (typeof name === 'string' && name) names.set(client, name)
    }
  }

  const prompt = (c: EditConflict) => {
    learn()
    const who = [...new Set(c.authors.flatMap((a) => names.get(a) ?? []))].join('、')
    const user = who ? `另一位用户（${who}）` : '另一位用户'
    const change = c.theirs === '' ? '已清空此单元格' : `已将此单元格改为「${quote(c.theirs)}」`
    const locate = () => {
      const pos = binding.layout.anchors.get(c.anchor)
      if (pos) binding.select(pos)
    }
    return h('div', { class: 'tt-conflict', role: 'alertdialog', 'aria-label': '修改冲突', 'data-testid': 'edit-conflict', 'data-anchor': c.anchor },
      h('p', { class: 'tt-conflict-text', title: '选中该单元格', onclick: locate },
        `在您输入时，${user}${change}；您输入的是「${quote(c.mine)}」。`),
      h('div', { class: 'tt-conflict-actions' },
        h('button', { type: 'button', 'data-testid': 'conflict-keep-mine', onclick: () => c.keepMine() }, '保留我的修改'),
        h('button', { type: 'button', 'data-testid': 'conflict-take-theirs', onclick: () => c.takeTheirs() }, '采用对方的修改')))
  }

  const paint = (list: readonly EditConflict[]) => render(element, list.map(prompt))
  awareness?.on('change', learn)
  learn()
  const off = binding.onConflicts(paint)
  paint(binding.conflicts())
  return {
    element,
    dispose() {
      off()
      awareness?.off('change', learn)
    },
  }
}
