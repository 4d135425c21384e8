import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { JobProgress, PushEvent } from '../../shared/ipc/types'
import { AppService } from '../service/app-service'
import { startWebServer, type WebServer } from './server'

const TOKEN = 'transfer-token'
let dir: string
let service: AppService
let server: WebServer
const pushes: PushEvent[] = []

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'strata-transfer-'))
  service = new AppService({ mode: 'web', version: 'test', dataDir: dir })
  service.subscribe((e) => pushes.push(e))
  server = await startWebServer({
    api: service,
    transfers: service.transfers,
    subscribe: (l) => service.subscribe(l),
    files: new Map([['/index.html', { body: Buffer.from('x'), type: 'text/html' }]]),
    token: TOKEN,
    port: 0
  })
  await service['collections.create']({ name: 'src' })
  await service['collections.create']({ name: 'dst' })
  for (const [key, value] of [['a', 'plain'], ['b,"q"', 'line1\nline2'], ['c', ''], ['é🙂', 'unicode ✓'], ['0:other', 'x']]) {
    await service['keys.put']({ collection: 'src', key: key!, value: value! })
  }
})
after(async () => {
  await server.close()
  await service.shutdown()
  rmSync(dir, { recursive: true, force: true })
})

function http(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, method, path, headers }, (res) => {
      let data = ''
      res.setEncoding('utf8')
      res.on('data', (d) => (data += d))
      res.on('end', () => resolve({ status: res.statusCode!, body: data, headers: res.headers }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

async function finished(id: string): Promise<JobProgress> {
  for (let i = 0; i < 1000; i++) {
    const job = pushes.flatMap((p) => (p.kind === 'job' ? [p.job] : [])).find((j) => j.id === id && j.state !== 'running')
    if (job) return job
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error('job did not finish')
}

const origin = () => `http://127.0.0.1:${server.port}`

describe('web mode import and export', () => {
  for (const format of ['ndjson', 'json', 'csv'] as const) {
    it(`exports the current filter as a ${format} download and imports that file into another collection`, async () => {
      const job = await service['transfer.beginDownload']({ collection: 'src', filter: { gte: 'a' }, format })
      const download = await http('GET', `${job.downloadPath}?token=${TOKEN}&format=${format}`, { Host: `127.0.0.1:${server.port}` })
      assert.equal(download.status, 200)
      assert.match(String(download.headers['content-disposition']), new RegExp(`attachment; filename="src\\.${format}"`))
      assert.equal((await finished(job.id)).records, 4)

      const target = `dst_${format}`
      await service['collections.create']({ name: target })
      const preview = await service['transfer.previewSample']({ sample: download.body, fileName: `src.${format}`, sizeBytes: Buffer.byteLength(download.body) })
      assert.equal(preview.format, format)
      assert.deepEqual(preview.problems, [])
      assert.equal(preview.records.length, 4)
      const ticket = await service['transfer.beginUpload']({ collection: target, fileName: `src.${format}`, sizeBytes: Buffer.byteLength(download.body), format, onError: 'stop' })
      const upload = await http('POST', `${ticket.uploadPath}`, { Origin: origin(), Host: `127.0.0.1:${server.port}`, 'X-Strata-Token': TOKEN }, download.body)
      assert.equal(upload.status, 200, upload.body)
      const done = await finished(ticket.job.id)
      assert.equal(done.state, 'done', done.message)
      assert.equal(done.records, 4)
      const page = await service['keys.page']({ collection: target, filter: {}, reverse: false, limit: 10 })
      assert.deepEqual(
        page.rows.map((r) => [r.key, r.preview]),
        [['a', 'plain'], ['b,"q"', 'line1\nline2'], ['c', ''], ['é🙂', 'unicode ✓']]
      )
    })
  }

  it('refuses transfers without the token, from a foreign page, or for an unknown id', async () => {
    const job = await service['transfer.beginDownload']({ collection: 'src', filter: {}, format: 'ndjson' })
    const host = { Host: `127.0.0.1:${server.port}` }
    assert.equal((await http('GET', `${job.downloadPath}`, host)).status, 401)
    assert.equal((await http('GET', `${job.downloadPath}?token=nope`, host)).status, 401)
    const ticket = await service['transfer.beginUpload']({ collection: 'dst', fileName: 'x.ndjson', sizeBytes: 1, format: 'ndjson', onError: 'stop' })
    assert.equal((await http('POST', ticket.uploadPath, { ...host, Origin: 'http://evil.example', 'X-Strata-Token': TOKEN }, '{}')).status, 403)
    assert.equal((await http('POST', ticket.uploadPath, { ...host, Origin: origin() }, '{}')).status, 401)
    assert.equal((await http('POST', '/transfer/upload/00000000-0000-0000-0000-000000000000', { ...host, Origin: origin(), 'X-Strata-Token': TOKEN }, '{}')).status, 404)
    await service['jobs.cancel']({ id: ticket.job.id })
    await service['jobs.cancel']({ id: job.id })
    assert.equal((await finished(ticket.job.id)).state, 'cancelled')
  })

  it('stops an upload at a bad line, naming it, with the records before it written', async () => {
    await service['collections.create']({ name: 'bad' })
    const body = '{"key":"k1","value":"1"}\n{"key":"k2","value":"2"}\n{"key":"k3","value":2}\n{"key":"k4","value":"4"}\n'
    const ticket = await service['transfer.beginUpload']({ collection: 'bad', fileName: 'b.ndjson', sizeBytes: body.length, format: 'ndjson', onError: 'stop' })
    await http('POST', ticket.uploadPath, { Host: `127.0.0.1:${server.port}`, Origin: origin(), 'X-Strata-Token': TOKEN }, body)
    const done = await finished(ticket.job.id)
    assert.equal(done.state, 'failed')
    assert.match(done.message, /line 3/)
    assert.equal(done.records, 2)
    assert.deepEqual((await service['keys.page']({ collection: 'bad', filter: {}, reverse: false, limit: 10 })).rows.map((r) => r.key), ['k1', 'k2'])
  })

  it('skips bad lines when asked and lists them', async () => {
    await service['collections.create']({ name: 'skip' })
    const ndjson = '{"key":"k1","value":"1"}\nnot json\n{"key":"k3","value":"3"}\n'
    const ticket = await service['transfer.beginUpload']({ collection: 'skip', fileName: 's.ndjson', sizeBytes: ndjson.length, format: 'ndjson', onError: 'skip' })
    await http('POST', ticket.uploadPath, { Host: `127.0.0.1:${server.port}`, Origin: origin(), 'X-Strata-Token': TOKEN }, ndjson)
    const done = await finished(ticket.job.id)
    assert.equal(done.state, 'done')
    assert.equal(done.records, 2)
    assert.equal(done.skipped, 1)
    assert.equal(done.badRecords![0]!.line, 2)
  })

  it('says native file dialogs exist only in the desktop app', async () => {
    await assert.rejects(service['transfer.chooseImportFile'](), /only in the desktop app/)
    await assert.rejects(service['transfer.importFile']({ collection: 'dst', path: '/etc/passwd', format: 'csv', onError: 'stop' }), /not chosen in the file dialog/)
  })
})
