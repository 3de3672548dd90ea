// The backup file format (version 1), shared by the writer and the reader. A backup is a gzip of
// UTF-8 JSON lines:
//   line 1   header  {format, version, createdAt, source, migrations, tables:[{name, columns, identity, rows}]}
//   then     each table's rows, in header order (parents before children), one `row_to_json` object a line
//   last     trailer {end, rows, sha256}: sha256 is over every byte before the trailer line
// Rows are PostgreSQL's own JSON of the row (`row_to_json`, session time zone UTC): bytea as its hex text
// `\x…`, jsonb as JSON, arrays as JSON arrays, timestamps with microseconds and offset. Restore feeds the
// lines back through `json_populate_recordset`, so no value passes through a JavaScript number and any
// column type PostgreSQL can print and read comes back as it was — on PGlite or PostgreSQL alike.
export const BACKUP_FORMAT = 'target-tables-backup'
export const BACKUP_VERSION = 1

export interface BackupMigration {
  /** sha256 of the migration file, as drizzle records it in drizzle.__drizzle_migrations */
  hash: string
  /** the journal's `when` (drizzle's created_at) */
  createdAt: number
}

export interface BackupTable {
  name: string
  /** the columns written, in table order (generated columns are left out: the database computes them) */
  columns: string[]
  /** columns whose values come from a sequence (identity/serial); restore sets the sequence past them */
  sequenced: string[]
  /** true when a foreign key of the table points at the table itself (restored in one statement) */
  selfReferencing: boolean
  rows: number
}

export interface BackupHeader {
  format: typeof BACKUP_FORMAT
  version: typeof BACKUP_VERSION
  createdAt: string
  source: 'pglite' | 'postgres'
  migrations: BackupMigration[]
  tables: BackupTable[]
  /** what the file does not hold, for a reader of the file */
  excluded: string[]
}

export interface BackupTrailer {
  end: typeof BACKUP_FORMAT
  rows: number
  sha256: string
}

/** A refusal of the backup or restore command: Chinese first, then English, and an exit code. */
export class BackupError extends Error {
  constructor(
    readonly zh: string,
    readonly en: string,
  ) {
    super(`${zh}\n${en}`)
    this.name = 'BackupError'
  }
}

/** Gzip's magic bytes. */
export const GZIP_MAGIC = Buffer.from([0x1f, 0x8b])

export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`
