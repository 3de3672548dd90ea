// 资料清单 (tables.md §11): per department and budget year, the status and note of each of the twelve items
// (department_materials; an item nobody has set is 未收到) and the files attached to them (material_files,
// the bytes in the database: one place for both databases, in every backup). Lists never read the bytes.
import { createHash } from 'node:crypto'
import { and, asc, count, eq, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import type { Db } from '../db/open.ts'
import { departmentMaterials, materialFiles, users, type MaterialStatus } from '../db/schema.ts'

export interface MaterialItemRow {
  item: number
  status: MaterialStatus
  note: string
  updatedAt: Date
  updatedByName: string | null
}

export interface MaterialFileMeta {
  id: string
  departmentId: string
  year: number
  item: number
  name: string
  contentType: string
  size: number
  sha256: string
  uploadedAt: Date
  uploadedByName: string | null
}

export interface NewMaterialFile {
  departmentId: string
  year: number
  item: number
  name: string
  contentType: string
  bytes: Uint8Array
  uploadedBy: string | null
}

export interface MaterialRepository {
  /** the items someone has set (others are 未收到) and every file's metadata, by item then upload time */
  list(departmentId: string, year: number): Promise<{ items: MaterialItemRow[]; files: MaterialFileMeta[] }>
  /** sets an item's status (and its note when given); returns the status before (missing when never set) */
  setStatus(input: { departmentId: string; year: number; item: number; status: MaterialStatus; note?: string; updatedBy: string | null }): Promise<{ before: MaterialStatus }>
  /**
   * Holds an item (department, year, item) until the surrounding transaction ends, so that a count of its
   * files and the insert that depends on it cannot interleave with another upload's.
   */
  lockItem(departmentId: string, year: number, item: number): Promise<void>
  countFiles(departmentId: string, year: number, item: number): Promise<number>
  addFile(file: NewMaterialFile): Promise<MaterialFileMeta>
  fileMeta(fileId: string): Promise<MaterialFileMeta | null>
  fileBytes(fileId: string): Promise<Uint8Array | null>
  deleteFile(fileId: string): Promise<boolean>
}

/** first key of pg_advisory_xact_lock(int, int) for a 资料清单 item */
const MATERIALS_LOCK_NAMESPACE = 0x54_54_4d_41 // 'TTMA'

export function createMaterialRepository(db: Db): MaterialRepository {
  const uploader = alias(users, 'uploader')
  const fileColumns = {
    id: materialFiles.id,
    departmentId: materialFiles.departmentId,
    year: materialFiles.year,
    item: materialFiles.item,
    name: materialFiles.name,
    contentType: materialFiles.contentType,
    size: materialFiles.size,
    sha256: materialFiles.sha256,
    uploadedAt: materialFiles.uploadedAt,
    uploadedByName: uploader.displayName,
  }

  async function fileMeta(fileId: string): Promise<MaterialFileMeta | null> {
    const [row] = await db.select(fileColumns).from(materialFiles).leftJoin(uploader, eq(uploader.id, materialFiles.uploadedBy)).where(eq(materialFiles.id, fileId))
    return row ?? null
  }

  return {
    async list(departmentId, year) {
      const items = await db
        .select({ item: departmentMaterials.item, status: departmentMaterials.status, note: departmentMaterials.note, updatedAt: departmentMaterials.updatedAt, updatedByName: users.displayName })
        .from(departmentMaterials)
        .leftJoin(users, eq(users.id, departmentMaterials.updatedBy))
        .where(and(eq(departmentMaterials.departmentId, departmentId), eq(departmentMaterials.year, year)))
        .orderBy(asc(departmentMaterials.item))
      const files = await db
        .select(fileColumns)
        .from(materialFiles)
        .leftJoin(uploader, eq(uploader.id, materialFiles.uploadedBy))
        .where(and(eq(materialFiles.departmentId, departmentId), eq(materialFiles.year, year)))
        .orderBy(asc(materialFiles.item), asc(materialFiles.uploadedAt), asc(materialFiles.id))
      return { items, files }
    },

    async setStatus(input) {
      return db.transaction(async (tx) => {
        const key = and(eq(departmentMaterials.departmentId, input.departmentId), eq(departmentMaterials.year, input.year), eq(departmentMaterials.item, input.item))
        const [prior] = await tx.select({ status: departmentMaterials.status }).from(departmentMaterials).where(key).for('update')
        const now = new Date()
        await tx
          .insert(departmentMaterials)
          .values({ departmentId: input.departmentId, year: input.year, item: input.item, status: input.status, note: input.note ?? '', updatedBy: input.updatedBy, updatedAt: now })
          .onConflictDoUpdate({
            target: [departmentMaterials.departmentId, departmentMaterials.year, departmentMaterials.item],
            set: { status: input.status, ...(input.note !== undefined ? { note: input.note } : {}), updatedBy: input.updatedBy, updatedAt: now },
          })
        return { before: prior?.status ?? 'missing' }
      })
    },

    async lockItem(departmentId, year, item) {
      await db.execute(sql`select pg_advisory_xact_lock(${sql.raw(String(MATERIALS_LOCK_NAMESPACE))}, hashtext(${`${departmentId}/${year}/${item}`}))`)
    },

    async countFiles(departmentId, year, item) {
      const [row] = await db
        .select({ n: count() })
        .from(materialFiles)
        .where(and(eq(materialFiles.departmentId, departmentId), eq(materialFiles.year, year), eq(materialFiles.item, item)))
      return Number(row?.n ?? 0)
    },

    async addFile(file) {
      const sha256 = createHash('sha256').update(file.bytes).digest('hex')
      const [row] = await db
        .insert(materialFiles)
        .values({ departmentId: file.departmentId, year: file.year, item: file.item, name: file.name, contentType: file.contentType, size: file.bytes.byteLength, sha256, bytes: file.bytes, uploadedBy: file.uploadedBy })
        .returning({ id: materialFiles.id })
      return (await fileMeta(row!.id))!
    },

    fileMeta,

    async fileBytes(fileId) {
      const [row] = await db.select({ bytes: materialFiles.bytes }).from(materialFiles).where(eq(materialFiles.id, fileId))
      return row?.bytes ?? null
    },

    async deleteFile(fileId) {
      const rows = await db.delete(materialFiles).where(eq(materialFiles.id, fileId)).returning({ id: materialFiles.id })
      return rows.length > 0
    },
  }
}
