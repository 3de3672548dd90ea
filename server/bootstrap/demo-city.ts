// The demo city (南江市) loaded on an empty embedded database: departments, one user of every role,
// and the ten sample tables filed by their departments. Data only; `seed.ts` writes it.
import type { Role } from '../../shared/permissions.ts'

export interface DemoDepartment { code: string; name: string; kind: 'department' | 'unit' | 'town'; parentCode?: string }
export interface DemoUser { username: string; displayName: string; role: Role; departmentCodes: string[] }

export const DEMO_PASSWORD = 'demo-2024'
export const DEMO_YEAR = 2024

export const DEMO_DEPARTMENTS: readonly DemoDepartment[] = [
  { code: '103', name: '南江市人民政府办公室', kind: 'department' },
  { code: '103001', name: '南江市政务服务数据管理局', kind: 'unit', parentCode: '103' },
  { code: '105', name: '南江市教育局', kind: 'department' },
  { code: '118', name: '南江市卫生健康局', kind: 'department' },
  { code: '120', name: '南江市民政局', kind: 'department' },
  { code: '121', name: '南江市农业农村局', kind: 'department' },
  { code: '126', name: '南江市文化广电旅游体育局', kind: 'department' },
  { code: '126001', name: '南江市文化馆', kind: 'unit', parentCode: '126' },
  { code: '131', name: '南江市机关事务管理局', kind: 'department' },
  { code: '135', name: '南江市城市管理局', kind: 'department' },
  { code: '135001', name: '南江市园林绿化服务中心', kind: 'unit', parentCode: '135' },
  { code: '152', name: '中国民主促进会南江市委员会', kind: 'department' },
  { code: '601', name: '南江市安平镇人民政府', kind: 'town' },
]

export const DEMO_USERS: readonly DemoUser[] = [
  { username: 'caizheng', displayName: '李敏（财政局绩效科）', role: 'finance', departmentCodes: [] },
  { username: 'jiaoyu', displayName: '王芳（教育局财务科）', role: 'department', departmentCodes: ['105'] },
  { username: 'weijian', displayName: '赵强（卫生健康局）', role: 'department', departmentCodes: ['118'] },
  { username: 'wenlv', displayName: '陈静（文广旅体局）', role: 'department', departmentCodes: ['126'] },
  { username: 'anping', displayName: '刘洋（安平镇财政所）', role: 'department', departmentCodes: ['601'] },
  { username: 'zixun', displayName: '周婷（第三方评价机构）', role: 'consultant', departmentCodes: ['105', '118', '126'] },
  { username: 'renda', displayName: '孙伟（人大预算工委）', role: 'viewer', departmentCodes: [] },
]

/** Which department files each sample table (by the sample's 主管部门/部门 code). */
export const DEMO_TABLE_OWNERS: Readonly<Record<string, string>> = {
  S01: '105',
  S02: '118',
  S03: '121',
  S04: '126',
  S05: '103',
  S06: '152',
  S07: '601',
  S08: '131',
  S09: '135',
  S10: '120',
}
