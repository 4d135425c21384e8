import { scanLog } from '../log/log-scan.js';
import { visitBatch } from '../log/write-batch.js';

/**
 * The highest sequence of any intact record in a WAL, read past damage too;
 * 0 if none decodes. Recovery raises the collection's last sequence above
 * it for WALs it does not use, so new writes never reuse a number that a
 * file set aside (and perhaps brought back through repair) already carries.
 * `slice` is awaited as scanLog goes, to keep a long scan from blocking.
 */
export async function highestSequenceIn(data: Buffer, path: string, slice?: () => Promise<void>): Promise<number> {
  let highest = 0;
  for (const { payload } of (await scanLog(data, slice)).records) {
    try {
      visitBatch(payload, path, (_kind, sequence) => {
        if (sequence > highest) highest = sequence;
      });
    } catch {
      // A record whose checksum holds but whose batch does not decode carries no sequence to honour.
    }
  }
  return highest;
}
