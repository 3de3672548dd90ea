// 支出功能分类科目 (类/款/项) from shared/domain/functional-classification.json: codes of 3/5/7 digits and
// their names, for reading 类/款/项 cells typed as codes (`207`, `20701` or its last two digits `01`,
// `2070108` or `08`), as names (`文化旅游体育与传媒支出` / `文化和旅游` / `文化活动`), as code-name cells
// (`207-文化旅游体育与传媒支出`) or as one combined cell (`2070108`, `207/01/08`, `类/款/项` names).
// The list is a representative subset (see its `about`): a code outside it is kept as typed, never refused.
import classification from '../../shared/domain/functional-classification.json' with { type: 'json' }

export type ClassLevel = 'class' | 'section' | 'item'

export interface ClassEntry { code: string; name: string; level: ClassLevel }

interface Item { code: string; name: string }
interface Section { code: string; name: string; items?: Item[] }
interface Klass { code: string; name: string; sections?: Section[] }

const data = classification as unknown as { classes: Klass[]; recurringXiang: Record<string, string> }

const byCode = new Map<string, ClassEntry>()
for (const c of data.classes) {
  byCode.set(c.code, { code: c.code, name: c.name, level: 'class' })
  for (const s of c.sections ?? []) {
    byCode.set(s.code, { code: s.code, name: s.name, level: 'section' })
    for (const i of s.items ?? []) byCode.set(i.code, { code: i.code, name: i.name, level: 'item' })
  }
}

/** 项 suffixes most 款 reuse (行政运行 = 01 …), by name */
const RECURRING = new Map(Object.entries(data.recurringXiang).filter(([k]) => /^\d{2}$/.test(k)).map(([k, v]) => [nameKey(v), k]))

function nameKey(s: string): string {
  return s.normalize('NFKC').replace(/\s+/g, '')
}

/** The entry of a 3/5/7-digit code, if the built-in list knows it. */
export function classEntry(code: string): ClassEntry | undefined {
  return byCode.get(code)
}

function entriesNamed(name: string, level: ClassLevel, parent?: string): ClassEntry[] {
  const key = nameKey(name)
  const out: ClassEntry[] = []
  for (const e of byCode.values()) {
    if (e.level === level && nameKey(e.name) === key && (!parent || e.code.startsWith(parent))) out.push(e)
  }
  return out
}

export interface ClassRead {
  /** the most specific code found (7, 5 or 3 digits) */
  code?: string
  /** that level's name: from the list when it knows the code, else as typed */
  name?: string
  /** Chinese remarks for the report: codes that disagree, names not found, codes outside the list */
  remarks: { severity: 'warning' | 'info'; message: string }[]
}

const LEVEL_LABEL: Record<ClassLevel, string> = { class: '类', section: '款', item: '项' }
const DIGITS: Record<ClassLevel, number> = { class: 3, section: 5, item: 7 }
const CODE_NAME = /^(\d{2,7})(?:\s*[-－—–_.、\s]\s*(.*))?$/

function split(text: string): { code?: string; name?: string } {
  const t = text.normalize('NFKC').trim()
  if (!t) return {}
  const m = CODE_NAME.exec(t)
  if (m) return { code: m[1]!, ...(m[2]?.trim() ? { name: m[2].trim() } : {}) }
  return { name: t }
}

/**
 * Reads 类, 款 and 项 as typed (any may be blank) into the most specific code and name the cells allow.
 * Short codes are completed from the level above (`01` under 类 207 → 20701); names are looked up within
 * the level above, then anywhere when unique; the usual 项 names (行政运行 …) complete the 款 code.
 */
export function readFunctionalClass(levels: { class: string; section: string; item: string }): ClassRead {
  const remarks: ClassRead['remarks'] = []
  const found: Partial<Record<ClassLevel, { code?: string; name?: string }>> = {}
  let parent: string | undefined
  for (const level of ['class', 'section', 'item'] as const) {
    const typed = split(levels[level])
    if (!typed.code && !typed.name) continue
    let code = typed.code
    if (code && code.length !== DIGITS[level]) {
      if (code.length === 2 && parent && parent.length === DIGITS[level] - 2) code = parent + code
      else if (code.length === 7 || code.length === 5 || code.length === 3) {
        // a longer code in a shorter level (e.g. 2070108 typed under 类): it says more, keep it
      } else {
        remarks.push({ severity: 'warning', message: `${LEVEL_LABEL[level]}“${levels[level]}”不是 ${DIGITS[level]} 位科目代码，按原文保留` })
        code = undefined
      }
    }
    if (!code && typed.name) {
      const named = entriesNamed(typed.name, level, parent)
      const pick = named.length === 1 ? named[0] : undefined
      if (pick) code = pick.code
      else if (level === 'item' && parent?.length === 5 && RECURRING.has(nameKey(typed.name))) code = parent + RECURRING.get(nameKey(typed.name))!
      else if (named.length > 1) remarks.push({ severity: 'warning', message: `${LEVEL_LABEL[level]}“${typed.name}”对应多个科目，请填写科目代码` })
      else remarks.push({ severity: 'info', message: `${LEVEL_LABEL[level]}“${typed.name}”不在内置功能分类科目表中，按原文保留` })
    }
    if (code && parent && !code.startsWith(parent)) {
      remarks.push({ severity: 'warning', message: `${LEVEL_LABEL[level]}代码 ${code} 与上一级代码 ${parent} 不一致` })
    }
    found[level] = { ...(code ? { code } : {}), ...(typed.name ? { name: typed.name } : {}) }
    if (code) parent = code
  }
  const deepest = found.item ?? found.section ?? found.class
  if (!deepest) return { remarks }
  // the most specific code anywhere (a level typed by name only may have found none)
  const code = found.item?.code ?? found.section?.code ?? found.class?.code
  const known = code ? byCode.get(code) : undefined
  if (code && !known) remarks.push({ severity: 'info', message: `功能分类科目代码 ${code} 不在内置科目表中，按原文保留` })
  // the name goes with the code: the list's, else the one typed beside that code, else the deepest typed
  const typedWithCode = (['item', 'section', 'class'] as const).map((l) => found[l]).find((f) => f?.code === code)
  const name = known?.name ?? typedWithCode?.name ?? deepest.name
  return { ...(code ? { code } : {}), ...(name ? { name } : {}), remarks }
}

/** A combined 功能分类科目 cell: `2070108`, `207/01/08`, `207-01-08`, names separated by `/`, or a code-name. */
export function readCombinedFunctionalClass(text: string): ClassRead & { levels: { class: string; section: string; item: string } } {
  const t = text.normalize('NFKC').trim()
  const parts = t.split(/\s*[/／\\|｜、\n]\s*|\s*-\s*(?=\d)/).filter(Boolean)
  let levels = { class: '', section: '', item: '' }
  if (parts.length >= 2 && parts.length <= 3) {
    levels = { class: parts[0]!, section: parts[1]!, item: parts[2] ?? '' }
  } else {
    const m = CODE_NAME.exec(t)
    const code = m?.[1]
    if (code?.length === 7) levels = { class: '', section: '', item: t }
    else if (code?.length === 5) levels = { class: '', section: t, item: '' }
    else if (code?.length === 3) levels = { class: t, section: '', item: '' }
    else {
      // a name alone: the deepest level that knows it
      const level = (['item', 'section', 'class'] as const).find((l) => entriesNamed(t, l).length === 1) ?? 'item'
      levels = { ...levels, [level]: t }
    }
  }
  return { ...readFunctionalClass(levels), levels }
}
