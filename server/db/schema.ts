// The database schema (Drizzle, pg-core): one file for PGlite and PostgreSQL alike.
// `npx drizzle-kit generate` turns it into the SQL migrations committed in drizzle/.
import { sql } from 'drizzle-orm'
import {
  bigint,
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  uniqueIndex,
  text,
  timestamp,
  unique,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core'
import { newId } from '../../shared/model/ids.ts'
import type { Grade } from '../../shared/api/common.ts'
import { DIFFICULTIES, type Difficulty } from '../../shared/api/assignments.ts'
import type { RoundGrades } from '../../shared/api/review.ts'
import { JOB_STATUSES, type JobStatus } from '../../shared/api/export.ts'
import { STAGES, type Stage } from '../../shared/workflow/stage.ts'
import { GROUP_KINDS, type GroupKind } from '../../shared/api/groups.ts'
import type { RegistryAmount, RegistryCodeName, RegistryContact, RegistryFunctionalClass, RegistrySource } from '../../shared/api/registry.ts'

export const ROLES = ['finance', 'department', 'consultant', 'viewer'] as const
export type Role = (typeof ROLES)[number]
export const DEPARTMENT_KINDS = ['department', 'unit', 'town'] as const
export type DepartmentKind = (typeof DEPARTMENT_KINDS)[number]
export const TABLE_STATUSES = ['draft', 'submitted', 'returned', 'approved'] as const
export type TableStatus = (typeof TABLE_STATUSES)[number]
/** Live-document rooms: `<tableId>` holds the table, `<tableId>/comments` its threads. */
export const ROOMS = ['table', 'comments'] as const
export type Room = (typeof ROOMS)[number]
export const VERSION_REASONS = ['approved', 'submitted', 'round', 'manual'] as const
export type VersionReason = (typeof VERSION_REASONS)[number]
export const THREAD_STATUSES = ['open', 'resolved'] as const
export type ThreadStatus = (typeof THREAD_STATUSES)[number]
export const LIBRARY_SCOPES = ['common', 'specific'] as const
export type LibraryScope = (typeof LIBRARY_SCOPES)[number]

// WATCH OUT: postgres.js hands bytea back as a Buffer (often a view into a shared pool slab), PGlite as
// a Uint8Array. Copy into a fresh, exactly-sized Uint8Array so callers (Yjs) see one type on both.
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType() {
    return 'bytea'
  },
  toDriver(value) {
    return value
  },
  fromDriver(value) {
    return new Uint8Array(value)
  },
})

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
/** `col IN (…)` check built from a constant list, so the database refuses what the types refuse. */
const oneOf = (column: AnyPgColumn, values: readonly string[]) =>
  sql`${column} in (${sql.join(values.map((v) => sql.raw(`'${v}'`)), sql`, `)})`

/** 部门 / 单位 / 镇街: departments and towns are top level; units sit below one of them. */
export const departments = pgTable(
  'departments',
  {
    id: text('id').primaryKey().$defaultFn(() => newId('d')),
    code: text('code').notNull().unique('departments_code_unique'),
    name: text('name').notNull(),
    kind: text('kind').$type<DepartmentKind>().notNull(),
    parentId: text('parent_id').references((): AnyPgColumn => departments.id, { onDelete: 'restrict' }),
    createdAt: createdAt(),
  },
  (t) => [check('departments_kind_check', oneOf(t.kind, DEPARTMENT_KINDS)), index('departments_parent_idx').on(t.parentId)],
)

export const users = pgTable(
  'users',
  {
    id: text('id').primaryKey().$defaultFn(() => newId('u')),
    username: text('username').notNull().unique('users_username_unique'),
    passwordHash: text('password_hash').notNull(),
    displayName: text('display_name').notNull(),
    role: text('role').$type<Role>().notNull(),
    disabled: boolean('disabled').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [check('users_role_check', oneOf(t.role, ROLES))],
)

export const userDepartments = pgTable(
  'user_departments',
  {
    userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    departmentId: text('department_id').notNull().references(() => departments.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.userId, t.departmentId] }), index('user_departments_department_idx').on(t.departmentId)],
)

/** Sign-in sessions. Only a SHA-256 of the bearer token is stored, so a leaked table grants nothing.
 * A session ends at expires_at (absolute) or once idle past the configured time since last_seen_at. */
