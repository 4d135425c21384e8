import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Session } from './session.js';

/**
 * Script mode: runs the commands read from a pipe or file, one per line, with
 * no banner or prompts. Every line runs even after a failure; EXIT stops.
 */
export async function runScript(session: Session, input: Readable): Promise<void> {
  const lines = createInterface({ input, crlfDelay: Infinity, terminal: false });
  try {
    for await (const line of lines) {
      await session.execute(line);
      if (session.exitRequested) break;
    }
  } finally {
    lines.close();
  }
}
