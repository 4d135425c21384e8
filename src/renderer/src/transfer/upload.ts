/** What the upload route answered; it answers when the import ends (200 done, 422 failed, 499 cancelled). */
export interface UploadOutcome {
  status: number;
  text: string;
}

/** The preview reads this much of the picked file, as the desktop app's preview reads of a path. */
export const SAMPLE_BYTES = 64 * 1024;

/**
 * The first 64 KiB of the file as text. A cut inside a multi-byte character
 * decodes as U+FFFD at the very end: drop it so the preview does not report
 * a bad record that is only an artefact of the cut.
 */
export async function readSample(file: File): Promise<string> {
  const text = await file.slice(0, SAMPLE_BYTES).text();
  return file.size > SAMPLE_BYTES ? text.replace(/\uFFFD$/, '') : text;
}

/**
 * Web mode: POSTs the File as the request body; the browser streams it from
 * disk. It carries the session cookie (the server also checks Origin, as for
 * the WebSocket). Progress comes from the job's push events, not from here.
 */
export async function uploadFile(uploadPath: string, file: File, signal?: AbortSignal): Promise<UploadOutcome> {
  const response = await fetch(uploadPath, {
    method: 'POST',
    body: file,
    headers: { 'Content-Type': 'application/octet-stream' },
    signal,
  });
  return { status: response.status, text: (await response.text()).trim() };
}