export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey().$defaultFn(() => newId('s')),
    tokenHash: text('token_hash').notNull().unique('sessions_token_hash_unique'),
    userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    /** the last request seen with it, written at most once a minute (idle expiry reads it) */
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
)

/**
 * Failed sign-ins per key (`user:<name>`, `addr:<address>`, `password:<user id>`): the login throttle's
 * counts (server/auth/throttle.ts), here rather than in each process so that every server process behind a
 * balancer and a restarted one see the same failures. A row goes at the next success or once forgotten.
 */
export const loginFailures = pgTable(
  'login_failures',
  {
    key: text('key').primaryKey(),
    failures: integer('failures').notNull(),
    /** no attempt is heard before this (the epoch while the key is still within its free failures) */
    lockedUntil: timestamp('locked_until', { withTimezone: true }).notNull(),
    lastFailure: timestamp('last_failure', { withTimezone: true }).notNull(),
  },
  (t) => [index('login_failures_last_failure_idx').on(t.lastFailure)],
)

/** 绩效目标表: the row that names a table; its content lives in the live document (doc_updates/doc_snapshots). */
export const targetTables = pgTable(
  'target_tables',
  {
    id: text('id').primaryKey().$defaultFn(() => newId('t')),
    kind: text('kind').$type<'project' | 'department'>().notNull(),
    template: text('template').notNull(),
    year: integer('year').notNull(),
    departmentId: text('department_id').notNull().references(() => departments.id, { onDelete: 'restrict' }),
    title: text('title').notNull().default(''),
    status: text('status').$type<TableStatus>().notNull().default('draft'),
    round: integer('round').notNull().default(1),
    version: integer('version').notNull().default(0),
    classified: boolean('classified').notNull().default(false),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    /** findings counts as last computed, stored so a list of thousands filters and sorts in SQL; null = never computed */
    errorCount: integer('error_count'),
    warningCount: integer('warning_count'),
    infoCount: integer('info_count'),
    /** the document version (docLog.version) the counts were computed at; a list recomputes rows whose version moved */
    findingsVersion: bigint('findings_version', { mode: 'number' }),
    /** open review threads of any round, kept from the comments room */
    openThreads: integer('open_threads').notNull().default(0),
    /** soft delete: a deleted table leaves every list and lookup; the audit log says who and why */
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    deletedBy: text('deleted_by'),
    /** the 指标库版本 (library_versions.id) newest for the table's year when it was created; null: none published */
    libraryVersionId: integer('library_version_id'),
    /** 年度结转: the previous year's approved table this one was rolled over from (one rollover per source) */
    rolledFromId: text('rolled_from_id'),
  },
  (t) => [
    index('target_tables_year_department_idx').on(t.year, t.departmentId),
    uniqueIndex('target_tables_rolled_from_unique').on(t.rolledFromId).where(sql`${t.rolledFromId} is not null and ${t.deletedAt} is null`),
    index('target_tables_updated_idx').on(t.updatedAt, t.id),
    index('target_tables_status_idx').on(t.status),
    check('target_tables_kind_check', oneOf(t.kind, ['project', 'department'])),
    check('target_tables_status_check', oneOf(t.status, TABLE_STATUSES)),
  ],
)

/** Append-only Yjs update log, one row per stored update; compaction folds a prefix into doc_snapshots. */
export const docUpdates = pgTable(
  'doc_updates',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    tableId: text('table_id').notNull().references(() => targetTables.id, { onDelete: 'cascade' }),
    room: text('room').$type<Room>().notNull(),
    update: bytea('update').notNull(),
    userId: text('user_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [index('doc_updates_table_room_id_idx').on(t.tableId, t.room, t.id), check('doc_updates_room_check', oneOf(t.room, ROOMS))],
)

/** Compacted document state: every update with id ≤ last_update_id is folded into `state`. */
export const docSnapshots = pgTable(
  'doc_snapshots',
  {
    tableId: text('table_id').notNull().references(() => targetTables.id, { onDelete: 'cascade' }),
    room: text('room').$type<Room>().notNull(),
    state: bytea('state').notNull(),
    lastUpdateId: bigint('last_update_id', { mode: 'number' }).notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.tableId, t.room] }), check('doc_snapshots_room_check', oneOf(t.room, ROOMS))],
)

