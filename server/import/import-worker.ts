// The import worker thread (see run.ts): reads workbooks and recognises their tables, answering each
// request with its result or with the AppError it raised (code, Chinese message, details).
import { parentPort } from 'node:worker_threads'
import { isAppError } from '../../shared/errors.ts'
import { importWorkbook } from './index.ts'
import type { ImportTask } from './run.ts'
import { readLibraryWorkbook } from './library-read.ts'
import { readWorkbook } from './workbook.ts'

async function handle(task: ImportTask): Promise<unknown> {
  switch (task.kind) {
    case 'tables':
      return importWorkbook(task.data, { fileName: task.fileName, ...(task.year !== undefined ? { year: task.year } : {}) })
    case 'sheets':
      return readWorkbook(task.data, { fileName: task.fileName })
    case 'library':
      return readLibraryWorkbook(task.data, { fileName: task.fileName })
  }
}

parentPort!.on('message', async ({ id, task }: { id: number; task: ImportTask }) => {
  try {
    parentPort!.postMessage({ id, ok: true, result: await handle(task) })
  } catch (err) {
    if (isAppError(err)) parentPort!.postMessage({ id, ok: false, code: err.code, message: err.message, details: err.details ?? null })
    else parentPort!.postMessage({ id, ok: false, code: 'invalid_input', message: `无法读取该文件：${(err as Error).message}`, details: { field: 'file', reason: 'unreadable' } })
  }
})
