import { describe, expect, it } from 'vitest'
import { expectedAllowed as expected } from '../helpers/policy.ts'
import { can, roomAccess, ROLES, TABLE_STATUSES, TABLE_ACTIONS, type Actor, type Role} from '../../shared/permissions.ts'

const OWN = 'd_own'
const OTHER = 'd_other'
const actor = (role: Role): Actor => ({ id: `u_${role}`, role, departmentIds: role === 'finance' || role === 'viewer' ? [] : [OWN] })

describe('can', () => {
  it('follows the policy for every role × own/other department × status × action', () => {
    for (const role of ROLES) for (const own of [true, false]) for (const status of TABLE_STATUSES) for (const action of TABLE_ACTIONS) {
      const d = can(actor(role), action, { departmentId: own ? OWN : OTHER, status })
      expect(d.allowed, `${role} ${own ? 'own' : 'other'} ${status} ${action}`).toBe(expected(role, own, status, action))
      if (!d.allowed) expect(d.reason).toMatch(/[\u4e00-\u9fa5]/)
    }
  })

  it('gives a viewer who belongs to departments only those; a viewer with none reads the whole city', () => {
    const scoped: Actor = { id: 'u_sv', role: 'viewer', departmentIds: [OWN] }
    for (const own of [true, false]) for (const status of TABLE_STATUSES) for (const action of TABLE_ACTIONS) {
      const d = can(scoped, action, { departmentId: own ? OWN : OTHER, status })
      expect(d.allowed, `scoped viewer ${own ? 'own' : 'other'} ${status} ${action}`).toBe(expected('viewer', own, status, action, 'scoped'))
      if (!d.allowed) expect(d.reason).toMatch(/[\u4e00-\u9fa5]/)
    }
    expect(can(scoped, 'read', { departmentId: OTHER, status: 'approved' })).toEqual({ allowed: false, reason: '该表不属于您所在的部门' })
    expect(can(actor('viewer'), 'read', { departmentId: OTHER, status: 'draft' }).allowed).toBe(true)
    // its own department's 涉密 table: the owning department reads it, its read-only account too
    expect(can(scoped, 'read', { departmentId: OWN, status: 'draft', classified: true }).allowed).toBe(true)
  })

  it('hides a classified table from consultants and other departments but not from its owner', () => {
    const table = { departmentId: OWN, status: 'draft' as const, classified: true }
    expect(can(actor('consultant'), 'read', table).allowed).toBe(false)
    expect(can(actor('viewer'), 'read', table).allowed).toBe(false)
    expect(can(actor('department'), 'read', table).allowed).toBe(true)
    expect(can(actor('finance'), 'read', table).allowed).toBe(true)
  })

  it('gives live-document access per room: viewers read, commenters do not edit approved tables', () => {
    const draft = { departmentId: OWN, status: 'draft' as const }
    const approved = { departmentId: OWN, status: 'approved' as const }
    expect(roomAccess(actor('viewer'), draft, 'table')).toBe('read')
    expect(roomAccess(actor('consultant'), draft, 'table')).toBe('write')
    expect(roomAccess(actor('department'), approved, 'table')).toBe('read')
    expect(roomAccess(actor('department'), approved, 'comments')).toBe('read')
    expect(roomAccess(actor('department'), { departmentId: OTHER, status: 'draft' }, 'table')).toBe('none')
    expect(roomAccess(actor('finance'), { departmentId: OTHER, status: 'submitted' }, 'comments')).toBe('write')
  })
})