/** Frozen content (批复 or the end of a 征求意见轮次); `hash` is the SHA-256 of its canonical JSON. */
export const tableVersions = pgTable(
  'table_versions',
  {
    id: text('id').primaryKey().$defaultFn(() => newId('v')),
    tableId: text('table_id').notNull().references(() => targetTables.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    round: integer('round').notNull(),
    reason: text('reason').$type<VersionReason>().notNull(),
    content: jsonb('content').$type<unknown>().notNull(),
    hash: text('hash').notNull(),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [
    unique('table_versions_table_version_unique').on(t.tableId, t.version),
    check('table_versions_reason_check', oneOf(t.reason, VERSION_REASONS)),
  ],
)

// The two comment tables are a queryable projection of the comments room. Author ids are not
// foreign keys on purpose: the projection mirrors the document and must never be refused by it.
export const commentThreads = pgTable(
  'comment_threads',
  {
    id: text('id').primaryKey().$defaultFn(() => newId('c')),
    tableId: text('table_id').notNull().references(() => targetTables.id, { onDelete: 'cascade' }),
    round: integer('round').notNull(),
    anchorRowId: text('anchor_row_id'),
    anchorField: text('anchor_field'),
    status: text('status').$type<ThreadStatus>().notNull().default('open'),
    authorId: text('author_id').notNull(),
    createdAt: createdAt(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
  },
  (t) => [
    index('comment_threads_table_round_idx').on(t.tableId, t.round),
    check('comment_threads_status_check', oneOf(t.status, THREAD_STATUSES)),
  ],
)

export const commentMessages = pgTable(
  'comment_messages',
  {
    id: text('id').primaryKey().$defaultFn(() => newId('m')),
    threadId: text('thread_id').notNull().references(() => commentThreads.id, { onDelete: 'cascade' }),
    authorId: text('author_id').notNull(),
    text: text('text').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('comment_messages_thread_idx').on(t.threadId, t.createdAt)],
)

/** Who did what, when. No foreign keys: the trail outlives the rows it mentions. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    userId: text('user_id'),
    action: text('action').notNull(),
    tableId: text('table_id'),
    details: jsonb('details').$type<Record<string, unknown>>(),
  },
  (t) => [index('audit_log_table_idx').on(t.tableId, t.id), index('audit_log_user_idx').on(t.userId, t.id)],
)

/** Placement of a 成本指标 row under the 2021 framework (成本指标/经济成本指标). */
export interface Alt2021 {
  level1: string
  level2: string
}

/** 指标库: seeded from shared/domain/library.json; departments may add their core (★) indicators. */
export const indicators = pgTable(
  'indicators',
  {
    id: text('id').primaryKey().$defaultFn(() => newId('i')),
    level1: text('level1').notNull(),
    level2: text('level2').notNull(),
    level3: text('level3').notNull(),
    explanation: text('explanation').notNull().default(''),
    formula: text('formula').notNull().default(''),
    comparator: text('comparator').notNull(),
    typicalValue: text('typical_value').notNull().default(''),
    unit: text('unit').notNull().default(''),
    basis: text('basis').notNull().default(''),
    dataSource: text('data_source').notNull().default(''),
    scope: text('scope').$type<LibraryScope>().notNull(),
    /** functional classification codes (类/款/项 prefixes); `*` means every class */
    functionalClasses: text('functional_classes').array().notNull().default(sql`'{}'::text[]`),
    projectTypes: text('project_types').array().notNull().default(sql`'{}'::text[]`),
    alt2021: jsonb('alt2021').$type<Alt2021>(),
    departmentId: text('department_id').references(() => departments.id, { onDelete: 'cascade' }),
    core: boolean('core').notNull().default(false),
    /** how many approved tables used it (search ranks by it after match quality) */
    usageCount: integer('usage_count').notNull().default(0),
    /** 1 on creation, +1 per change (indicator_changes holds each) */
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check('indicators_scope_check', oneOf(t.scope, LIBRARY_SCOPES)),
    index('indicators_levels_idx').on(t.level1, t.level2),
    index('indicators_department_idx').on(t.departmentId),
  ],
)

export { GRADES, type Grade } from '../../shared/api/common.ts'

/** 征求意见轮次: opened by each submit; a reviewer's grades on the four dimensions of 财预〔2015〕88号 and a verdict. */
export const reviewRounds = pgTable(
  'review_rounds',
  {
    tableId: text('table_id').notNull().references(() => targetTables.id, { onDelete: 'cascade' }),
    round: integer('round').notNull(),
    /** the version frozen by the submit that opened this round */
    version: integer('version'),
    submittedAt: timestamp('submitted_at', { withTimezone: true }).notNull().defaultNow(),
    submittedBy: text('submitted_by'),
    grades: jsonb('grades').$type<RoundGrades>(),
    verdict: text('verdict').$type<Grade>(),
    comment: text('comment'),
    reviewedBy: text('reviewed_by'),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.tableId, t.round] })],
)

