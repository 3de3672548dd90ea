// What the library page knows without asking the server: the 一级/二级 framework (mof2015, the library's
// own levels), the 功能分类 tree (类 → 款, with 项 where the list has them), comparators and value bases.
// JSON only (no zod): both files are small and ship in the page's chunk.
import framework from '../../../shared/domain/framework.json' with { type: 'json' }
import classification from '../../../shared/domain/functional-classification.json' with { type: 'json' }
import type { IndicatorEntry } from '../../../shared/api/library.ts'

export interface LevelNode { name: string; level2: string[] }

/** 产出指标 → 数量/质量/时效/成本指标, 效益指标 → …, 满意度指标 → 服务对象满意度指标 */
export const LEVELS: readonly LevelNode[] = framework.versions.mof2015.level1.map((l) => ({ name: l.name, level2: l.level2.map((x) => x.name) }))

export interface ClassNode { code: string; name: string; children: ClassNode[] }

interface RawClass { code: string; name: string; sections?: RawClass[]; items?: RawClass[] }

const node = (c: RawClass): ClassNode => ({ code: c.code, name: c.name, children: [...(c.sections ?? []), ...(c.items ?? [])].map(node) })

/** 类 (3 digits) → 款 (5) → 项 (7) */
export const CLASS_TREE: readonly ClassNode[] = (classification.classes as RawClass[]).map(node)

const CLASS_NAMES = new Map<string, string>()
const walk = (n: ClassNode) => { CLASS_NAMES.set(n.code, n.name); n.children.forEach(walk) }
CLASS_TREE.forEach(walk)

/** "20502 普通教育", "全部功能分类" for `*`, the bare code when the list does not know it */
export function className(code: string): string {
  if (code === '*') return '全部功能分类'
  const name = CLASS_NAMES.get(code)
  return name ? `${code} ${name}` : code
}

export const COMPARATOR_OPTIONS: readonly IndicatorEntry['comparator'][] = ['≥', '≤', '=', '>', '<', '定性']
export const BASIS_OPTIONS: readonly string[] = framework.valueBasis
