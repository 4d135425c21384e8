import type { TransferFormat } from '../../../shared/ipc/types'
import { takeToken } from '../api/web-transport'

/**
 * Web mode: the export job waits for the browser to fetch its `downloadPath`.
 * A plain navigation through an <a download> lets the browser own the file
 * (its own save location, progress and cancel) and stream it to disk, which
 * a fetch() into memory would not. Navigations carry no custom header, so the
 * token rides in the query (the server checks it and the Host).
 */
export function startDownload(downloadPath: string, format: TransferFormat): void {
  const token = takeToken() ?? ''
  const url = new URL(downloadPath, window.location.href)
  url.searchParams.set('token', token)
  url.searchParams.set('format', format)
  const a = document.createElement('a')
  a.href = url.toString()
  a.download = '' // the server's Content-Disposition names the file
  a.rel = 'noopener'
  a.style.display = 'none'
  document.body.appendChild(a)
  a.click()
  a.remove()
}