/**
 * Field-level history of a table (who changed which field when), written when a live document settles:
 * the settled content is diffed against the previous one and each change is attributed to the last user
 * whose update touched that row or field. Survives compaction of the update log.
 */
export const fieldChanges = pgTable(
  'field_changes',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    tableId: text('table_id').notNull().references(() => targetTables.id, { onDelete: 'cascade' }),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    userId: text('user_id'),
    op: text('op').$type<'add' | 'remove' | 'move' | 'change'>().notNull(),
    path: text('path').notNull(),
    rowId: text('row_id'),
    field: text('field'),
    before: jsonb('before').$type<unknown>(),
    after: jsonb('after').$type<unknown>(),
  },
  (t) => [index('field_changes_table_idx').on(t.tableId, t.id)],
)

export const JOB_KINDS = ['compilation', 'common-candidates'] as const
export type JobKind = (typeof JOB_KINDS)[number]
export { JOB_STATUSES, type JobStatus }

/**
 * Durable background jobs (the compiled book today; imports and mining later). State lives here so a job
 * survives a restart: a process claims a queued job (or one whose lease ran out) by taking its lease in one
 * UPDATE, renews the lease while it works, and writes progress as it goes. Exactly one process holds a lease.
 */
export const jobs = pgTable(
  'jobs',
  {
    id: text('id').primaryKey().$defaultFn(() => newId('j')),
    kind: text('kind').$type<JobKind>().notNull(),
    status: text('status').$type<JobStatus>().notNull().default('queued'),
    /** the request as accepted (validated against the kind's schema) */
    params: jsonb('params').$type<unknown>().notNull(),
    done: integer('done').notNull().default(0),
    total: integer('total').notNull().default(0),
    /** items that failed without failing the job: [{ id, title, reason }] */
    failures: jsonb('failures').$type<unknown[]>().notNull().default(sql`'[]'::jsonb`),
    /** what the job produced (file name, size, manifest summary) */
    result: jsonb('result').$type<unknown>(),
    /** why a job failed or was cancelled */
    error: text('error'),
    cancelRequested: boolean('cancel_requested').notNull().default(false),
    attempts: integer('attempts').notNull().default(0),
    leaseOwner: text('lease_owner'),
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('jobs_kind_status_idx').on(t.kind, t.status, t.createdAt),
    check('jobs_kind_check', oneOf(t.kind, JOB_KINDS)),
    check('jobs_status_check', oneOf(t.status, JOB_STATUSES)),
  ],
)

/**
 * 项目统计表 (the project registry, tables.md §10): one row per project a department declared for a year,
 * imported from xlsx. `natural_key` (unit code or name + project name, normalised) makes a re-import
 * update the row instead of adding another. `department_id` is null while its department is unknown
 * (finance maps it: registry_department_aliases); `table_id` is the target table created for it.
 */
