// The 一级/二级 indicator frameworks (framework.json) as typed data, with alias normalisation.
import frameworkData from '../domain/framework.json' with { type: 'json' }
import type { FrameworkId } from './schema.ts'

export interface Level2Def { name: string; id: string; meaning?: string }
export interface Level1Def { name: string; id: string; meaning?: string; level2: Level2Def[] }
export interface FrameworkDef { id: FrameworkId; source: string; order: string[]; level1: Level1Def[] }

interface RawFramework { source: string; order: string[]; level1: Level1Def[] }
const versions = frameworkData.versions as unknown as Record<FrameworkId, RawFramework>

export const FRAMEWORKS: Readonly<Record<FrameworkId, FrameworkDef>> = Object.freeze({
  mof2015: { id: 'mof2015', ...versions.mof2015 },
  mof2021: { id: 'mof2021', ...versions.mof2021 },
})

export const FRAMEWORK_DATA = frameworkData

const level1Aliases: Record<string, string> = frameworkData.aliases.level1
const level2Aliases: Record<string, string> = frameworkData.aliases.level2

/** Strips whitespace and full-width spaces that creep in from Excel. */
function clean(s: string): string {
  return s.replace(/[\s\u3000]+/g, '')
}

export function normaliseLevel1(name: string): string {
  const c = clean(name)
  return level1Aliases[c] ?? c
}

export function normaliseLevel2(name: string): string {
  const c = clean(name)
  // WATCH OUT: "满意度指标" is a level-1 label but, as a level-2 alias, means 服务对象满意度指标.
  return level2Aliases[c] ?? c
}

export function findLevel1(framework: FrameworkId, level1: string): Level1Def | undefined {
  const name = normaliseLevel1(level1)
  return FRAMEWORKS[framework].level1.find((l) => l.name === name)
}

export function findLevel2(framework: FrameworkId, level1: string, level2: string): Level2Def | undefined {
  const l1 = findLevel1(framework, level1)
  const name = normaliseLevel2(level2)
  return l1?.level2.find((l) => l.name === name)
}

/** Stable ids of a row's (一级, 二级) pair, e.g. {l1:'output', l2:'quantity'}; undefined parts when not in the framework. */
export function classify(framework: FrameworkId, level1: string, level2: string): { l1?: string; l2?: string } {
  const l1 = findLevel1(framework, level1)
  const l2 = l1?.level2.find((l) => l.name === normaliseLevel2(level2))
  return { l1: l1?.id, l2: l2?.id }
}
