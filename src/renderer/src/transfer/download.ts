/**
 * Web mode: the export job waits for the browser to fetch its download URL.
 * A plain navigation through an <a download> lets the browser own the file
 * (its own save location, progress and cancel) and stream it to disk, which
 * a fetch() into memory would not. The URL holds the download's one-time
 * ticket (navigations carry the session cookie, but no Origin to check).
 */
export function startDownload(downloadUrl: string): void {
  const a = document.createElement('a');
  a.href = new URL(downloadUrl, window.location.href).toString();
  a.download = ''; // the server's Content-Disposition names the file
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
}