export const registryProjects = pgTable(
  'registry_projects',
  {
    id: text('id').primaryKey().$defaultFn(() => newId('p')),
    year: integer('year').notNull(),
    naturalKey: text('natural_key').notNull(),
    departmentId: text('department_id').references(() => departments.id, { onDelete: 'set null' }),
    financeOffice: jsonb('finance_office').$type<RegistryCodeName | null>(),
    competentDept: jsonb('competent_dept').$type<RegistryCodeName | null>(),
    unit: jsonb('unit').$type<RegistryCodeName | null>(),
    contacts: jsonb('contacts').$type<RegistryContact[]>().notNull().default(sql`'[]'::jsonb`),
    projectName: text('project_name').notNull(),
    /** as typed: a number, text (an amount with prose) or null (blank) */
    requestedAmount: jsonb('requested_amount').$type<RegistryAmount>(),
    functionalClass: jsonb('functional_class').$type<RegistryFunctionalClass | null>(),
    classified: boolean('classified'),
    fundingType: text('funding_type'),
    fundSource: text('fund_source'),
    source: jsonb('source').$type<RegistrySource>().notNull(),
    tableId: text('table_id').references(() => targetTables.id, { onDelete: 'set null' }),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedBy: text('updated_by').references(() => users.id, { onDelete: 'set null' }),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique('registry_projects_year_key_unique').on(t.year, t.naturalKey),
    index('registry_projects_year_department_idx').on(t.year, t.departmentId),
    index('registry_projects_table_idx').on(t.tableId),
  ],
)

/**
 * A department or unit name (and code) as a registry spells it, mapped by finance to an existing
 * department, so the next import recognises it. `key` is `c:<code>` when the code is known, else
 * `n:<normalised name>`.
 */
export const registryDepartmentAliases = pgTable(
  'registry_department_aliases',
  {
    id: text('id').primaryKey().$defaultFn(() => newId('a')),
    key: text('key').notNull().unique('registry_department_aliases_key_unique'),
    code: text('code'),
    name: text('name').notNull(),
    departmentId: text('department_id').notNull().references(() => departments.id, { onDelete: 'cascade' }),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [index('registry_department_aliases_department_idx').on(t.departmentId)],
)

/**
 * Each version of a library entry: who changed it, why, and the changed fields before and after
 * (before is null for the creation). Kept when the entry is deleted.
 */
export const indicatorChanges = pgTable(
  'indicator_changes',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    indicatorId: text('indicator_id').notNull(),
    version: integer('version').notNull(),
    changedBy: text('changed_by').references(() => users.id, { onDelete: 'set null' }),
    reason: text('reason').notNull(),
    before: jsonb('before').$type<Record<string, unknown>>(),
    after: jsonb('after').$type<Record<string, unknown>>().notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('indicator_changes_indicator_version_unique').on(t.indicatorId, t.version)],
)

/** Library settings a bureau edits, one JSON value per key (`synonyms`: the search synonym groups). */
export const librarySettings = pgTable('library_settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedBy: text('updated_by').references(() => users.id, { onDelete: 'set null' }),
  updatedAt: updatedAt(),
})

export const PROPOSAL_KINDS = ['add', 'change'] as const
export type ProposalKind = (typeof PROPOSAL_KINDS)[number]
export const PROPOSAL_STATUSES = ['pending', 'accepted', 'rejected'] as const
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number]

/**
 * 指标建议: a department proposes a new library entry (`add`) or a change to one (`change`, with the entry's
 * version it read); finance accepts (the entry is created or changed, versioned with the proposal's reason)
 * or rejects with a reason. `indicator_id` has no foreign key: the entry may be deleted meanwhile and the
 * proposal is kept (accepting it is then refused, naming the deletion).
 */
