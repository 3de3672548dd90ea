// The storage layer's public surface: createStorage(db) binds every repository to one database
// handle; storage.transaction(fn) binds them to one transaction so several writes commit together.
import type { Db } from '../db/open.ts'
import { createAssignmentRepository, type AssignmentRepository } from './assignments.ts'
import { createAuditRepository, type AuditRepository } from './audit.ts'
import { createBookRepository, type BookRepository } from './book.ts'
import { createCommentRepository, type CommentRepository } from './comments.ts'
import { createDepartmentRepository, type DepartmentRepository } from './departments.ts'
import { createDocLogRepository, type DocLogRepository } from './doc-log.ts'
import { createGroupRepository, type GroupRepository } from './groups.ts'
import { createHistoryRepository, type HistoryRepository } from './history.ts'
import { createJobRepository, type JobRepository } from './jobs.ts'
import { createMaterialRepository, type MaterialRepository } from './materials.ts'
import { createLibraryRepository, type LibraryRepository } from './library.ts'
import { createLoginFailureRepository, type LoginFailureRepository } from './login-failures.ts'
import { createLibraryImportRepository, type LibraryImportRepository } from './library-import.ts'
import { createLibraryVersionRepository, type LibraryVersionRepository } from './library-versions.ts'
import { createIndicatorUsageRepository, type IndicatorUsageRepository } from './indicator-usages.ts'
import { createProposalRepository, type ProposalRepository } from './library-proposals.ts'
import { createRegistryRepository, type RegistryRepository } from './registry.ts'
import { createRoundRepository, type RoundRepository } from './rounds.ts'
import { createSessionRepository, type SessionRepository } from './sessions.ts'
import { createTableRepository, type TableRepository } from './tables.ts'
import { createUserRepository, type UserRepository } from './users.ts'
import { createVersionRepository, type VersionRepository } from './versions.ts'
import { createWorkflowRepository, type WorkflowRepository } from './workflow.ts'

export interface Storage {
  db: Db
  departments: DepartmentRepository
  users: UserRepository
  sessions: SessionRepository
  /** the login throttle's failure counts, shared by every server process (login-failures.ts) */
  loginFailures: LoginFailureRepository
  tables: TableRepository
  docLog: DocLogRepository
  versions: VersionRepository
  comments: CommentRepository
  audit: AuditRepository
  library: LibraryRepository
  /** 指标库版本 per budget year (library-versions.ts) */
  libraryVersions: LibraryVersionRepository
  /** the batched writes of a library xlsx import (library-import.ts) */
  libraryImport: LibraryImportRepository
  /** 指标建议: departments' proposals for the library, decided by finance */
  proposals: ProposalRepository
  /** where library entries are used: approved tables' rows linked by learning (indicator_usages) */
  usages: IndicatorUsageRepository
  rounds: RoundRepository
  /** field-level history (field_changes) */
  history: HistoryRepository
  /** durable background jobs (jobs.ts) */
  jobs: JobRepository
  /** the compiled book's reads: approved tables and their frozen content */
  book: BookRepository
  /** the project registry (项目统计表) and its department aliases */
  registry: RegistryRepository
  /** 第三方机构分工: consultants' departments per budget year */
  assignments: AssignmentRepository
  /** 资料清单: the twelve items per department and year, with their files (materials.ts) */
  materials: MaterialRepository
  /** 同质化部门组 and 示范点: groups, members, propagation bases (groups.ts) */
  groups: GroupRepository
  /** 工作阶段 set by hand, 截止日期, and the per-department aggregate of a year (workflow.ts) */
  workflow: WorkflowRepository
  /**
   * Runs `fn` with repositories bound to one transaction; it commits when `fn` resolves and rolls
   * back when it throws. Repository methods that use a transaction of their own become savepoints.
   * WATCH OUT: inside `fn` use only the storage passed in. On PGlite, touching the outer storage
   * waits for this transaction to finish, which never happens: a deadlock.
   */
  transaction<T>(fn: (storage: Storage) => Promise<T>): Promise<T>
}

