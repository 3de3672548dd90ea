// The access policy written out by hand, as the product promises it (CONTRACT.md → Roles), so
// tests check the implementation against this table rather than against itself.
import type { Role, TableAction, TableStatus } from '../../shared/permissions.ts'

/**
 * `viewer`: 'city' = a viewer who belongs to no department (人大, 审计: reads every department's tables);
 * 'scoped' = a viewer who belongs to departments (reads only those).
 */
export type ViewerScope = 'city' | 'scoped'

export function expectedAllowed(role: Role, own: boolean, status: TableStatus, action: TableAction, viewer: ViewerScope = 'city'): boolean {
  if (role === 'finance') {
    if (action === 'edit' || action === 'comment') return status !== 'approved'
    if (action === 'return' || action === 'approve') return status === 'submitted'
    if (action === 'reopen') return status === 'approved'
    if (action === 'submit') return status === 'draft' || status === 'returned'
    if (action === 'review' || action === 'resolve' || action === 'dispose') return status !== 'approved'
    return true // read, export, delete (finance may delete any table)
  }
  if (role === 'viewer') return (own || viewer === 'city') && (action === 'read' || action === 'export')
  if (!own) return false
  switch (action) {
    case 'read':
    case 'export':
      return true
    case 'edit':
      return status === 'draft' || status === 'returned'
    case 'comment':
      return status !== 'approved'
    case 'submit':
      return role === 'department' && (status === 'draft' || status === 'returned')
    case 'review': // grading a round and resolving opinions: the consultant assigned
    case 'resolve':
      return role === 'consultant' && status !== 'approved'
    case 'dispose': // answering opinions (已修改/不采纳): the department
      return role === 'department' && status !== 'approved'
    case 'delete': // a department deletes its own draft only
      return role === 'department' && status === 'draft'
    default:
      return false
  }
}

export function expectedRoomAccess(role: Role, own: boolean, status: TableStatus, room: 'table' | 'comments', viewer: ViewerScope = 'city'): 'write' | 'read' | 'none' {
  if (!expectedAllowed(role, own, status, 'read', viewer)) return 'none'
  return expectedAllowed(role, own, status, room === 'table' ? 'edit' : 'comment', viewer) ? 'write' : 'read'
}
