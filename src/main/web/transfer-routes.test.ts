import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JobProgress, PushEvent } from '../../shared/ipc/types';
import { AppService } from '../service/app-service';
import { Jobs } from '../service/jobs';
import { DOWNLOAD_TICKET_MS, Transfers } from '../service/transfers';
import { startWebServer, type WebServer } from './server';
import { httpRequest, openSocket, sessionCookie } from './web-test-kit';

const TOKEN = 'transfer-token';
let dir: string;
let service: AppService;
let server: WebServer;
let cookie: string;
const pushes: PushEvent[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'strata-transfer-'));
  service = new AppService({ mode: 'web', version: 'test', dataDir: dir });
  service.subscribe((e) => pushes.push(e));
  server = await startWebServer({
    api: service,
    transfers: service.transfers,
    subscribe: (l) => service.subscribe(l),
    files: new Map([['/index.html', { body: Buffer.from('x'), type: 'text/html' }]]),
    token: TOKEN,
    port: 0,
  });
  cookie = await sessionCookie(server.port, TOKEN);
  await service['collections.create']({ name: 'src' });
  await service['collections.create']({ name: 'dst' });
  for (const [key, value] of [
    ['a', 'plain'],
    ['b,"q"', 'line1\nline2'],
    ['c', ''],
    ['é🙂', 'unicode ✓'],
    ['0:other', 'x'],
  ]) {
    await service['keys.put']({ collection: 'src', key: key!, value: value! });
  }
});
after(async () => {
  await server.close();
  await service.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

const http = (method: string, path: string, headers: Record<string, string>, body?: string) =>
  httpRequest(server.port, method, path, headers, body);

async function finished(id: string): Promise<JobProgress> {
  for (let i = 0; i < 1000; i++) {
    const job = pushes.flatMap((p) => (p.kind === 'job' ? [p.job] : [])).find((j) => j.id === id && j.state !== 'running');
    if (job) return job;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('job did not finish');
}

const origin = () => `http://127.0.0.1:${server.port}`;
const host = () => ({ Host: `127.0.0.1:${server.port}` });
/** What the page sends: its session cookie, and for uploads its Origin. */
const pageRequest = () => ({ ...host(), Cookie: cookie });
const pageUpload = () => ({ ...pageRequest(), Origin: origin() });

/** Uploads `body` as an NDJSON file into a new collection, as the page does, and waits for the import job to end. */
async function importNdjson(collection: string, body: string, onError: 'stop' | 'skip'): Promise<JobProgress> {
  await service['collections.create']({ name: collection });
  const ticket = await service['transfer.beginUpload']({
    collection,
    fileName: `${collection}.ndjson`,
    sizeBytes: body.length,
    format: 'ndjson',
    onError,
  });
  await http('POST', ticket.uploadPath, pageUpload(), body);
  return finished(ticket.job.id);
}

describe('web mode import and export', () => {
  for (const format of ['ndjson', 'json', 'csv'] as const) {
    it(`exports the current filter as a ${format} download and imports that file into another collection`, async () => {
      const { job, downloadUrl } = await service['transfer.beginDownload']({ collection: 'src', filter: { gte: 'a' }, format });
      const download = await http('GET', downloadUrl, pageRequest());
      assert.equal(download.status, 200);
      assert.match(String(download.headers['content-disposition']), new RegExp(`attachment; filename="src\\.${format}"`));
      assert.match(String(download.headers['content-type']), { ndjson: /x-ndjson/, json: /application\/json/, csv: /text\/csv/ }[format]);
      assert.equal((await finished(job.id)).records, 4);

      const target = `dst_${format}`;
      await service['collections.create']({ name: target });
      const preview = await service['transfer.previewSample']({
        sample: download.body,
        fileName: `src.${format}`,
        sizeBytes: Buffer.byteLength(download.body),
      });
      assert.equal(preview.format, format);
      assert.deepEqual(preview.problems, []);
      assert.equal(preview.records.length, 4);
      const ticket = await service['transfer.beginUpload']({
        collection: target,
        fileName: `src.${format}`,
        sizeBytes: Buffer.byteLength(download.body),
        format,
        onError: 'stop',
      });
      const upload = await http('POST', ticket.uploadPath, pageUpload(), download.body);
      assert.equal(upload.status, 200, upload.body);
      const done = await finished(ticket.job.id);
      assert.equal(done.state, 'done', done.message);
      assert.equal(done.records, 4);
      const page = await service['keys.page']({ collection: target, filter: {}, reverse: false, limit: 10 });
      assert.deepEqual(
        page.rows.map((r) => [r.key, r.preview]),
        [
          ['a', 'plain'],
          ['b,"q"', 'line1\nline2'],
          ['c', ''],
          ['é🙂', 'unicode ✓'],
        ],
      );
    });
  }

  it('refuses uploads without a session, from a foreign page, or for an unknown id', async () => {
    const ticket = await service['transfer.beginUpload']({
      collection: 'dst',
      fileName: 'x.ndjson',
      sizeBytes: 1,
      format: 'ndjson',
      onError: 'stop',
    });
    assert.equal((await http('POST', ticket.uploadPath, { ...pageRequest(), Origin: 'http://evil.example' }, '{}')).status, 403);
    assert.equal((await http('POST', ticket.uploadPath, { ...host(), Origin: origin() }, '{}')).status, 401);
    assert.equal((await http('POST', `${ticket.uploadPath}?token=${TOKEN}`, { ...host(), Origin: origin() }, '{}')).status, 401);
    assert.equal((await http('POST', '/transfer/upload/00000000-0000-0000-0000-000000000000', pageUpload(), '{}')).status, 404);
    await service['jobs.cancel']({ id: ticket.job.id });
    assert.equal((await finished(ticket.job.id)).state, 'cancelled');
  });

  it('starts a download once for its ticket, and for nothing else', async () => {
    const { job, downloadUrl } = await service['transfer.beginDownload']({ collection: 'src', filter: {}, format: 'ndjson' });
    const other = await service['transfer.beginDownload']({ collection: 'src', filter: {}, format: 'csv' });
    const [path, query] = downloadUrl.split('?');
    const ticket = new URLSearchParams(query).get('ticket')!;
    assert.match(ticket, /^[A-Za-z0-9_-]{43}$/);
    // Not the job's id alone, not another download's ticket, not without the page's session, not as a token.
    assert.equal((await http('GET', path!, pageRequest())).status, 403);
    assert.equal(
      (await http('GET', `${path}?ticket=${new URL(other.downloadUrl, 'http://x').searchParams.get('ticket')}`, pageRequest())).status,
      403,
    );
    assert.equal((await http('GET', downloadUrl, host())).status, 401);
    assert.equal((await http('GET', `${path}?token=${TOKEN}`, host())).status, 401);
    assert.equal((await http('GET', '/', { ...host(), 'X-Strata-Token': ticket })).headers['set-cookie'], undefined);
    assert.equal((await http('GET', '/session', { ...host(), 'X-Strata-Token': ticket })).status, 401);
    await assert.rejects(openSocket(server.port, { Origin: origin(), 'X-Strata-Token': ticket }), /refused 401/);
    // The ticket works once; a second use finds nothing waiting.
    assert.equal((await http('GET', downloadUrl, pageRequest())).status, 200);
    assert.equal((await finished(job.id)).state, 'done');
    const again = await http('GET', downloadUrl, pageRequest());
    assert.equal(again.status, 404);
    await service['jobs.cancel']({ id: other.job.id });
  });

  it('refuses a download ticket once its time is up, and gives up the export', async () => {
    let now = 0;
    const ended: JobProgress[] = [];
    const transfers = new Transfers(new Jobs((job) => job.state !== 'running' && ended.push(job)), () => now);
    // The export never reaches its collection: the download it waits for is refused.
    const { job, downloadUrl } = transfers.beginDownload('src', {} as never, {}, 'ndjson');
    const id = job.id;
    const ticket = new URL(downloadUrl, 'http://x').searchParams.get('ticket')!;
    now = DOWNLOAD_TICKET_MS + 1;
    const late = transfers.redeemDownload(id, ticket);
    assert.deepEqual(late.ok ? 'redeemed' : [late.status, /expired/.test(late.reason)], [410, true]);
    for (let i = 0; i < 100 && ended.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(ended[0]?.state, 'cancelled');
    assert.equal(transfers.redeemDownload(id, ticket).ok, false);
  });

  it('stops an upload at a bad line, naming it, with the records before it written', async () => {
    const body = '{"key":"k1","value":"1"}\n{"key":"k2","value":"2"}\n{"key":"k3","value":2}\n{"key":"k4","value":"4"}\n';
    const done = await importNdjson('bad', body, 'stop');
    assert.equal(done.state, 'failed');
    assert.match(done.message, /line 3/);
    assert.equal(done.records, 2);
    assert.deepEqual(
      (await service['keys.page']({ collection: 'bad', filter: {}, reverse: false, limit: 10 })).rows.map((r) => r.key),
      ['k1', 'k2'],
    );
  });

  it('skips bad lines when asked and lists them', async () => {
    const done = await importNdjson('skip', '{"key":"k1","value":"1"}\nnot json\n{"key":"k3","value":"3"}\n', 'skip');
    assert.equal(done.state, 'done');
    assert.equal(done.records, 2);
    assert.equal(done.skipped, 1);
    assert.equal(done.badRecords![0]!.line, 2);
  });

  it('says native file dialogs exist only in the desktop app', async () => {
    await assert.rejects(service['transfer.chooseImportFile'](), /only in the desktop app/);
    await assert.rejects(
      service['transfer.importFile']({ collection: 'dst', path: '/etc/passwd', format: 'csv', onError: 'stop' }),
      /not chosen in the file dialog/,
    );
  });
});