export function createStorage(db: Db): Storage {
  return {
    db,
    departments: createDepartmentRepository(db),
    users: createUserRepository(db),
    sessions: createSessionRepository(db),
    loginFailures: createLoginFailureRepository(db),
    tables: createTableRepository(db),
    docLog: createDocLogRepository(db),
    versions: createVersionRepository(db),
    comments: createCommentRepository(db),
    audit: createAuditRepository(db),
    library: createLibraryRepository(db),
    libraryVersions: createLibraryVersionRepository(db),
    libraryImport: createLibraryImportRepository(db),
    usages: createIndicatorUsageRepository(db),
    proposals: createProposalRepository(db),
    rounds: createRoundRepository(db),
    history: createHistoryRepository(db),
    jobs: createJobRepository(db),
    book: createBookRepository(db),
    registry: createRegistryRepository(db),
    assignments: createAssignmentRepository(db),
    materials: createMaterialRepository(db),
    groups: createGroupRepository(db),
    workflow: createWorkflowRepository(db),
    transaction: (fn) => db.transaction((tx) => fn(createStorage(tx))),
  }
}

export type { AuditEntry, AuditFilter, AuditRepository, NewAuditEntry } from './audit.ts'
export type { CommentMessage, CommentRepository, CommentThread, NewMessage, NewThread, ProjectedThread } from './comments.ts'
export type { Department, DepartmentRepository, NewDepartment } from './departments.ts'
export type { DocLogRepository, DocSnapshot, LoadedDoc, StoredUpdate, UpdateToAppend } from './doc-log.ts'
export type { BookCandidate, BookFilter, BookRepository, FrozenContent } from './book.ts'
export type { ClaimOptions, Job, JobFailure, JobRepository, JobRow, NewJob } from './jobs.ts'
export type { FieldChange, FieldChangeOp, HistoryListOptions, HistoryRepository, LastAuthor, NewFieldChange } from './history.ts'
export type { Indicator, LibraryFilter, LibraryRepository, NewIndicator } from './library.ts'
export { loadLibraryFile } from './library.ts'
export type { LibraryVersionRepository, LibraryVersionSummary } from './library-versions.ts'
export type { IndicatorUsageRepository, NewUsage, UsageListing, UsageSummary } from './indicator-usages.ts'
export type { Decision, DeletedEntry, NewProposal, ProposalListFilter, ProposalRepository, ProposalView } from './library-proposals.ts'
export type { RegistryAliasRow, RegistryListFilter, RegistryProjectRow, RegistryProjectUpsert, RegistryProjectView, RegistryRepository } from './registry.ts'
export type { OpenRound, ReviewRound, RoundRepository, RoundReview } from './rounds.ts'
export type { NewSessionOptions, Session, SessionRepository } from './sessions.ts'
export type { LoginFailureRepository } from './login-failures.ts'
export { DEFAULT_SESSION_IDLE_MS, DEFAULT_SESSION_TTL_MS, hashToken } from './sessions.ts'
export type { NewTable, StoredFindingCounts, TableFilter, TableRepository, TableRow, TableState } from './tables.ts'
export type { TableKey, TableListRow, TablePage, TablePageQuery, TableSort, SortOrder } from './table-list.ts'
export { DEFAULT_ORDER, TABLE_SORTS } from './table-list.ts'
export type { NewUser, User, UserRepository } from './users.ts'
export { MIN_PASSWORD_LENGTH, assertRole } from './users.ts'
export type { DeadlineRow, DepartmentActivity, StageOverride, WorkflowRepository } from './workflow.ts'
export type { NewVersion, TableVersion, TableVersionSummary, VersionRepository } from './versions.ts'
export { canonicalJson, contentHash } from './versions.ts'
