import type { TableShape } from '../../../shared/model/stats';
import type { TableInspection } from '../../../shared/model/table-inspection';
import { memo, useEffect, useState } from 'react';
import type { KeyFilter } from '../../../shared/ipc/types';
import { useClient } from '../app/context';
import { describeError } from '../api/errors';
import { formatBytes, formatCount } from '../ui/format';

const FIRST_ENTRIES = 12;

/** The key browser filter for exactly a table's keys, both ends included. */
export const rangeOf = (t: { minKey: string; maxKey: string }): KeyFilter => ({ gte: t.minKey, lte: t.maxKey });

/** compact() takes a half-open range: the smallest key after maxKey is maxKey + NUL. */
const compactRangeOf = (t: { minKey: string; maxKey: string }) => ({ gte: t.minKey, lt: t.maxKey + '\u0000' });

export const Inspector = memo(function Inspector({
  collection,
  table,
  onBrowse,
  onCompact,
  busy,
}: {
  collection: string;
  table: TableShape;
  onBrowse(filter: KeyFilter): void;
  onCompact(range: { gte: string; lt: string }): void;
  busy: boolean;
}) {
  const client = useClient();
  const [info, setInfo] = useState<TableInspection | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let alive = true;
    setInfo(null);
    setError(null);
    client['lsm.inspectTable']({ collection, fileNumber: table.id, firstEntries: FIRST_ENTRIES }).then(
      (i) => alive && setInfo(i),
      (err) => alive && setError(describeError(err).message),
    );
    return () => {
      alive = false;
    };
  }, [client, collection, table.id]);

  const range = rangeOf(table);
  return (
    <div className="lv-inspector" data-testid="inspector" data-file={table.id}>
      <h3>
        Table #{table.id} <span className={`lv-chip lv-l${Math.min(table.level, 6)}`}>L{table.level}</span>
      </h3>
      {error && (
        <p className="lv-note" role="status">
          {/no such|not found|NOT_FOUND|no live table/i.test(error)
            ? 'This table is gone: a compaction merged it into the next level.'
            : error}
        </p>
      )}
      <dl className="lv-props">
        <Prop name="Size" value={formatBytes(info?.bytes ?? table.bytes)} testid="prop-bytes" raw={info?.bytes ?? table.bytes} />
        <Prop
          name="Entries"
          value={formatCount(info?.entries ?? table.entries)}
          testid="prop-entries"
          raw={info?.entries ?? table.entries}
        />
        <Prop
          name="Tombstones"
          value={formatCount(info?.tombstones ?? table.tombstones)}
          testid="prop-tombstones"
          raw={info?.tombstones ?? table.tombstones}
        />
        <Prop name="Min key" value={table.minKey} mono testid="prop-min-key" />
        <Prop name="Max key" value={table.maxKey} mono testid="prop-max-key" />
        {info && (
          <>
            <Prop name="Sequences" value={`${formatCount(info.minSequence)} – ${formatCount(info.maxSequence)}`} testid="prop-sequences" />
            <Prop
              name="Data blocks"
              value={`${formatCount(info.dataBlocks)} · ${formatBytes(info.dataBytes)}`}
              testid="prop-blocks"
              raw={info.dataBlocks}
            />
            <Prop name="Index" value={formatBytes(info.indexBytes)} />
            <Prop
              name="Bloom filter"
              value={info.filterBytes > 0 ? `${formatBytes(info.filterBytes)} · ${info.bloomBitsPerKey} bits/key` : 'none'}
              testid="prop-bloom"
              raw={info.filterBytes}
            />
            <Prop name="Compression" value={info.compression} />
            <Prop name="Written by" value={info.createdBy === 'unknown' ? 'unknown (before this session)' : info.createdBy} />
          </>
        )}
      </dl>
      <div className="lv-actions-row">
        <button type="button" className="button small primary" onClick={() => onBrowse(range)} data-testid="browse-range">
          Browse this range
        </button>
        <button
          type="button"
          className="button small"
          disabled={busy}
          onClick={() => onCompact(compactRangeOf(table))}
          title="Compact the tables overlapping this table's key range"
        >
          Compact this range
        </button>
      </div>
      {info && info.firstEntries.length > 0 && (
        <>
          <h4>First entries</h4>
          <table className="lv-entries">
            <thead>
              <tr>
                <th>Key</th>
                <th>Seq</th>
                <th>Value</th>
              </tr>
            </thead>
            <tbody>
              {info.firstEntries.map((e) => (
                <tr key={`${e.key}:${e.sequence}`}>
                  <td className="mono">{e.key}</td>
                  <td className="mono muted">{e.sequence}</td>
                  <td className="mono">
                    {e.tombstone ? <span className="lv-tombstone-label">tombstone</span> : `${e.valuePreview}${e.truncated ? '…' : ''}`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
});

function Prop({ name, value, mono, testid, raw }: { name: string; value: string; mono?: boolean; testid?: string; raw?: number }) {
  return (
    <>
      <dt>{name}</dt>
      <dd className={mono ? 'mono' : undefined} data-testid={testid} data-value={raw}>
        {value}
      </dd>
    </>
  );
}
