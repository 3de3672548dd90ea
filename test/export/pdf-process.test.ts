// The PDF process that serves one-table exports: it typesets in a child, survives that child being
// killed (the next request starts another), and replaces the child after its quota of tables.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { TargetTable } from '../../shared/model/index.ts'
import { exportDoc } from '../../server/export/document.ts'
import { closePdfProcess, pdfProcessPid, renderPdf, setPdfRecycling } from '../../server/export/pdf-process.ts'
import { loadSample } from '../helpers/samples.ts'

function text(bytes: Uint8Array): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pdf-process-'))
  try {
    fs.writeFileSync(path.join(dir, 'a.pdf'), bytes)
    return execFileSync('pdftotext', [path.join(dir, 'a.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, '')
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

const doc = (name: string) => {
  const table = loadSample('S02') as TargetTable & { header: { projectName: string } }
  table.header.projectName = name
  return exportDoc({ tableId: 't_1', table, title: name, departmentName: '南江市卫生健康局', status: 'draft', version: null, edition: 'internal' })
}

describe('PDF process', () => {
  afterAll(() => {
    setPdfRecycling(200)
    closePdfProcess()
  })

  it('typesets in a child process and starts a new one after the child is killed', async () => {
    expect(text(await renderPdf(doc('基本公共卫生服务甲')))).toContain('基本公共卫生服务甲')
    const first = pdfProcessPid()
    expect(first).toBeDefined()
    expect(first).not.toBe(process.pid)
    process.kill(first!, 'SIGKILL')
    await new Promise((r) => setTimeout(r, 200))
    expect(text(await renderPdf(doc('基本公共卫生服务乙')))).toContain('基本公共卫生服务乙')
    expect(pdfProcessPid()).not.toBe(first)
  })

  it('replaces the child after its quota of tables (Typst memory only grows)', async () => {
    closePdfProcess()
    setPdfRecycling(2)
    await renderPdf(doc('一'))
    const pid = pdfProcessPid()
    await renderPdf(doc('二'))
    expect(pdfProcessPid()).toBe(pid)
    const third = await renderPdf(doc('三号项目'))
    expect(pdfProcessPid()).not.toBe(pid)
    expect(text(third)).toContain('三号项目')
  })
})
