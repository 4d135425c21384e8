import type { TableShape } from '../../../shared/model/stats';
import { formatBytes, formatCount } from '../ui/format';
import { visibleLevels, type TreeModel } from './model';

/** "Show as table": the same tree as text, one row per level and one per SSTable. */
export function TableView({ model, selected, onSelect }: { model: TreeModel; selected: number | null; onSelect(t: TableShape): void }) {
  const levels = visibleLevels(model.levels);
  return (
    <div className="lv-textview" data-testid="text-view">
      <table className="lv-text-table">
        <caption className="small muted">Levels and their SSTables, newest L0 tables first</caption>
        <thead>
          <tr>
            <th>Level / table</th>
            <th className="num">Tables</th>
            <th className="num">Size</th>
            <th className="num">Target</th>
            <th className="num">Score</th>
            <th className="num">Entries</th>
            <th className="num">Tombstones</th>
            <th>Min key</th>
            <th>Max key</th>
          </tr>
        </thead>
        {levels.map((l) => (
          <tbody key={l.level}>
            <tr className="lv-text-level">
              <th scope="rowgroup">L{l.level}</th>
              <td className="num">{l.files.length}</td>
              <td className="num">{formatBytes(l.bytes)}</td>
              <td className="num">{l.targetBytes === null ? '—' : formatBytes(l.targetBytes)}</td>
              <td className="num">{l.score === null ? '—' : l.score.toFixed(2)}</td>
              <td className="num">{formatCount(l.entries)}</td>
              <td colSpan={3} />
            </tr>
            {l.files.map((t) => (
              <tr key={t.id} className={t.id === selected ? 'lv-active' : undefined}>
                <td>
                  <button type="button" className="link mono" onClick={() => onSelect(t)}>
                    #{t.id}
                  </button>
                </td>
                <td />
                <td className="num">{formatBytes(t.bytes)}</td>
                <td />
                <td />
                <td className="num">{formatCount(t.entries)}</td>
                <td className="num">{formatCount(t.tombstones)}</td>
                <td className="mono">{t.minKey}</td>
                <td className="mono">{t.maxKey}</td>
              </tr>
            ))}
          </tbody>
        ))}
      </table>
    </div>
  );
}