export const indicatorProposals = pgTable(
  'indicator_proposals',
  {
    id: text('id').primaryKey().$defaultFn(() => newId('p')),
    kind: text('kind').$type<ProposalKind>().notNull(),
    /** `change`: the entry; `add`: the entry created on accept (null before) */
    indicatorId: text('indicator_id'),
    /** `change`: the entry's version the proposer read */
    baseVersion: integer('base_version'),
    /** the proposed field values (createIndicatorBody's fields for `add`, a partial patch for `change`) */
    fields: jsonb('fields').$type<Record<string, unknown>>().notNull(),
    reason: text('reason').notNull(),
    departmentId: text('department_id').references(() => departments.id, { onDelete: 'set null' }),
    proposedBy: text('proposed_by').references(() => users.id, { onDelete: 'set null' }),
    status: text('status').$type<ProposalStatus>().notNull().default('pending'),
    decidedBy: text('decided_by').references(() => users.id, { onDelete: 'set null' }),
    decisionReason: text('decision_reason'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    check('indicator_proposals_kind_check', oneOf(t.kind, PROPOSAL_KINDS)),
    check('indicator_proposals_status_check', oneOf(t.status, PROPOSAL_STATUSES)),
    index('indicator_proposals_status_idx').on(t.status, t.createdAt),
    index('indicator_proposals_indicator_idx').on(t.indicatorId),
  ],
)

/**
 * Where each library entry is used: one row per indicator row of an approved table linked to an entry
 * (exact or near match), written when the table is approved and removed when it is reopened. Usage counts,
 * typical values and "where used" are read from here.
 */
export const indicatorUsages = pgTable(
  'indicator_usages',
  {
    tableId: text('table_id').notNull().references(() => targetTables.id, { onDelete: 'cascade' }),
    /** the indicator row's id in the table (IndicatorRow.id) */
    rowKey: text('row_key').notNull(),
    indicatorId: text('indicator_id').notNull().references(() => indicators.id, { onDelete: 'cascade' }),
    /** how the row was linked: the same name (`exact`) or a near-identical one (`near`) */
    match: text('match').$type<'exact' | 'near'>().notNull(),
    level1: text('level1').notNull(),
    level2: text('level2').notNull(),
    /** the 三级指标 as the table wrote it */
    level3: text('level3').notNull(),
    comparator: text('comparator').notNull().default(''),
    /** the 指标值 as written (target text) */
    target: text('target').notNull().default(''),
    unit: text('unit').notNull().default(''),
    year: integer('year').notNull(),
    departmentId: text('department_id').notNull(),
    /** the table's 功能分类 code ('' when none) */
    functionalClass: text('functional_class').notNull().default(''),
    /** the approved version the row was read from */
    tableVersion: integer('table_version').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tableId, t.rowKey] }),
    index('indicator_usages_indicator_idx').on(t.indicatorId, t.year),
  ],
)

/**
 * 指标库版本: finance publishes the library for a budget year; each publication freezes every entry as it was
 * (version 1, 2, … within the year). A table created for that year records the newest version then
 * (target_tables.library_version_id).
 */
export const libraryVersions = pgTable(
  'library_versions',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    year: integer('year').notNull(),
    version: integer('version').notNull(),
    note: text('note').notNull().default(''),
    entryCount: integer('entry_count').notNull(),
    /** every entry as it was (IndicatorEntry without usage), in id order */
    entries: jsonb('entries').$type<Record<string, unknown>[]>().notNull(),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [unique('library_versions_year_version_unique').on(t.year, t.version)],
)

export { DIFFICULTIES, type Difficulty }

/**
 * 第三方机构分工: finance assigns a department (with its units) to a consultant for a budget year, with the
 * department's 难度分类. One consultant per department and year (a second is refused, naming the first).
 * The assignment gives the consultant read, edit, comment and grading rights on that year's tables.
 */
export const assignments = pgTable(
  'assignments',
  {
    year: integer('year').notNull(),
    departmentId: text('department_id').notNull().references(() => departments.id, { onDelete: 'cascade' }),
    consultantId: text('consultant_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    difficulty: text('difficulty').$type<Difficulty>().notNull(),
    assignedBy: text('assigned_by').references(() => users.id, { onDelete: 'set null' }),
    assignedAt: timestamp('assigned_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.year, t.departmentId] }),
    index('assignments_consultant_idx').on(t.consultantId, t.year),
    check('assignments_difficulty_check', oneOf(t.difficulty, DIFFICULTIES)),
  ],
)

export const MATERIAL_STATUSES = ['missing', 'received', 'not_applicable'] as const
export type MaterialStatus = (typeof MATERIAL_STATUSES)[number]

/**
 * 资料清单 (tables.md §11): per department and budget year, each of the twelve items received / missing /
 * not applicable, with a note. A department with no row for an item has it missing.
 */
export const departmentMaterials = pgTable(
  'department_materials',
  {
    departmentId: text('department_id').notNull().references(() => departments.id, { onDelete: 'cascade' }),
    year: integer('year').notNull(),
    /** 1…12, the item of tables.md §11 */
    item: integer('item').notNull(),
    status: text('status').$type<MaterialStatus>().notNull().default('missing'),
    note: text('note').notNull().default(''),
    updatedBy: text('updated_by').references(() => users.id, { onDelete: 'set null' }),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.departmentId, t.year, t.item] }),
    check('department_materials_status_check', oneOf(t.status, MATERIAL_STATUSES)),
    check('department_materials_item_check', sql`${t.item} between 1 and 12`),
  ],
)

/**
 * Files attached to a 资料清单 item, stored in the database (bytea): one place for both databases, in every
 * backup, the same for every server process; bounded per file (shared/api/materials.ts).
 */
export const materialFiles = pgTable(
  'material_files',
  {
    id: text('id').primaryKey().$defaultFn(() => newId('f')),
    departmentId: text('department_id').notNull().references(() => departments.id, { onDelete: 'cascade' }),
    year: integer('year').notNull(),
    item: integer('item').notNull(),
    /** the uploaded name, cleaned of any path (`../../etc/passwd` → `passwd`) */
    name: text('name').notNull(),
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    /** sha-256 of the bytes, hex */
    sha256: text('sha256').notNull(),
    bytes: bytea('bytes').notNull(),
    uploadedBy: text('uploaded_by').references(() => users.id, { onDelete: 'set null' }),
    uploadedAt: timestamp('uploaded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('material_files_department_idx').on(t.departmentId, t.year, t.item)],
)

/**
 * 工作阶段 a consultant (or finance) set for a department and year where its tables cannot say; the shown
 * stage is the later of this and the derived one (shared/workflow/stage.ts). No row: derived only.
 */
export const departmentStages = pgTable(
  'department_stages',
  {
    year: integer('year').notNull(),
    departmentId: text('department_id').notNull().references(() => departments.id, { onDelete: 'cascade' }),
    stage: text('stage').$type<Stage>().notNull(),
    note: text('note').notNull().default(''),
    setBy: text('set_by').references(() => users.id, { onDelete: 'set null' }),
    setAt: timestamp('set_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.year, t.departmentId] }), check('department_stages_stage_check', oneOf(t.stage, STAGES))],
)

/** 截止日期 per budget year and stage: by due_date every department should have reached the stage. */
export const stageDeadlines = pgTable(
  'stage_deadlines',
  {
    year: integer('year').notNull(),
    stage: text('stage').$type<Stage>().notNull(),
    /** the bureau's calendar date, inclusive */
    dueDate: text('due_date').notNull(),
    setBy: text('set_by').references(() => users.id, { onDelete: 'set null' }),
    setAt: timestamp('set_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.year, t.stage] }), check('stage_deadlines_stage_check', oneOf(t.stage, STAGES))],
)

/** 同质化部门组 / 示范点: departments sharing one indicator set held in `source_table_id` (shared/api/groups.ts). */
export const departmentGroups = pgTable(
  'department_groups',
  {
    id: text('id').primaryKey().$defaultFn(() => newId('g')),
    name: text('name').notNull(),
    kind: text('kind').$type<GroupKind>().notNull(),
    year: integer('year').notNull(),
    sourceTableId: text('source_table_id').references(() => targetTables.id, { onDelete: 'set null' }),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [unique('department_groups_year_name_unique').on(t.year, t.name), check('department_groups_kind_check', oneOf(t.kind, GROUP_KINDS))],
)

/** A group's members; a department is in at most one group per year (the unique index, even under a race). */
export const groupMembers = pgTable(
  'group_members',
  {
    groupId: text('group_id').notNull().references(() => departmentGroups.id, { onDelete: 'cascade' }),
    year: integer('year').notNull(),
    departmentId: text('department_id').notNull().references(() => departments.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.departmentId] }), uniqueIndex('group_members_year_department_unique').on(t.year, t.departmentId)],
)

/**
 * What a group last wrote into a member table: per source row id, the member row it became and the values
 * written (`base`). A later propagation changes a member row only where it still equals its base (the
 * member's own changes are overrides and stay).
 */
export const groupPropagations = pgTable(
  'group_propagations',
  {
    groupId: text('group_id').notNull().references(() => departmentGroups.id, { onDelete: 'cascade' }),
    tableId: text('table_id').notNull().references(() => targetTables.id, { onDelete: 'cascade' }),
    base: jsonb('base').$type<Record<string, unknown>>().notNull(),
    propagatedBy: text('propagated_by').references(() => users.id, { onDelete: 'set null' }),
    propagatedAt: timestamp('propagated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.tableId] })],
)
